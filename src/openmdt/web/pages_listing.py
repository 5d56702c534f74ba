"""Changing a meeting's list from the pages: a late patient, removing one with a reason,
moving one to another meeting (roll-over) and reordering. Each calls one audited action."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openmdt import meetings as service
from openmdt.cases.columns import list_template
from openmdt.store.errors import ImportRejected, ServiceError
from openmdt.store.models import User
from openmdt.web.pages_agenda import pack_text
from openmdt.web.pages_common import (
    PageUser,
    error_page,
    forbidden_page,
    login_redirect,
    may,
    service_error_page,
)
from openmdt.web.pages_documents import content_disposition
from openmdt.web.security import DbSession

router = APIRouter()

LATE_FIELDS = ("case_id", "patient_name", "nhs_number", "date_of_birth", "mdt_question")
QUESTION_ITEM = "mdt_question"  # the pack's free-text question for the MDT, when it has one


def late_case(form: dict[str, str]) -> dict[str, Any]:
    """The case a late-patient form describes (facts are entered on the case page)."""
    patient = {key: form[field] for field, key in (
        ("patient_name", "name"), ("nhs_number", "nhs_number"),
        ("date_of_birth", "date_of_birth")) if form.get(field)}
    facts = {QUESTION_ITEM: form[QUESTION_ITEM]} if form.get(QUESTION_ITEM) else {}
    return {"case_id": form.get("case_id", ""), "patient": patient, "facts": facts}


def _late_problems(rejected: ImportRejected) -> str:
    errors = getattr(rejected, "errors", None) or rejected.extra.get("errors") or []
    return " ".join(str(e.get("message")) for e in errors) or rejected.detail


@router.post("/meetings/{meeting_id}/late-patient", response_class=HTMLResponse)
async def add_late_patient(meeting_id: int, request: Request, db: DbSession,
                           user: PageUser) -> Response:
    """Add one patient to the list after it was imported; then enter the facts."""
    from openmdt.web.pages_meetings import agenda_again

    if user is None:
        return login_redirect(request)
    if not may(user, "prepare"):
        return forbidden_page(request, user, "prepare")
    submitted = await request.form()
    form = {name: str(submitted.get(name, "")).strip() for name in LATE_FIELDS}
    if not form["case_id"]:
        return agenda_again(request, db, user, meeting_id, late_form=form,
                            late_error="Enter the case reference of the patient to add.")
    try:
        case = service.add_late_case(db, meeting_id, late_case(form), acting_user=user)
    except ImportRejected as rejected:
        return agenda_again(request, db, user, meeting_id, late_form=form,
                            late_error=_late_problems(rejected))
    except ServiceError as error:
        if error.status == 404:
            return service_error_page(request, user, error)
        return agenda_again(request, db, user, meeting_id, late_form=form,
                            late_error=error.detail, status_code=error.status)
    return RedirectResponse(f"/cases/{case.id}?done=added#facts", status_code=303)


@router.post("/cases/{case_id}/move", response_class=HTMLResponse)
async def move_on_agenda(case_id: int, request: Request, db: DbSession,
                         user: PageUser) -> Response:
    """Move a patient one place up or down within their agenda section."""
    if user is None:
        return login_redirect(request)
    if not may(user, "prepare"):
        return forbidden_page(request, user, "prepare")
    form = await request.form()
    try:
        case = service.move_case(db, case_id, direction=str(form.get("direction", "")),
                                 acting_user=user)
    except ServiceError as error:
        return service_error_page(request, user, error)
    return RedirectResponse(f"/meetings/{case.meeting_id}#case-{case.id}", status_code=303)


@router.post("/cases/{case_id}/remove", response_class=HTMLResponse)
async def remove_from_list(case_id: int, request: Request, db: DbSession,
                           user: PageUser) -> Response:
    """Take a patient off the meeting's list, with the reason."""
    if user is None:
        return login_redirect(request)
    if not may(user, "prepare"):
        return forbidden_page(request, user, "prepare")
    form = await request.form()
    reason = str(form.get("reason", "")).strip()
    try:
        case = service.remove_case(db, case_id, reason=reason, acting_user=user)
    except ServiceError as error:
        return _case_again(request, db, user, case_id, error, remove_error=error.detail,
                           remove_reason=reason)
    return RedirectResponse(f"/meetings/{case.meeting_id}?done=removed#removed",
                            status_code=303)


@router.post("/cases/{case_id}/restore", response_class=HTMLResponse)
def restore_to_list(case_id: int, request: Request, db: DbSession, user: PageUser
                    ) -> Response:
    """Put a patient taken off the list back on it (from "Removed from this meeting")."""
    if user is None:
        return login_redirect(request)
    if not may(user, "prepare"):
        return forbidden_page(request, user, "prepare")
    try:
        case = service.restore_case(db, case_id, acting_user=user)
    except ServiceError as error:
        return service_error_page(request, user, error)
    return RedirectResponse(f"/meetings/{case.meeting_id}?done=restored#case-{case.id}",
                            status_code=303)


@router.post("/cases/{case_id}/roll-over", response_class=HTMLResponse)
async def move_to_meeting(case_id: int, request: Request, db: DbSession,
                          user: PageUser) -> Response:
    """Move an undecided patient to a later meeting (roll-over); open them there."""
    if user is None:
        return login_redirect(request)
    if not may(user, "prepare"):
        return forbidden_page(request, user, "prepare")
    form = await request.form()
    chosen = str(form.get("to_meeting_id", "")).strip()
    reason = str(form.get("reason", "")).strip() or None
    if not chosen.isdigit():
        return _case_again(request, db, user, case_id, None, roll_over_reason=reason or "",
                           roll_over_error="Choose the meeting to move the patient to.")
    try:
        moved = service.roll_over_case(db, case_id, to_meeting_id=int(chosen),
                                       acting_user=user, reason=reason)
    except ServiceError as error:
        return _case_again(request, db, user, case_id, error, roll_over_error=error.detail,
                           roll_over_reason=reason or "")
    return RedirectResponse(f"/cases/{moved.id}?done=moved", status_code=303)


def _case_again(request: Request, db: Any, user: User, case_id: int,
                error: ServiceError | None, **context: Any) -> Response:
    from openmdt.web.pages_cases import render_case

    if error is not None and error.status in (403, 404):
        return service_error_page(request, user, error)
    status = error.status if error is not None else 422
    return render_case(request, db, user, case_id, status_code=status, **context)


@router.get("/meetings/{meeting_id}/list-template.csv")
def list_template_csv(meeting_id: int, request: Request, db: DbSession,
                      user: PageUser) -> Response:
    """A CSV template of the meeting list with the meeting's pack's columns and labels."""
    if user is None:
        return login_redirect(request)
    try:
        meeting = service.get_meeting(db, meeting_id, user=user)
    except ServiceError as error:
        return service_error_page(request, user, error)
    pack = pack_text(meeting.pack_id).pack
    if pack is None:
        return error_page(request, user, 409, f"The knowledge pack {meeting.pack_id} is not "
                                              "available on this server.")
    filename = f"meeting-list-template-{pack.id}-{pack.version}.csv"
    return Response(list_template(pack.items), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": content_disposition(filename)
                             .replace("inline", "attachment", 1)})
