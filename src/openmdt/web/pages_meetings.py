"""Meeting pages: the list of meetings, creating one, and the agenda with its actions."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from openmdt import meetings as service
from openmdt.meetings.codes import MDT_TYPES, PROFESSIONAL_ROLES
from openmdt.meetings.quoracy import ATTENDANCE_STATUSES
from openmdt.store.errors import ImportRejected, ServiceError, WorkflowConflict
from openmdt.store.models import User
from openmdt.web.agenda_filter import OUTCOME_CHOICES
from openmdt.web.pages_agenda import agenda_view, available_packs, pack_text
from openmdt.web.pages_attendance import attendance_entry
from openmdt.web.pages_audit import log_meeting_read
from openmdt.web.pages_common import (
    PageUser,
    forbidden_page,
    login_redirect,
    may,
    render,
    service_error_page,
)
from openmdt.web.pages_listing import QUESTION_ITEM
from openmdt.web.pages_views import ROUTE_LABELS
from openmdt.web.security import DbSession

router = APIRouter()

NOTICES = {
    "created": "Meeting created. Import the list of patients next.",
    "imported": "The list was imported and every case evaluated.",
    "attendance": "Attendance saved.",
    "core_member_removed": "Removed from the core members of this MDT type.",
    "removed": "The patient was taken off the list; the reason is kept below.",
    "restored": "The patient is back on the list, in the place they had.",
    "confirmed": "Standard of care outcomes recorded for the selected patients.",
    "finalised": "The meeting is finalised. Its record is now locked.",
}


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    """The service's front door is the list of meetings."""
    return RedirectResponse("/meetings", status_code=303)


@router.get("/meetings", response_class=HTMLResponse)
def meetings_page(request: Request, db: DbSession, user: PageUser) -> Response:
    """Every meeting of the user's organisation, newest first, and the form to create one."""
    if user is None:
        return login_redirect(request)
    return _meetings_page(request, db, user, form={}, errors={})


def _meetings_page(
    request: Request, db: Any, user: User, *, form: dict[str, str], errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    found = sorted(
        service.list_meetings(db, user=user), key=lambda m: (m.meeting_date, m.id), reverse=True
    )
    return render(
        request, "meetings.html", user, status_code=status_code, meetings=found,
        mdt_types=MDT_TYPES, packs=available_packs(), form=form, errors=errors,
    )


def _meeting_form_errors(form: dict[str, str], packs: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    try:
        date.fromisoformat(form["meeting_date"])
    except ValueError:
        errors["meeting_date"] = "Enter the meeting date, for example 2026-11-27"
    if form["mdt_type"] not in MDT_TYPES:
        errors["mdt_type"] = "Select the MDT type (COSD CR3190)"
    if not form["site_code"].strip():
        errors["site_code"] = "Enter the site code where the meeting takes place"
    if form["pack_id"] not in packs:
        errors["pack_id"] = "Select the knowledge pack"
    return errors


@router.post("/meetings", response_class=HTMLResponse)
def create_meeting(
    request: Request,
    db: DbSession,
    user: PageUser,
    meeting_date: Annotated[str, Form()] = "",
    mdt_type: Annotated[str, Form()] = "",
    site_code: Annotated[str, Form()] = "",
    pack_id: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
) -> Response:
    """Create a meeting and open its agenda."""
    if user is None:
        return login_redirect(request)
    if not may(user, "prepare"):
        return forbidden_page(request, user, "prepare")
    form = {"meeting_date": meeting_date, "mdt_type": mdt_type, "site_code": site_code,
            "pack_id": pack_id, "title": title}
    errors = _meeting_form_errors(form, available_packs())
    if errors:
        return _meetings_page(request, db, user, form=form, errors=errors, status_code=422)
    try:
        meeting = service.create_meeting(
            db, acting_user=user, meeting_date=date.fromisoformat(meeting_date),
            mdt_type=mdt_type, site_code=site_code.strip(), pack_id=pack_id,
            title=title.strip() or None,
        )
    except ServiceError as error:
        errors = {"meeting_date": error.detail}
        return _meetings_page(request, db, user, form=form, errors=errors, status_code=422)
    return RedirectResponse(f"/meetings/{meeting.id}?done=created", status_code=303)


@router.get("/meetings/{meeting_id}", response_class=HTMLResponse)
def agenda_page(
    meeting_id: int, request: Request, db: DbSession, user: PageUser, done: str = ""
) -> Response:
    """The agenda: three sections, counts, attendance, and the coordinator's and chair's actions."""
    if user is None:
        return login_redirect(request)
    log_meeting_read(db, user, meeting_id, "Agenda")
    return _agenda(request, db, user, meeting_id, notice=NOTICES.get(done, ""),
                   query=dict(request.query_params))


@router.get("/meetings/{meeting_id}/now-discussing")
def now_discussing_state(meeting_id: int, db: DbSession, user: PageUser) -> Response:
    """Which listed case the chair is on now, ``{"case_id": n | null, "open": bool}``: the
    agenda polls it to follow the chair without reloading. Nothing about the patient is
    sent (the agenda already shows its own rows), so it is not logged as a read."""
    if user is None:
        return JSONResponse({"detail": "Sign in to follow the meeting."}, status_code=401)
    try:
        meeting = service.get_meeting(db, meeting_id, user=user)
    except ServiceError as error:
        return JSONResponse({"detail": error.detail}, status_code=error.status)
    return JSONResponse({"case_id": meeting.now_discussing_case_id,
                         "open": not meeting.finalised},
                        headers={"Cache-Control": "no-store"})


def _agenda(
    request: Request, db: Any, user: User, meeting_id: int, *, status_code: int = 200,
    query: dict[str, str] | None = None, **context: Any,
) -> Response:
    try:
        view = agenda_view(db, meeting_id, user, query)
    except ServiceError as error:
        return service_error_page(request, user, error)
    return render(
        request, "agenda.html", user, status_code=status_code, agenda=view,
        professional_roles=PROFESSIONAL_ROLES, attendance_statuses=ATTENDANCE_STATUSES,
        route_labels=ROUTE_LABELS, outcome_choices=OUTCOME_CHOICES,
        later_meetings=service.later_open_meetings(db, view.meeting, user=user),
        question_item=pack_text(view.meeting.pack_id).items.get(QUESTION_ITEM), **context,
    )


def agenda_again(request: Request, db: Any, user: User, meeting_id: int, *,
                 status_code: int = 422, **context: Any) -> Response:
    """The agenda shown again with a refused form's message and input."""
    return _agenda(request, db, user, meeting_id, status_code=status_code, **context)


@router.post("/meetings/{meeting_id}/import", response_class=HTMLResponse)
async def import_list(
    meeting_id: int,
    request: Request,
    db: DbSession,
    user: PageUser,
    list_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Import a meeting list (CSV, JSONL or FHIR): all or nothing, every bad line shown."""
    if user is None:
        return login_redirect(request)
    if not may(user, "prepare"):
        return forbidden_page(request, user, "prepare")
    if list_file is None or not list_file.filename:
        return _agenda(request, db, user, meeting_id, status_code=422,
                       import_error="Choose a CSV or JSONL file to import.")
    raw = await list_file.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _agenda(request, db, user, meeting_id, status_code=422,
                       import_error="The file is not UTF-8 text. Save it as CSV (UTF-8).")
    fmt = _list_format(list_file.filename, text)
    try:
        service.import_cases(db, meeting_id, text, fmt, acting_user=user,
                             source=list_file.filename)
    except ImportRejected as rejected:
        return _agenda(request, db, user, meeting_id, status_code=422,
                       import_rejected=_rejected_lines(rejected), import_file=list_file.filename)
    except ServiceError as error:
        if error.status == 404:
            return service_error_page(request, user, error)
        return _agenda(request, db, user, meeting_id, status_code=error.status,
                       import_error=error.detail)
    return RedirectResponse(f"/meetings/{meeting_id}?done=imported", status_code=303)


def _list_format(filename: str, text: str) -> str:
    from openmdt.cases import detect_format
    from openmdt.interop.fhir_records import looks_like_fhir

    return "fhir" if looks_like_fhir(text) else detect_format(text, filename)


def _rejected_lines(rejected: ImportRejected) -> list[dict[str, Any]]:
    errors = getattr(rejected, "errors", None) or rejected.extra.get("errors") or []
    return sorted(errors, key=lambda e: (e.get("line") or 0))


@router.post("/meetings/{meeting_id}/attendance", response_class=HTMLResponse)
async def save_attendance(
    meeting_id: int, request: Request, db: DbSession, user: PageUser
) -> Response:
    """Record who attended (core members and others: present, remote or absent) for the
    quoracy check; ticked "Core member" rows join the MDT type's core members."""
    if user is None:
        return login_redirect(request)
    if not may(user, "prepare"):
        return forbidden_page(request, user, "prepare")
    try:
        meeting = service.get_meeting(db, meeting_id, user=user)
        members = service.core_members(db, meeting.mdt_type, user=user)
    except ServiceError as error:
        return service_error_page(request, user, error)
    form = await request.form()
    entry = attendance_entry(form, members)
    if entry.problem:
        return _agenda(request, db, user, meeting_id, status_code=422,
                       attendance_error=entry.problem)
    try:
        for person in entry.new_core_members:
            _add_core_member(db, meeting.mdt_type, person, user)
        service.record_attendance(db, meeting_id, entry.attendees, acting_user=user)
    except ServiceError as error:
        if error.status == 404:
            return service_error_page(request, user, error)
        return _agenda(request, db, user, meeting_id, status_code=error.status,
                       attendance_error=error.detail)
    return RedirectResponse(f"/meetings/{meeting_id}?done=attendance#attendance",
                            status_code=303)


def _add_core_member(db: Any, mdt_type: str, person: dict[str, Any], user: User) -> None:
    try:
        service.add_core_member(db, mdt_type, person["name"], person["professional_role"],
                                acting_user=user)
    except WorkflowConflict as error:
        if error.code != "already_core_member":
            raise


@router.post("/meetings/{meeting_id}/core-members/{member_id}/remove",
             response_class=HTMLResponse)
async def remove_core_member(
    meeting_id: int, member_id: int, request: Request, db: DbSession, user: PageUser
) -> Response:
    """Take a person off the core members of the meeting's MDT type."""
    if user is None:
        return login_redirect(request)
    if not may(user, "prepare"):
        return forbidden_page(request, user, "prepare")
    try:
        service.get_meeting(db, meeting_id, user=user)
        service.remove_core_member(db, member_id, acting_user=user)
    except ServiceError as error:
        return service_error_page(request, user, error)
    return RedirectResponse(f"/meetings/{meeting_id}?done=core_member_removed#attendance",
                            status_code=303)


@router.post("/meetings/{meeting_id}/confirm-standard-of-care", response_class=HTMLResponse)
async def confirm_standard_of_care(
    meeting_id: int, request: Request, db: DbSession, user: PageUser
) -> Response:
    """The chair confirms the standard-of-care outcome for the ticked patients in one step."""
    if user is None:
        return login_redirect(request)
    if not may(user, "decide"):
        return forbidden_page(request, user, "decide")
    form = await request.form()
    case_ids = [int(v) for v in form.getlist("case_id") if str(v).isdigit()]
    if not case_ids:
        return _agenda(request, db, user, meeting_id, status_code=422,
                       confirm_error="Select at least one patient to confirm.")
    try:
        service.confirm_standard_of_care(db, meeting_id, acting_user=user, case_ids=case_ids)
    except ServiceError as error:
        if error.status == 404:
            return service_error_page(request, user, error)
        return _agenda(request, db, user, meeting_id, status_code=error.status,
                       confirm_error=error.detail)
    return RedirectResponse(f"/meetings/{meeting_id}?done=confirmed", status_code=303)


@router.post("/meetings/{meeting_id}/finalise", response_class=HTMLResponse)
async def finalise_meeting(
    meeting_id: int, request: Request, db: DbSession, user: PageUser
) -> Response:
    """The chair finalises the meeting, locking its record; undecided patients roll over to
    the later meeting chosen in the form."""
    if user is None:
        return login_redirect(request)
    if not may(user, "decide"):
        return forbidden_page(request, user, "decide")
    form = await request.form()
    chosen = str(form.get("roll_over_to", "")).strip()
    roll_over_to = int(chosen) if chosen.isdigit() else None
    try:
        service.finalise_meeting(db, meeting_id, acting_user=user, roll_over_to=roll_over_to)
    except ServiceError as error:
        if error.status == 404:
            return service_error_page(request, user, error)
        return _agenda(request, db, user, meeting_id, status_code=error.status,
                       finalise_error=error.detail)
    return RedirectResponse(f"/meetings/{meeting_id}?done=finalised", status_code=303)
