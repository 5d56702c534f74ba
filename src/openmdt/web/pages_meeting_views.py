"""Views of a meeting for use in the room: one page per patient for printing, and the chair's
one-case-at-a-time view for projection."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openmdt import meetings as service
from openmdt.meetings.codes import CARE_PLAN_INTENTS, DEVIATION_REASONS, PLANNED_TREATMENT_TYPES
from openmdt.store.errors import ServiceError
from openmdt.store.models import User
from openmdt.web.pages_agenda import agenda_view
from openmdt.web.pages_audit import log_case_read, log_meeting_read
from openmdt.web.pages_case_view import case_page, outcome_form_defaults
from openmdt.web.pages_common import (
    PageUser,
    error_page,
    forbidden_page,
    login_redirect,
    may,
    render,
    service_error_page,
)
from openmdt.web.security import DbSession

router = APIRouter()


@router.get("/meetings/{meeting_id}/print", response_class=HTMLResponse)
def patients_print(meeting_id: int, request: Request, db: DbSession,
                   user: PageUser) -> Response:
    """The agenda as one page per patient, in agenda order (filtered as the agenda was)."""
    if user is None:
        return login_redirect(request)
    try:
        view = agenda_view(db, meeting_id, user, dict(request.query_params))
    except ServiceError as error:
        return service_error_page(request, user, error)
    log_meeting_read(db, user, meeting_id, "Patients, one page each (print)")
    return render(request, "agenda_print.html", user, agenda=view)


@router.get("/meetings/{meeting_id}/chair", response_class=HTMLResponse)
def chair_start(meeting_id: int, request: Request, db: DbSession, user: PageUser) -> Response:
    """The chair view opens at the case now discussed, else the first on the agenda."""
    if user is None:
        return login_redirect(request)
    try:
        view = agenda_view(db, meeting_id, user)
    except ServiceError as error:
        return service_error_page(request, user, error)
    first = view.now_discussing or (view.in_order[0] if view.in_order else None)
    if first is None:
        return error_page(request, user, 409, "Import the list of patients first.",
                          heading="This meeting has no patients yet")
    return RedirectResponse(f"/meetings/{meeting_id}/chair/{first.id}", status_code=303)


@router.get("/meetings/{meeting_id}/chair/{case_id}", response_class=HTMLResponse)
def chair_case(meeting_id: int, case_id: int, request: Request, db: DbSession,
               user: PageUser, done: str = "") -> Response:
    """One case at a time, large, in agenda order, with the outcome form beside it."""
    if user is None:
        return login_redirect(request)
    notice = "Outcome recorded." if done == "outcome" else ""
    log_case_read(db, user, case_id, "Chair view")
    return chair_page(request, db, user, meeting_id, case_id, notice=notice)


def chair_page(request: Request, db: Any, user: User, meeting_id: int, case_id: int, *,
               status_code: int = 200, outcome: dict[str, Any] | None = None,
               outcome_errors: dict[str, str] | None = None, notice: str = "") -> Response:
    """The chair view of one case (also re-shown with the outcome form's errors)."""
    try:
        view = agenda_view(db, meeting_id, user)
        case = service.get_case(db, case_id, user=user)
    except ServiceError as error:
        return service_error_page(request, user, error)
    if case.meeting_id != meeting_id or case.id not in view.numbers:
        return error_page(request, user, 404)
    previous, following = view.neighbours(case.id)
    return render(
        request, "chair.html", user, status_code=status_code, agenda=view, case=case,
        page=case_page(case), row=next(r for r in view.rows if r.id == case.id),
        previous=previous, following=following, back_to_chair=True,
        outcome=outcome or outcome_form_defaults(case), outcome_errors=outcome_errors or {},
        care_plan_intents=CARE_PLAN_INTENTS, treatment_types=PLANNED_TREATMENT_TYPES,
        deviation_reasons=DEVIATION_REASONS, notice=notice)


@router.post("/meetings/{meeting_id}/now-discussing", response_class=HTMLResponse)
async def now_discussing(meeting_id: int, request: Request, db: DbSession,
                         user: PageUser) -> Response:
    """Move the meeting to a case (the chair's next / previous): everyone's agenda shows it."""
    if user is None:
        return login_redirect(request)
    if not may(user, "prepare"):
        return forbidden_page(request, user, "prepare")
    form = await request.form()
    chosen = str(form.get("case_id", ""))
    case_id = int(chosen) if chosen.isdigit() else 0
    try:
        service.set_now_discussing(db, meeting_id, case_id, acting_user=user)
    except ServiceError as error:
        return service_error_page(request, user, error)
    return RedirectResponse(f"/meetings/{meeting_id}/chair/{case_id}", status_code=303)
