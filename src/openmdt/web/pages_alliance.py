"""The Cancer Alliance view (issue 11 §6): the member trusts' figures side by side, the
alliance's totals, variation and funnel plots, from aggregates only, with every table as
CSV. For the alliance's analysts and the admins of its member trusts."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from openmdt.store.models import User
from openmdt.web.pages_common import (
    PageUser,
    error_page,
    forbidden_page,
    login_redirect,
    may,
    render,
)
from openmdt.web.pages_reports import _period
from openmdt.web.security import DbSession

router = APIRouter()
ALL_TABLES = "alliance-tables.zip"


def _zipped(tables: dict[str, str]) -> bytes:
    """The CSV tables as one ZIP file, in the page's order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in tables.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _alliance_view(db: Any, user: User, date_from: date | None, date_to: date | None
                   ) -> tuple[Any, Any]:
    """(the alliance, its report), or (None, None) when the user's trust has no alliance."""
    from openmdt.accounts.alliances import alliance_for_user, member_trusts
    from openmdt.analytics.alliance import recorded_alliance
    from openmdt.analytics.assumptions import load_assumptions
    from openmdt.analytics.pathway import load_standards
    from openmdt.analytics.recorded import RecordedFilter
    from openmdt.meetings.evaluation import pack_by_id

    alliance = alliance_for_user(db, user)
    if alliance is None:
        return None, None
    trusts = [t.name for t in member_trusts(db, alliance)]
    report = recorded_alliance(db, alliance.label, pack_by_id(alliance.pack_id), trusts,
                               RecordedFilter(date_from, date_to), load_assumptions(),
                               load_standards())
    return alliance, report


def _no_alliance(request: Request, user: User) -> HTMLResponse:
    return error_page(request, user, 404, "Your trust does not belong to a Cancer Alliance "
                      "(an administrator adds it with openmdt alliance add-trust).",
                      heading="No alliance")


@router.get("/alliance", response_class=HTMLResponse)
def alliance_page(request: Request, db: DbSession, user: PageUser, date_from: str = "",
                  date_to: str = "") -> Response:
    """The alliance view: trusts side by side, variation, funnel plots, packs in use."""
    if user is None:
        return login_redirect(request)
    if not may(user, "alliance"):
        return forbidden_page(request, user, "alliance")
    start, end, errors = _period(date_from, date_to)
    form = {"date_from": date_from, "date_to": date_to}
    if errors:
        return render(request, "alliance.html", user, status_code=422, errors=errors,
                      form=form, alliance=None, section="", tables=[], query="")
    from openmdt.analytics.render_alliance import alliance_section, alliance_tables
    from openmdt.analytics.render_value import amount

    alliance, report = _alliance_view(db, user, start, end)
    if alliance is None:
        return _no_alliance(request, user)
    return render(request, "alliance.html", user, errors={}, form=form, alliance=alliance,
                  report=report, section=alliance_section(report, as_image=True),
                  tables=list(alliance_tables(report)), all_tables=ALL_TABLES, amount=amount,
                  query=f"?date_from={date_from}&date_to={date_to}")


@router.get("/alliance/tables/{name}")
def alliance_table(name: str, request: Request, db: DbSession, user: PageUser,
                   date_from: str = "", date_to: str = "") -> Response:
    """One table of the alliance view as CSV, or every table in one ZIP (``ALL_TABLES``: the
    figures are worked out once for all of them); 404 for a name that is not a table."""
    if user is None:
        return login_redirect(request)
    if not may(user, "alliance"):
        return forbidden_page(request, user, "alliance")
    start, end, errors = _period(date_from, date_to)
    if errors:
        return Response("; ".join(errors.values()), status_code=422, media_type="text/plain")
    from openmdt.analytics.render_alliance import alliance_tables

    alliance, report = _alliance_view(db, user, start, end)
    if alliance is None:
        return _no_alliance(request, user)
    tables = alliance_tables(report)
    if name == ALL_TABLES:
        return Response(_zipped(tables), media_type="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    if name not in tables:
        return Response("No such table.", status_code=404, media_type="text/plain")
    return Response(tables[name], media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
