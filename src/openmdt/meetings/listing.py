"""Running and changing a meeting's list: the case now discussed, a late patient, removing a
patient with a reason, and reordering. Named actions, each audited in its own transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from openmdt.meetings.access import (
    EDIT_ROLES,
    action,
    case_for,
    meeting_for,
    require_open,
    require_role,
)
from openmdt.meetings.actions import audit
from openmdt.store.errors import InvalidRequest
from openmdt.store.models import Meeting, MeetingCase, User

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
