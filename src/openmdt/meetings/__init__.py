"""The meeting workflow: named actions (audited, one transaction each) and tenant-scoped reads."""

from openmdt.meetings.actions import (
    amend_outcome,
    confirm_standard_of_care,
    create_meeting,
    finalise_meeting,
    flag_case,
    import_cases,
    record_outcome,
    roll_over_case,
    update_facts,
)
from openmdt.meetings.attendance import (
    add_core_member,
    core_members,
    record_attendance,
    remove_core_member,
)
from openmdt.meetings.listing import (
    add_late_case,
    move_case,
    remove_case,
    restore_case,
    set_now_discussing,
)
from openmdt.meetings.quoracy import Quoracy
from openmdt.meetings.reads import (
    case_detail,
    get_case,
    get_meeting,
    later_open_meetings,
    list_audit_events,
    list_meetings,
    meeting_agenda,
    meeting_quoracy,
)

__all__ = [
    "Quoracy",
    "add_core_member",
    "add_late_case",
    "core_members",
    "remove_case",
    "restore_case",
    "remove_core_member",
    "amend_outcome",
    "case_detail",
    "confirm_standard_of_care",
    "create_meeting",
    "finalise_meeting",
    "flag_case",
    "get_case",
    "get_meeting",
    "import_cases",
    "later_open_meetings",
    "list_audit_events",
    "list_meetings",
    "meeting_agenda",
    "meeting_quoracy",
    "move_case",
    "record_attendance",
    "record_outcome",
    "roll_over_case",
    "set_now_discussing",
    "update_facts",
]
