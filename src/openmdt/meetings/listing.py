"""Running and changing a meeting's list: the case now discussed, a late patient, removing a
patient with a reason, and reordering. Named actions, each audited in its own transaction."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from openmdt.meetings.access import (
    EDIT_ROLES,
    action,
    case_for,
    meeting_for,
    require_open,
    require_role,
)
from openmdt.meetings.actions import audit, import_cases, lock_meeting
from openmdt.store.errors import InvalidRequest, WorkflowConflict
from openmdt.store.models import Meeting, MeetingCase, User
from openmdt.store.text_checks import require_clean_text

ON_THE_LIST = ("listed", "decided")  # statuses of a case the agenda shows


def _case_of_meeting(session: Session, meeting: Meeting, case_id: int,
                     user: User) -> MeetingCase:
    case = case_for(session, case_id, user)
    if case.meeting_id != meeting.id or case.status not in ON_THE_LIST:
        raise InvalidRequest(f"Case {case_id} is not on the list of meeting {meeting.id}.",
                             code="not_on_this_meeting")
    return case


@action
def set_now_discussing(session: Session, meeting_id: int, case_id: int, *,
                       acting_user: User) -> Meeting:
    """Mark the case the meeting is discussing now (shown on everyone's agenda)."""
    require_role(acting_user, EDIT_ROLES)
    meeting = meeting_for(session, meeting_id, acting_user)
    require_open(meeting)
    case = _case_of_meeting(session, meeting, case_id, acting_user)
    if meeting.now_discussing_case_id != case.id:
        meeting.now_discussing_case_id = case.id
        audit(session, acting_user, "set_now_discussing", "meeting", meeting.id,
              case_id=case.id)
    return meeting


LATE_SOURCE = "added late"  # the import source of a patient added to a listed meeting


def add_late_case(session: Session, meeting_id: int, case: dict[str, Any], *,
                  acting_user: User) -> MeetingCase:
    """Add one patient to a meeting after its list was imported: the same checks as an
    import (NHS number, the same patient twice, case id already listed) and the same
    audited action (`import_cases`, source "added late"); the patient goes to the end of
    the list and is evaluated like any other."""
    text = json.dumps(case, default=str)
    cases = import_cases(session, meeting_id, text, "jsonl", acting_user=acting_user,
                         source=LATE_SOURCE)
    return cases[0]


def added_late(case: MeetingCase) -> bool:
    """Whether the patient was added to the meeting after its list (by add_late_case)."""
    return bool(case.fact_versions) and case.fact_versions[0].reason == \
        f"imported from {LATE_SOURCE}"


def _undecided_on_open_meeting(session: Session, case_id: int, user: User) -> MeetingCase:
    require_role(user, EDIT_ROLES)
    case = case_for(session, case_id, user)
    require_open(case.meeting)
    if case.status != "listed" or case.outcomes:
        raise WorkflowConflict(
            f"Case {case.case_ref!r} is {case.status}; only a patient without an outcome "
            "can be taken off or moved on the list.", code="not_undecided")
    return case


@action
def remove_case(session: Session, case_id: int, *, reason: str,
                acting_user: User) -> MeetingCase:
    """Take an undecided patient off the meeting's list, with the reason (kept, audited);
    the record stays, shown under "Removed from this meeting"."""
    require_clean_text(free={"reason": reason})
    case = _undecided_on_open_meeting(session, case_id, acting_user)
    if not (reason or "").strip():
        raise InvalidRequest("Give the reason for removing the patient from the list.",
                             code="missing_removal_reason", path="reason")
    case.status = "removed"
    case.removal_reason = reason.strip()
    if case.meeting.now_discussing_case_id == case.id:
        case.meeting.now_discussing_case_id = None
    session.flush()
    audit(session, acting_user, "remove_case", "case", case.id, meeting_id=case.meeting_id,
          reason=case.removal_reason)
    return case


@action
def restore_case(session: Session, case_id: int, *, acting_user: User) -> MeetingCase:
    """Put a patient taken off an open meeting's list back on it, in the place they had
    (a removal made by mistake, or a patient who is back); audited with the reason they had
    been removed, which the record of the removal keeps."""
    require_role(acting_user, EDIT_ROLES)
    case = case_for(session, case_id, acting_user)
    require_open(case.meeting)
    if case.status != "removed":
        raise WorkflowConflict(f"Case {case.case_ref!r} is {case.status}, not removed from "
                               "the list.", code="not_removed")
    lock_meeting(session, case.meeting_id)
    reason, case.status, case.removal_reason = case.removal_reason, "listed", None
    session.flush()
    audit(session, acting_user, "restore_case", "case", case.id, meeting_id=case.meeting_id,
          removed_because=reason)
    return case


def _neighbour(case: MeetingCase, direction: str) -> MeetingCase | None:
    """The case just before or after in the same agenda section (route), by position."""
    same = [other for other in case.meeting.cases
            if other.route == case.route and other.status in ON_THE_LIST]
    same.sort(key=lambda other: other.position)
    index = same.index(case)
    step = -1 if direction == "up" else 1
    if 0 <= index + step < len(same):
        return same[index + step]
    return None


@action
def move_case(session: Session, case_id: int, *, direction: str,
              acting_user: User) -> MeetingCase:
    """Move a patient one place up or down within their section of the agenda."""
    require_role(acting_user, EDIT_ROLES)
    if direction not in ("up", "down"):
        raise InvalidRequest(f"Move {direction!r}: allowed up or down.",
                             code="invalid_direction", allowed=["up", "down"])
    case = case_for(session, case_id, acting_user)
    require_open(case.meeting)
    if case.status not in ON_THE_LIST:
        raise WorkflowConflict(f"Case {case.case_ref!r} is {case.status}, not on the agenda.",
                               code="not_on_the_agenda")
    lock_meeting(session, case.meeting_id)
    other = _neighbour(case, direction)
    if other is None:
        return case  # already first (or last) of its section: nothing to change
    mine, theirs = case.position, other.position
    case.position = -1 - case.id  # free the position: (meeting, position) is unique
    session.flush()
    other.position = mine
    session.flush()
    case.position = theirs
    session.flush()
    audit(session, acting_user, "move_case", "case", case.id, meeting_id=case.meeting_id,
          direction=direction, from_position=mine, to_position=theirs, swapped_with=other.id)
    return case
