"""Case pages: the patient, facts, guideline options with reasons, and the MDT outcome."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openmdt import meetings as service
from openmdt.cases.pathway import PATHWAY_DATES
from openmdt.meetings.codes import (
    CARE_PLAN_INTENTS,
    DEVIATION_REASONS,
    PLANNED_TREATMENT_TYPES,
)
from openmdt.store.errors import InvalidRequest, ServiceError, StaleVersion
from openmdt.store.models import User
from openmdt.web.pages_audit import log_case_read
from openmdt.web.pages_case_view import (
    OUTCOME_ERROR_FIELDS,
    case_page,
    changed_facts,
    check_dates,
    check_facts,
    check_outcome,
    date_fields,
    fact_fields,
    outcome_form_defaults,
)
from openmdt.web.pages_common import (
    PageUser,
    forbidden_page,
    login_redirect,
    may,
    render,
    service_error_page,
)
from openmdt.web.pages_meeting_views import chair_page
from openmdt.web.security import DbSession

router = APIRouter()

NOTICES = {
    "facts": "Facts saved as a new version and the case re-evaluated.",
    "nochange": "No facts were changed.",
    "flagged": "The case is flagged for full discussion.",
    "outcome": "Outcome recorded.",
    "added": "Patient added to the end of the list. Enter the facts below: the case is "
             "evaluated when they are saved.",
    "moved": "Patient moved to this meeting (rolled over); the earlier meeting keeps the record.",
}


def render_case(
    request: Request, db: Any, user: User, case_id: int, *, status_code: int = 200,
    submitted: dict[str, str] | None = None, fact_errors: dict[str, str] | None = None,
    outcome: dict[str, Any] | None = None, outcome_errors: dict[str, str] | None = None,
    submitted_dates: dict[str, str] | None = None, date_errors: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    try:
        case = service.get_case(db, case_id, user=user)
    except ServiceError as error:
        return service_error_page(request, user, error)
    page = case_page(case)
    fields = fact_fields(page.items, case.current_facts, submitted=submitted, errors=fact_errors)
    dates = date_fields(case.current_pathway_dates, submitted=submitted_dates, errors=date_errors)
    return render(
        request, "case.html", user, status_code=status_code, page=page, case=case,
        fields=fields, date_fields=dates,
        fact_errors={**(fact_errors or {}), **(date_errors or {})},
        outcome=outcome or outcome_form_defaults(case), outcome_errors=outcome_errors or {},
        care_plan_intents=CARE_PLAN_INTENTS, treatment_types=PLANNED_TREATMENT_TYPES,
        deviation_reasons=DEVIATION_REASONS,
        later_meetings=service.later_open_meetings(db, case.meeting, user=user), **context,
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_view(
    case_id: int, request: Request, db: DbSession, user: PageUser, done: str = ""
) -> Response:
    """One patient's case page (404 for another organisation's case)."""
    if user is None:
        return login_redirect(request)
    log_case_read(db, user, case_id, "Case page")
    return render_case(request, db, user, case_id, notice=NOTICES.get(done, ""))


@router.post("/cases/{case_id}/facts", response_class=HTMLResponse)
async def save_facts(case_id: int, request: Request, db: DbSession, user: PageUser) -> Response:
    """Save edited facts as a new version; errors and conflicts keep what the user typed."""
    if user is None:
        return login_redirect(request)
    if not may(user, "prepare"):
        return forbidden_page(request, user, "prepare")
    try:
        case = service.get_case(db, case_id, user=user)
    except ServiceError as error:
        return service_error_page(request, user, error)
    form = await request.form()
    page = case_page(case)
    submitted = {name: str(form.get(f"fact_{name}", "")) for name in page.items}
    submitted_dates = {name: str(form.get(f"fact_{name}", "")) for name in PATHWAY_DATES
                       if f"fact_{name}" in form}
    values, errors = check_facts(_pack_of(page), case.case_ref, submitted)
    dates, date_errors = check_dates(submitted_dates)
    expected = _int(form.get("expected_version"))
    reason = str(form.get("reason", "")).strip() or None
    typed = {"submitted": submitted, "submitted_dates": submitted_dates,
             "fact_reason": reason or ""}
    if errors or date_errors:
        return render_case(request, db, user, case_id, status_code=422, fact_errors=errors,
                           date_errors=date_errors, **typed)
    changes = changed_facts(case.current_facts, values)
    date_changes = changed_facts(case.current_pathway_dates, dates)
    if not changes and not date_changes:
        return RedirectResponse(f"/cases/{case_id}?done=nochange#facts", status_code=303)
    try:
        service.update_facts(db, case_id, changes, expected_version=expected,
                             acting_user=user, reason=reason, pathway_dates=date_changes)
    except StaleVersion:
        db.rollback()
        return render_case(request, db, user, case_id, status_code=409, conflict=True, **typed)
    except ServiceError as error:
        return _facts_service_error(request, db, user, case_id, error, typed)
    return RedirectResponse(f"/cases/{case_id}?done=facts#facts", status_code=303)


def _facts_service_error(request: Request, db: Any, user: User, case_id: int,
                         error: ServiceError, typed: dict[str, Any]) -> Response:
    if error.status in (403, 404):
        return service_error_page(request, user, error)
    item = error.extra.get("item") or str(error.extra.get("path", "")).removeprefix("facts.")
    errors = {item: error.detail} if item in typed["submitted"] else {}
    date_errors = {item: error.detail} if item in typed["submitted_dates"] else {}
    return render_case(request, db, user, case_id, status_code=error.status,
                        fact_errors=errors, date_errors=date_errors,
                        facts_error=None if errors or date_errors else error.detail, **typed)


def _pack_of(page: Any) -> Any:
    from openmdt.web.pages_agenda import _pack

    return _pack(page.meeting.pack_id)


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1


@router.post("/cases/{case_id}/flag", response_class=HTMLResponse)
async def flag_for_discussion(
    case_id: int, request: Request, db: DbSession, user: PageUser
) -> Response:
    """A clinician flags a case for full discussion, with an optional note."""
    if user is None:
        return login_redirect(request)
    if not may(user, "flag"):
        return forbidden_page(request, user, "flag")
    form = await request.form()
    note = str(form.get("note", "")).strip() or None
    try:
        service.flag_case(db, case_id, acting_user=user, note=note)
    except ServiceError as error:
        if error.status in (403, 404):
            return service_error_page(request, user, error)
        return render_case(request, db, user, case_id, status_code=error.status,
                            flag_error=error.detail)
    return RedirectResponse(f"/cases/{case_id}?done=flagged", status_code=303)


def _outcome_form(form: Any) -> dict[str, Any]:
    return {
        "chosen_options": [str(v) for v in form.getlist("chosen_options")],
        "care_plan_intent": str(form.get("care_plan_intent", "")),
        "planned_treatment_types": [str(v) for v in form.getlist("planned_treatment_types")],
        "rationale": str(form.get("rationale", "")),
        "deviation_code": str(form.get("deviation_code", "")),
        "deviation_text": str(form.get("deviation_text", "")),
        "amendment_reason": str(form.get("amendment_reason", "")),
    }


@router.post("/cases/{case_id}/outcome", response_class=HTMLResponse)
async def record_outcome(
    case_id: int, request: Request, db: DbSession, user: PageUser
) -> Response:
    """The chair records (or amends) the MDT outcome; a deviation needs a coded reason."""
    if user is None:
        return login_redirect(request)
    if not may(user, "decide"):
        return forbidden_page(request, user, "decide")
    try:
        case = service.get_case(db, case_id, user=user)
    except ServiceError as error:
        return service_error_page(request, user, error)
    submitted = await request.form()
    form = _outcome_form(submitted)
    shown = _outcome_page(request, db, user, case, chair=submitted.get("back") == "chair")
    page = case_page(case)
    amending = case.current_outcome is not None
    errors = check_outcome(form, page.recommended, [o.id for o in page.options],
                           amending=amending)
    if errors:
        return shown(status_code=422, outcome=form, outcome_errors=errors)
    try:
        _save_outcome(db, case_id, user, form, amending=amending)
    except InvalidRequest as error:
        field = OUTCOME_ERROR_FIELDS.get(error.code, "chosen_options")
        return shown(status_code=422, outcome=form, outcome_errors={field: error.detail})
    except ServiceError as error:
        if error.status in (403, 404):
            return service_error_page(request, user, error)
        return shown(status_code=error.status, outcome=form,
                     outcome_errors={"chosen_options": error.detail})
    if submitted.get("back") == "chair":
        return RedirectResponse(f"/meetings/{case.meeting_id}/chair/{case_id}?done=outcome"
                                "#outcome", status_code=303)
    return RedirectResponse(f"/cases/{case_id}?done=outcome#outcome", status_code=303)


def _outcome_page(request: Request, db: Any, user: User, case: Any,
                  *, chair: bool) -> Callable[..., Response]:
    """Where a refused outcome form is shown again: the chair view or the case page."""
    if chair:
        return partial(chair_page, request, db, user, case.meeting_id, case.id)
    return partial(render_case, request, db, user, case.id)


def _save_outcome(db: Any, case_id: int, user: User, form: dict[str, Any], *,
                  amending: bool) -> None:
    fields = {
        "chosen_options": form["chosen_options"],
        "care_plan_intent": form["care_plan_intent"],
        "planned_treatment_types": form["planned_treatment_types"],
        "rationale": form["rationale"],
        "deviation_code": form["deviation_code"] or None,
        "deviation_text": form["deviation_text"].strip() or None,
    }
    if amending:
        service.amend_outcome(db, case_id, acting_user=user,
                              reason=form["amendment_reason"].strip(), **fields)
    else:
        service.record_outcome(db, case_id, acting_user=user, **fields)
