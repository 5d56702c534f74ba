"""The proof-of-value dashboard (issue 11 §7): the pilot report's figures for the signed-in
user's organisation (auditors and admins), with every table as CSV."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from openmdt.store.models import User
from openmdt.web.pages_common import PageUser, forbidden_page, login_redirect, may, render
from openmdt.web.security import DbSession

router = APIRouter()
DEFAULT_PACK = "prostate-nice-ng131"


def _period(date_from: str, date_to: str) -> tuple[date | None, date | None, dict[str, str]]:
    errors: dict[str, str] = {}
    parsed: list[date | None] = []
    for name, label, text in (("date_from", "From", date_from), ("date_to", "To", date_to)):
        try:
            parsed.append(date.fromisoformat(text) if text else None)
        except ValueError:
            parsed.append(None)
            errors[name] = f"{label} must be a date, for example 2026-11-27"
    if not errors and parsed[0] and parsed[1] and parsed[1] < parsed[0]:
        errors["date_to"] = "To must be on or after From"
    return parsed[0], parsed[1], errors


def _pilot(db: Any, user: User, date_from: date | None, date_to: date | None) -> Any:
    from openmdt.analytics.assumptions import load_assumptions
    from openmdt.analytics.pathway import load_standards
    from openmdt.analytics.pilot import recorded_pilot
    from openmdt.analytics.recorded import RecordedFilter
    from openmdt.meetings.evaluation import pack_by_id

    # The organisation is the user's own: figures never include another organisation's rows.
    where = RecordedFilter(date_from, date_to, None, user.organisation.name)
    return recorded_pilot(db, pack_by_id(DEFAULT_PACK), where, load_assumptions(),
                          load_standards())


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, db: DbSession, user: PageUser, date_from: str = "",
                 date_to: str = "") -> Response:
    """The dashboard: executive figures, safety net, concordance, value and pathway."""
    if user is None:
        return login_redirect(request)
    if not may(user, "report"):
        return forbidden_page(request, user, "report")
    start, end, errors = _period(date_from, date_to)
    form = {"date_from": date_from, "date_to": date_to}
    if errors:
        return render(request, "reports.html", user, status_code=422, errors=errors,
                      form=form, pilot=None, sections={}, tables=[])
    from openmdt.analytics.pilot import pilot_sections, pilot_tables
    from openmdt.analytics.render_value import amount

    pilot = _pilot(db, user, start, end)
    query = f"?date_from={date_from}&date_to={date_to}"
    return render(request, "reports.html", user, errors={}, form=form, pilot=pilot,
                  sections=pilot_sections(pilot, as_image=True), amount=amount, query=query,
                  tables=sorted(pilot_tables(pilot)))


@router.get("/reports/tables/{name}")
def report_table(name: str, request: Request, db: DbSession, user: PageUser,
                 date_from: str = "", date_to: str = "") -> Response:
    """One table of the dashboard as CSV (404 for a name that is not a table)."""
    if user is None:
        return login_redirect(request)
    if not may(user, "report"):
        return forbidden_page(request, user, "report")
    start, end, errors = _period(date_from, date_to)
    if errors:
        return Response("; ".join(errors.values()), status_code=422, media_type="text/plain")
    from openmdt.analytics.pilot import pilot_tables

    tables = pilot_tables(_pilot(db, user, start, end))
    if name not in tables:
        return Response("No such table.", status_code=404, media_type="text/plain")
    return Response(tables[name], media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
