"""Reads of the meeting record, shaped as the JSON the API and pages show (tenant-scoped)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmdt.meetings import codes
from openmdt.meetings.access import (
    AUDIT_ROLES,
    MAX_ID,
    READ_ROLES,
    case_for,
    meeting_for,
    require_role,
)
from openmdt.meetings.audit_trail import READ_ACTIONS
from openmdt.meetings.evaluation import (
    data_requests,
    pack_by_id,
    recommended_options,
    route_reasons,
    standard_of_care,
)
from openmdt.meetings.quoracy import Quoracy, quoracy_of
from openmdt.store.errors import InvalidRequest
from openmdt.store.models import AuditEvent, Meeting, MeetingCase, Outcome, User

ROUTES = ("full_discussion", "not_ready", "standard_of_care")


def list_meetings(session: Session, *, user: User) -> list[Meeting]:
    """The organisation's meetings, newest first."""
    require_role(user, READ_ROLES)
    query = select(Meeting).where(Meeting.organisation_id == user.organisation_id)
    return list(session.scalars(query.order_by(Meeting.meeting_date.desc(), Meeting.id.desc())))


def later_open_meetings(session: Session, meeting: Meeting, *, user: User) -> list[Meeting]:
    """Open meetings of the organisation on or after this one's date (not itself): where an
    undecided patient can be moved (rolled over)."""
    return [other for other in list_meetings(session, user=user)
            if other.id != meeting.id and not other.finalised
            and other.meeting_date >= meeting.meeting_date]


def get_meeting(session: Session, meeting_id: int, *, user: User) -> Meeting:
    """One meeting of the user's organisation (NotFound for any other)."""
    require_role(user, READ_ROLES)
    return meeting_for(session, meeting_id, user)


def get_case(session: Session, case_id: int, *, user: User) -> MeetingCase:
    """One listed case of the user's organisation (NotFound for any other)."""
    require_role(user, READ_ROLES)
    return case_for(session, case_id, user)


def meeting_quoracy(session: Session, meeting_id: int, *, user: User) -> Quoracy:
    """Whether the meeting's recorded attendance is quorate."""
    return quoracy_of(get_meeting(session, meeting_id, user=user))


def meeting_summary(meeting: Meeting) -> dict[str, Any]:
    """The meeting's own fields as JSON."""
    return {
        "id": meeting.id,
        "title": meeting.title,
        "meeting_date": meeting.meeting_date.isoformat(),
        "mdt_type": meeting.mdt_type,
        "mdt_type_label": codes.MDT_TYPES.get(meeting.mdt_type),
        "site_code": meeting.site_code,
        "pack_id": meeting.pack_id,
        "status": meeting.status,
        "case_count": len(meeting.cases),
        "now_discussing_case_id": meeting.now_discussing_case_id,
        "finalised_at": meeting.finalised_at.isoformat() if meeting.finalised_at else None,
    }


def outcome_summary(outcome: Outcome | None) -> dict[str, Any] | None:
    """One outcome version as JSON (codes with their COSD labels)."""
    if outcome is None:
        return None
    return {
        "version": outcome.version,
        "discussion_type": outcome.discussion_type,
        "discussion_type_label": codes.DISCUSSION_TYPES.get(outcome.discussion_type),
        "chosen_options": outcome.chosen_options,
        "recommended_options": outcome.recommended_options,
        "concordant": outcome.concordant,
        "care_plan_intent": outcome.care_plan_intent,
        "planned_treatment_types": outcome.planned_treatment_types,
        "rationale": outcome.rationale,
        "deviation_code": outcome.deviation_code,
        "deviation_text": outcome.deviation_text,
        "amendment_reason": outcome.amendment_reason,
        "fact_version": outcome.fact_version,
        "recorded_by_id": outcome.recorded_by_id,
        "recorded_at": outcome.recorded_at.isoformat(),
    }


def _reasons(case: MeetingCase) -> list[Any]:
    reasons = list(route_reasons(case.current_evaluation))
    if case.flagged:
        reasons.insert(0, f"flagged for discussion by {case.flagged_by_role}")
    return reasons


def case_summary(case: MeetingCase, minutes_per_case: float | None = None) -> dict[str, Any]:
    """One line of the agenda: route, reasons, data requests, Standard of Care, outcome."""
    evaluation = case.current_evaluation
    pack = pack_by_id(case.meeting.pack_id)
    if minutes_per_case is None:
        minutes_per_case = float(pack.minutes_per_case or 0.0)
    return {
        "id": case.id,
        "case_ref": case.case_ref,
        "meeting_id": case.meeting_id,
        "position": case.position,
        "site": case.site,
        "patient": case.patient,
        "route": case.route,
        "engine_route": case.current_fact_version.route,
        "flagged": case.flagged,
        "flagged_by_role": case.flagged_by_role,
        "flag_note": case.flag_note,
        "status": case.status,
        "version": case.version,
        "rollover_count": case.rollover_count,
        "rolled_over_to_meeting_id": case.rolled_over_to_meeting_id,
        "removal_reason": case.removal_reason,
        "reasons": _reasons(case),
        "data_requests": data_requests(evaluation),
        "standard_of_care": standard_of_care(evaluation, pack),
        "recommended_options": recommended_options(evaluation),
        "minutes": minutes_per_case if case.route == "full_discussion" else 0.0,
        "outcome": outcome_summary(case.current_outcome),
    }


def meeting_agenda(session: Session, meeting_id: int, *, user: User) -> dict[str, Any]:
    """The agenda: full discussion first (with reasons), then not ready, then Standard of Care."""
    require_role(user, READ_ROLES)
    meeting = meeting_for(session, meeting_id, user, with_cases=True)
    minutes = float(getattr(pack_by_id(meeting.pack_id), "minutes_per_case", 0.0) or 0.0)
    sections: dict[str, list[dict[str, Any]]] = {route: [] for route in ROUTES}
    listed = [case for case in meeting.cases if case.status != "removed"]
    for case in listed:
        sections.setdefault(case.route or "not_ready", []).append(case_summary(case, minutes))
    counts = {route: len(sections[route]) for route in ROUTES}
    counts["total"] = len(listed)
    counts["decided"] = sum(case.status == "decided" for case in meeting.cases)
    counts["rolled_over"] = sum(case.status == "rolled_over" for case in meeting.cases)
    counts["removed"] = len(meeting.cases) - len(listed)
    return {
        "meeting": meeting_summary(meeting),
        "counts": counts,
        "minutes_per_case": minutes,
        "estimated_minutes": round(counts["full_discussion"] * minutes, 1),
        "quoracy": quoracy_of(meeting).to_dict(),
        **sections,
        "cases": [case for route in ROUTES for case in sections[route]],
        "removed": [case_summary(case, minutes) for case in meeting.cases
                    if case.status == "removed"],
    }


def _fact_version_json(version: Any) -> dict[str, Any]:
    return {
        "version": version.version,
        "facts": version.facts,
        "pathway_dates": version.pathway_dates or {},
        "reason": version.reason,
        "route": version.route,
        "pack_id": version.pack_id,
        "pack_version": version.pack_version,
        "pack_hash": version.pack_hash,
        "created_by_id": version.created_by_id,
        "created_at": version.created_at.isoformat(),
    }


def _history(session: Session, case: MeetingCase) -> list[dict[str, Any]]:
    query = select(AuditEvent).where(
        AuditEvent.entity_type == "case",
        AuditEvent.entity_id == case.id,
        AuditEvent.organisation_id == case.organisation_id,
        AuditEvent.action.not_in(READ_ACTIONS),  # reads are in the audit trail, not history
    )
    return [audit_event_json(event) for event in session.scalars(query.order_by(AuditEvent.id))]


def case_detail(session: Session, case_id: int, *, user: User) -> dict[str, Any]:
    """A case with its facts, evaluation (engine contract), versions, outcomes and history."""
    case = get_case(session, case_id, user=user)
    detail = case_summary(case)
    detail.update(
        facts=case.current_facts,
        pathway_dates=case.current_pathway_dates,
        evaluation=case.current_evaluation,
        fact_versions=[_fact_version_json(v) for v in case.fact_versions],
        outcomes=[outcome_summary(o) for o in case.outcomes],
        rolled_over_from_id=case.rolled_over_from_id,
        history=_history(session, case),
    )
    return detail


def audit_event_json(event: AuditEvent) -> dict[str, Any]:
    """One audit row as JSON."""
    return {
        "id": event.id,
        "occurred_at": event.occurred_at,
        "user_id": event.user_id,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "details": event.details,
        "prev_hash": event.prev_hash,
        "row_hash": event.row_hash,
    }


MAX_AUDIT_PAGE = 1_000


def list_audit_events(
    session: Session, *, user: User, after_id: int = 0, limit: int = 200
) -> list[AuditEvent]:
    """The organisation's audit rows in order (auditor and admin only)."""
    require_role(user, AUDIT_ROLES)
    if not 0 <= after_id <= MAX_ID:
        raise InvalidRequest(f"after_id must be between 0 and {MAX_ID}, not {after_id}.",
                             code="invalid_after_id", field="after_id")
    if not 1 <= limit <= MAX_AUDIT_PAGE:
        raise InvalidRequest(f"limit must be between 1 and {MAX_AUDIT_PAGE}, not {limit}.",
                             code="invalid_limit", field="limit")
    query = select(AuditEvent).where(
        AuditEvent.organisation_id == user.organisation_id, AuditEvent.id > after_id
    )
    return list(session.scalars(query.order_by(AuditEvent.id).limit(limit)))
