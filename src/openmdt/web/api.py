"""The JSON API (/api/v1): parse the request, call one service function, shape the answer."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from openmdt import meetings
from openmdt.accounts import login
from openmdt.meetings.access import AUDIT_ROLES, DECIDE_ROLES, EDIT_ROLES, FLAG_ROLES, MAX_ID
from openmdt.meetings.audit_trail import record_case_read, record_meeting_read
from openmdt.meetings.evaluation import evaluation_json, pack_by_id
from openmdt.meetings.reads import MAX_AUDIT_PAGE, audit_event_json, case_summary, meeting_summary
from openmdt.store.audit import VerifiedHead, verify_audit_chain, verify_since
from openmdt.store.checkpoints import audit_key_from_env, record_checkpoint
from openmdt.store.errors import InvalidRequest, ServiceError
from openmdt.store.models import User
from openmdt.store.text_checks import require_clean_case, require_clean_text
from openmdt.web.security import (
    CurrentUser,
    DbSession,
    end_session,
    require_role,
    start_session,
)

router = APIRouter()
Editor = Annotated[User, Depends(require_role(*EDIT_ROLES))]
Flagger = Annotated[User, Depends(require_role(*FLAG_ROLES))]
Chair = Annotated[User, Depends(require_role(*DECIDE_ROLES))]
Auditor = Annotated[User, Depends(require_role(*AUDIT_ROLES))]
LIST_MEDIA_TYPES = {
    "text/csv": "csv",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/json": "json",
    "application/fhir+json": "fhir",
    "application/fhir+ndjson": "fhir",
}


class Body(BaseModel):
    """Request bodies reject unknown fields so typos are not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class LoginIn(Body):
    email: str
    password: str


class MeetingIn(Body):
    meeting_date: date
    mdt_type: str = Field(description="COSD CR3190 MDT meeting type, e.g. 1201")
    site_code: str = Field(description="ODS site code where the meeting takes place")
    pack_id: str
    title: str | None = None


class FactsIn(Body):
    facts: dict[str, Any] = Field(default_factory=dict)
    pathway_dates: dict[str, str | None] = Field(
        default_factory=dict, description="referral_date, first_seen_date, diagnosis_date, "
        "decision_to_treat_date, first_treatment_date (YYYY-MM-DD; null clears)")
    version: int | None = Field(None, description="the version you read (or send If-Match)")
    reason: str | None = None


class OutcomeIn(Body):
    chosen_options: list[str]
    care_plan_intent: str = Field(description="COSD CR0460")
    planned_treatment_types: list[str] = Field(description="COSD CR0470 codes")
    rationale: str
    deviation_code: str | None = Field(None, description="local code list, see /codes")
    deviation_text: str | None = None
    amendment_reason: str | None = Field(None, description="set to amend a recorded outcome")


class FlagIn(Body):
    note: str | None = None


class AttendeeIn(Body):
    name: str
    professional_role: str
    present: bool = True
    status: Literal["present", "remote", "absent"] | None = Field(
        None, description="present, remote or absent; when given it wins over `present`")


class AttendanceIn(Body):
    attendees: list[AttendeeIn]


RowId = Annotated[int, Field(ge=1, le=MAX_ID, description="a row id (1 to 2^63-1)")]


class ConfirmIn(Body):
    case_ids: list[RowId] | None = None


class FinaliseIn(Body):
    roll_over_to: RowId | None = None


class RollOverIn(Body):
    to_meeting_id: RowId
    reason: str | None = None


class NowDiscussingIn(Body):
    case_id: RowId


class LateCaseIn(Body):
    case_id: str = Field(min_length=1, max_length=100)
    site: str | None = None
    patient: dict[str, Any] = Field(default_factory=dict)
    facts: dict[str, Any] = Field(default_factory=dict)


class RemoveIn(Body):
    reason: str = Field(description="why the patient leaves the list (required)")


class MoveIn(Body):
    direction: Literal["up", "down"]


class EvaluateIn(Body):
    case: dict[str, Any]
    pack_id: str | None = None
    as_of: date | None = None
    detail: Literal["full", "summary"] = "full"


def _user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "organisation_id": user.organisation_id,
        "organisation": user.organisation.name,
    }


@router.get("/health", tags=["service"])
def health() -> dict[str, str]:
    """Liveness check (no database, no auth)."""
    return {"status": "ok"}


@router.post("/session", tags=["accounts"])
def sign_in(body: LoginIn, request: Request, response: Response, db: DbSession) -> dict:
    """Sign in with email and password; sets the session cookie and returns the CSRF token."""
    client_ip = request.client.host if request.client else "unknown"
    user = login(db, email=body.email, password=body.password, client_ip=client_ip)
    csrf = start_session(response, db, user, request)
    return {"user": _user_json(user), "csrf_token": csrf}


@router.delete("/session", status_code=204, tags=["accounts"])
def sign_out(request: Request, response: Response, db: DbSession, _user: CurrentUser) -> None:
    """Sign out (delete the session)."""
    end_session(response, db, request)


@router.get("/me", tags=["accounts"])
def me(user: CurrentUser) -> dict:
    """The signed-in user and organisation."""
    return _user_json(user)


@router.get("/codes", tags=["service"])
def code_lists(_user: CurrentUser) -> dict:
    """The code lists used by the meeting record (COSD items and local lists)."""
    from openmdt.meetings import codes
    from openmdt.meetings.quoracy import quorum_policy

    return {
        "mdt_types": codes.MDT_TYPES,
        "care_plan_intents": codes.CARE_PLAN_INTENTS,
        "planned_treatment_types": codes.PLANNED_TREATMENT_TYPES,
        "discussion_types": codes.DISCUSSION_TYPES,
        "deviation_reasons_local": codes.DEVIATION_REASONS,
        "professional_roles_local": codes.PROFESSIONAL_ROLES,
        "quorum_roles_local": {code: list(quorum_policy(code).roles)
                               for code in codes.MDT_TYPES},
    }


@router.post("/meetings", status_code=201, tags=["meetings"])
def create_meeting(body: MeetingIn, db: DbSession, user: Editor) -> dict:
    """Create a meeting."""
    meeting = meetings.create_meeting(db, acting_user=user, **body.model_dump())
    return meeting_summary(meeting)


@router.get("/meetings", tags=["meetings"])
def list_meetings(db: DbSession, user: CurrentUser) -> dict:
    """The organisation's meetings, newest first."""
    return {"meetings": [meeting_summary(m) for m in meetings.list_meetings(db, user=user)]}


@router.get("/meetings/{meeting_id}", tags=["meetings"])
def get_meeting(meeting_id: int, db: DbSession, user: CurrentUser) -> dict:
    """One meeting with its listed cases, attendance and quoracy."""
    meeting = meetings.get_meeting(db, meeting_id, user=user)
    record_meeting_read(db, meeting, acting_user=user, what="API meeting")
    return {
        **meeting_summary(meeting),
        "cases": [case_summary(case) for case in meeting.cases],
        "attendance": [
            {"name": a.name, "professional_role": a.professional_role, "present": a.present,
             "status": a.attendance_status}
            for a in meeting.attendance
        ],
        "quoracy": meetings.meeting_quoracy(db, meeting_id, user=user).to_dict(),
    }


def _list_format(request: Request) -> str:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in LIST_MEDIA_TYPES:
        raise InvalidRequest(
            f"Send the list as {', '.join(LIST_MEDIA_TYPES)} (got {media_type or 'nothing'}).",
            code="unsupported_media_type",
        )
    return LIST_MEDIA_TYPES[media_type]


LIST_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "application/fhir+json": {"schema": {"type": "object"}},
            "application/fhir+ndjson": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/meetings/{meeting_id}/cases", status_code=201, tags=["meetings"], openapi_extra=LIST_BODY_DOC
)
async def import_list(meeting_id: int, request: Request, db: DbSession, user: Editor) -> dict:
    """Import a meeting list; any bad line rejects the whole list (422 lists every bad line)."""
    fmt = _list_format(request)
    raw = await request.body()  # at most MAX_LIST_BYTES: BodyLimit refuses larger bodies
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidRequest("The list is not UTF-8 text.", code="invalid_encoding") from error
    from starlette.concurrency import run_in_threadpool

    cases = await run_in_threadpool(
        meetings.import_cases, db, meeting_id, text, fmt, acting_user=user, source="api"
    )
    return {"imported": len(cases), "case_ids": [case.id for case in cases]}


@router.get("/meetings/{meeting_id}/agenda", tags=["meetings"])
def agenda(meeting_id: int, db: DbSession, user: CurrentUser) -> dict:
    """The agenda: full discussion (with reasons), not ready (data requests), Standard of Care."""
    agenda = meetings.meeting_agenda(db, meeting_id, user=user)
    record_meeting_read(db, meetings.get_meeting(db, meeting_id, user=user), acting_user=user,
                        what="API agenda")
    return agenda


@router.post("/meetings/{meeting_id}/attendance", tags=["meetings"])
def attendance(meeting_id: int, body: AttendanceIn, db: DbSession, user: Editor) -> dict:
    """Record who attended (replaces the list); answers with quoracy."""
    attendees = [a.model_dump() for a in body.attendees]
    return meetings.record_attendance(db, meeting_id, attendees, acting_user=user).to_dict()


@router.post("/meetings/{meeting_id}/confirm-standard-of-care", tags=["meetings"])
def confirm_soc(meeting_id: int, db: DbSession, user: Chair, body: ConfirmIn | None = None) -> dict:
    """Confirm Standard of Care cases in bulk (COSD CR8110 = 2)."""
    case_ids = body.case_ids if body else None
    outcomes = meetings.confirm_standard_of_care(
        db, meeting_id, acting_user=user, case_ids=case_ids
    )
    return {"confirmed": len(outcomes), "case_ids": [o.case_id for o in outcomes]}


@router.post("/meetings/{meeting_id}/finalise", tags=["meetings"])
def finalise(meeting_id: int, db: DbSession, user: Chair, body: FinaliseIn | None = None) -> dict:
    """Finalise (lock) the meeting, optionally rolling undecided cases to a later meeting."""
    roll_over_to = body.roll_over_to if body else None
    meeting = meetings.finalise_meeting(db, meeting_id, acting_user=user, roll_over_to=roll_over_to)
    return meeting_summary(meeting)


@router.get("/cases/{case_id}", tags=["cases"])
def get_case(case_id: int, response: Response, db: DbSession, user: CurrentUser) -> dict:
    """A case: facts, evaluation (engine contract), versions, outcomes and history."""
    detail = meetings.case_detail(db, case_id, user=user)
    record_case_read(db, meetings.get_case(db, case_id, user=user), acting_user=user,
                     what="API case")
    response.headers["ETag"] = f'"{detail["version"]}"'
    return detail


@router.get("/cases/{case_id}/fhir", tags=["cases"], response_class=Response, responses={
    200: {"description": "A FHIR R4 Bundle: GuidanceResponse, RequestGroup, DetectedIssue, "
                         "CarePlan (when an outcome is recorded), Provenance",
          "content": {"application/fhir+json": {"schema": {"type": "object"}}}}})
def get_case_fhir(case_id: int, db: DbSession, user: CurrentUser) -> Response:
    """The case's evaluation (and recorded outcome) as a FHIR R4 Bundle."""
    from openmdt.interop.case_fhir import case_bundle

    bundle = case_bundle(db, case_id, user=user)
    return Response(content=bundle.model_dump_json(), media_type="application/fhir+json")


def _expected_version(if_match: str | None, body_version: int | None) -> int:
    if body_version is not None:
        return body_version
    if if_match:
        text = if_match.strip().removeprefix("W/").strip('"')
        if text.isdigit():
            return int(text)
    raise ServiceErrorVersionRequired()


class ServiceErrorVersionRequired(ServiceError):
    """A facts update must say which version it changes (If-Match or `version`)."""

    code = "version_required"
    status = 428
    title = "Precondition required"

    def __init__(self) -> None:
        super().__init__("Send the version you read as an If-Match header or a 'version' field.")


@router.patch("/cases/{case_id}/facts", tags=["cases"])
def update_facts(
    case_id: int,
    body: FactsIn,
    response: Response,
    db: DbSession,
    user: Editor,
    if_match: Annotated[str | None, Header()] = None,
) -> dict:
    """Change facts (validated, versioned, re-evaluated); 409 when the version is stale."""
    expected = _expected_version(if_match, body.version)
    meetings.update_facts(
        db, case_id, body.facts, expected_version=expected, acting_user=user, reason=body.reason,
        pathway_dates=body.pathway_dates,
    )
    return get_case(case_id, response, db, user)


@router.post("/cases/{case_id}/outcome", status_code=201, tags=["cases"])
def outcome(case_id: int, body: OutcomeIn, db: DbSession, user: Chair) -> dict:
    """Record the outcome, or amend it (new version) when `amendment_reason` is given."""
    fields = body.model_dump(exclude={"amendment_reason"})
    if body.amendment_reason is not None:
        meetings.amend_outcome(
            db, case_id, acting_user=user, reason=body.amendment_reason, **fields
        )
    else:
        meetings.record_outcome(db, case_id, acting_user=user, **fields)
    return meetings.case_detail(db, case_id, user=user)


@router.post("/cases/{case_id}/flag", tags=["cases"])
def flag(case_id: int, db: DbSession, user: Flagger, body: FlagIn | None = None) -> dict:
    """Flag a case as needing discussion (overrides a Standard of Care route)."""
    meetings.flag_case(db, case_id, acting_user=user, note=body.note if body else None)
    return meetings.case_detail(db, case_id, user=user)


@router.post("/cases/{case_id}/roll-over", status_code=201, tags=["cases"])
def roll_over(case_id: int, body: RollOverIn, db: DbSession, user: Editor) -> dict:
    """Roll an undecided case over to a later meeting; answers with the new case."""
    new_case = meetings.roll_over_case(
        db, case_id, to_meeting_id=body.to_meeting_id, acting_user=user, reason=body.reason
    )
    return meetings.case_detail(db, new_case.id, user=user)


@router.post("/meetings/{meeting_id}/now-discussing", tags=["meetings"])
def now_discussing(meeting_id: int, body: NowDiscussingIn, db: DbSession,
                   user: Editor) -> dict:
    """Mark the case the meeting is discussing now (shown on every attendee's agenda)."""
    meeting = meetings.set_now_discussing(db, meeting_id, body.case_id, acting_user=user)
    return meeting_summary(meeting)


@router.post("/meetings/{meeting_id}/late-cases", status_code=201, tags=["meetings"])
def late_case(meeting_id: int, body: LateCaseIn, db: DbSession, user: Editor) -> dict:
    """Add one patient after the list was imported (same checks as an import)."""
    case = meetings.add_late_case(db, meeting_id, body.model_dump(exclude_none=True),
                                  acting_user=user)
    return meetings.case_detail(db, case.id, user=user)


@router.post("/cases/{case_id}/remove", tags=["cases"])
def remove(case_id: int, body: RemoveIn, db: DbSession, user: Editor) -> dict:
    """Take an undecided patient off the meeting's list, with the reason."""
    meetings.remove_case(db, case_id, reason=body.reason, acting_user=user)
    return meetings.case_detail(db, case_id, user=user)


@router.post("/cases/{case_id}/restore", tags=["cases"])
def restore(case_id: int, db: DbSession, user: Editor) -> dict:
    """Put a patient taken off an open meeting's list back on it, in the place they had."""
    meetings.restore_case(db, case_id, acting_user=user)
    return meetings.case_detail(db, case_id, user=user)


@router.post("/cases/{case_id}/move", tags=["cases"])
def move(case_id: int, body: MoveIn, db: DbSession, user: Editor) -> dict:
    """Move a patient one place up or down within their agenda section."""
    meetings.move_case(db, case_id, direction=body.direction, acting_user=user)
    return meetings.case_detail(db, case_id, user=user)


@router.post("/evaluate", tags=["service"], response_class=Response, responses={
    200: {"description": "The evaluation (the engine's output contract)",
          "content": {"application/json": {"schema": {"type": "object"}}}}})
async def evaluate(body: EvaluateIn, _user: CurrentUser, db: DbSession) -> Response:
    """Evaluate one case against a pack without storing anything.

    The checks and the evaluation run in a worker thread: a large or slow case must never
    hold up the event loop, and with it every other request.
    """
    db.close()  # the caller is known; evaluating needs no database connection, so free it
    from starlette.concurrency import run_in_threadpool

    text = await run_in_threadpool(_evaluate_json, body)
    return Response(content=text, media_type="application/json")


def _evaluate_json(body: EvaluateIn) -> str:
    require_clean_case(body.case)
    require_clean_text(pack_id=body.pack_id)
    pack = pack_by_id(body.pack_id) if body.pack_id else _pack_for_case(body.case)
    return evaluation_json(pack, body.case, body.as_of or date.today(), body.detail)


def _pack_for_case(case: dict[str, Any]) -> Any:
    from openmdt.knowledge import pack_for_site

    site = case.get("site")
    if not site:
        raise InvalidRequest("Give pack_id or the case's site.", code="missing_pack_id")
    try:
        return pack_for_site(str(site))
    except LookupError as error:
        raise InvalidRequest(str(error), code="unknown_site") from error


@router.get("/audit", tags=["audit"])
def audit(
    request: Request,
    db: DbSession,
    user: Auditor,
    after_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_AUDIT_PAGE)] = 200,
) -> dict:
    """The organisation's audit trail, oldest first, and whether the chain verifies."""
    events = meetings.list_audit_events(db, user=user, after_id=after_id, limit=limit)
    chain_ok = _chain_ok(db, request.app.state)
    return {"events": [audit_event_json(e) for e in events], "chain_ok": chain_ok}


def _chain_ok(db: Any, state: Any) -> bool:
    """Verify only what is new: after the head this process verified last (kept in memory),
    else after the newest signed checkpoint, else from the first row; then checkpoint the
    verified head."""
    key = audit_key_from_env()
    head = getattr(state, "audit_head", None)
    if head is not None:
        result = verify_since(db, head)
    else:
        result = verify_audit_chain(db, key=key, incremental=True)
    if result.ok and result.last_id is not None and result.last_hash is not None:
        state.audit_head = VerifiedHead(result.last_id, result.last_hash, result.rows_checked)
    if record_checkpoint(db, result, key) is not None:
        db.commit()
    return result.ok
