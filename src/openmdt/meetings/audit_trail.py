"""The audit trail for people: who did what and when, with names, filtered and exported;
and the log of reads of patient records (who viewed which case).

Rows come only from the reader's own organisation. Reads are written through the same
append-only, hash-chained trail as every change (`openmdt.store.audit.append_audit`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmdt.knowledge.words import humanise, time_words
from openmdt.meetings.access import AUDIT_ROLES, action, require_role
from openmdt.store.audit import append_audit
from openmdt.store.models import AuditEvent, Meeting, MeetingCase, User

__all__ = [
    "ACTION_LABELS",
    "READ_ACTIONS",
    "AuditFilter",
    "AuditLine",
    "audit_csv",
    "audit_lines",
    "record_case_read",
    "record_meeting_read",
]

# The actions in the words of the audit page (an action not listed reads as its name in words).
ACTION_LABELS = {
    "create_organisation": "Created the organisation",
    "create_user": "Created a user",
    "create_meeting": "Created a meeting",
    "import_cases": "Imported a meeting list",
    "update_facts": "Changed a patient's facts",
    "flag_case": "Flagged a patient for discussion",
    "record_outcome": "Recorded an MDT outcome",
    "amend_outcome": "Amended an MDT outcome",
    "confirm_standard_of_care": "Confirmed standard of care outcomes",
    "record_attendance": "Recorded attendance",
    "roll_over_case": "Moved a patient to another meeting",
    "remove_case": "Took a patient off a meeting's list",
    "restore_case": "Put a patient back on a meeting's list",
    "move_case": "Moved a patient up or down the agenda",
    "finalise_meeting": "Finalised a meeting",
    "view_case": "Viewed a patient's record",
    "view_meeting": "Viewed a meeting's patient list",
}
# Reads of patient records: in the audit trail, but not in a case's history of changes.
READ_ACTIONS = ("view_case", "view_meeting")
MAX_LINES_SHOWN = 500
MAX_LINES_EXPORTED = 100_000


@dataclass(frozen=True)
class AuditFilter:
    """What the auditor asked for: one case reference, one user, one action (None: all)."""

    case_ref: str | None = None
    user_id: int | None = None
    action: str | None = None


@dataclass(frozen=True)
class AuditLine:
    """One audit row as people read it."""

    event_id: int
    occurred_at: str  # ISO 8601, UTC, as stored (for the CSV)
    when: str  # e.g. "27 November 2026 at 14:05"
    who: str  # the user's name, or "The system"
    role: str
    action: str
    what: str  # the action in words
    case_ref: str | None
    patient_name: str | None
    meeting: str | None
    detail: str  # e.g. "page: GP letter"


@action
def record_case_read(session: Session, case: MeetingCase, *, acting_user: User,
                     what: str) -> None:
    """Log that `acting_user` viewed a patient's record (`what`: the page or document)."""
    append_audit(session, action="view_case", entity_type="case", entity_id=case.id,
                 details={"page": what}, acting_user=acting_user)


@action
def record_meeting_read(session: Session, meeting: Meeting, *, acting_user: User,
                        what: str) -> None:
    """Log that `acting_user` viewed a meeting's list of patients (agenda or summary)."""
    append_audit(session, action="view_meeting", entity_type="meeting", entity_id=meeting.id,
                 details={"page": what}, acting_user=acting_user)


def audit_lines(session: Session, *, user: User, filters: AuditFilter = AuditFilter(),
                limit: int = MAX_LINES_SHOWN) -> list[AuditLine]:
    """The organisation's audit rows matching `filters`, newest first (auditor and admin)."""
    require_role(user, AUDIT_ROLES)
    query = select(AuditEvent).where(AuditEvent.organisation_id == user.organisation_id)
    if filters.user_id is not None:
        query = query.where(AuditEvent.user_id == filters.user_id)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.case_ref:
        case_ids = select(MeetingCase.id).where(
            MeetingCase.organisation_id == user.organisation_id,
            MeetingCase.case_ref == filters.case_ref.strip())
        query = query.where(AuditEvent.entity_type == "case",
                            AuditEvent.entity_id.in_(case_ids))
    events = list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))
    return _lines(session, user, events)


def audit_users(session: Session, *, user: User) -> list[User]:
    """The organisation's users, by name, for the filter."""
    require_role(user, AUDIT_ROLES)
    query = select(User).where(User.organisation_id == user.organisation_id)
    return list(session.scalars(query.order_by(User.display_name)))


def audit_actions(session: Session, *, user: User) -> list[tuple[str, str]]:
    """The actions present in the organisation's trail, as (action, words), for the filter."""
    require_role(user, AUDIT_ROLES)
    query = select(AuditEvent.action).where(
        AuditEvent.organisation_id == user.organisation_id).distinct()
    names = set(session.scalars(query)) | set(ACTION_LABELS)
    return sorted(((name, action_words(name)) for name in names), key=lambda pair: pair[1])


def action_words(name: str) -> str:
    """An action in words."""
    return ACTION_LABELS.get(name) or humanise(name)


def _lines(session: Session, user: User, events: Sequence[AuditEvent]) -> list[AuditLine]:
    people = {u.id: u for u in session.scalars(
        select(User).where(User.organisation_id == user.organisation_id,
                           User.id.in_({e.user_id for e in events if e.user_id is not None})))}
    cases = _by_id(session, MeetingCase, user, [e.entity_id for e in events
                                                if e.entity_type == "case"])
    meetings = _by_id(session, Meeting, user, [e.entity_id for e in events
                                               if e.entity_type == "meeting"])
    return [_line(e, people.get(e.user_id), cases.get(e.entity_id) if e.entity_type == "case"
                  else None, meetings.get(e.entity_id) if e.entity_type == "meeting" else None)
            for e in events]


def _by_id(session: Session, model: Any, user: User, ids: Iterable[int | None]) -> dict:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    query = select(model).where(model.organisation_id == user.organisation_id,
                                model.id.in_(wanted))
    return {row.id: row for row in session.scalars(query)}


def _line(event: AuditEvent, person: User | None, case: MeetingCase | None,
          meeting: Meeting | None) -> AuditLine:
    if case is not None:
        meeting = case.meeting
    return AuditLine(
        event_id=event.id, occurred_at=event.occurred_at, when=time_words(event.occurred_at),
        who=person.display_name if person is not None else "The system",
        role=person.role if person is not None else "",
        action=event.action, what=action_words(event.action),
        case_ref=case.case_ref if case is not None else None,
        patient_name=str((case.patient or {}).get("name") or "") or None if case else None,
        meeting=meeting.title if meeting is not None else None,
        detail=_detail_words(event.details or {}),
    )


def _detail_words(details: dict[str, Any]) -> str:
    """The row's details as short "label: value" text (lists joined, nested values left out)."""
    parts = []
    for key, value in sorted(details.items()):
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if not isinstance(v, dict | list))
        if isinstance(value, dict) or value in (None, ""):
            continue
        parts.append(f"{humanise(key)}: {value}")
    return "; ".join(parts)


CSV_COLUMNS = ("Event", "When (UTC, ISO 8601)", "When", "Who", "Role", "Action", "What",
               "Case", "Patient", "Meeting", "Details")


def audit_csv(lines: Iterable[AuditLine]) -> str:
    """The lines as CSV, with a header row (cells that a spreadsheet would run as a formula
    are prefixed with an apostrophe)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        writer.writerow([_cell(v) for v in (
            line.event_id, line.occurred_at, line.when, line.who, line.role, line.action,
            line.what, line.case_ref or "", line.patient_name or "", line.meeting or "",
            line.detail)])
    return out.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
