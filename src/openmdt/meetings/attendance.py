"""Attendance and the core members of an MDT type: named actions (audited) and reads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from openmdt.meetings import codes
from openmdt.meetings.access import (
    EDIT_ROLES,
    READ_ROLES,
    action,
    meeting_for,
    require_open,
    require_role,
)
from openmdt.meetings.actions import audit
from openmdt.meetings.quoracy import ATTENDANCE_STATUSES, Quoracy, quoracy_of
from openmdt.store.errors import InvalidRequest, NotFound, WorkflowConflict
from openmdt.store.models import Attendance, CoreMember, Meeting, User
from openmdt.store.text_checks import require_clean_text


@action
def record_attendance(
    session: Session, meeting_id: int, attendees: list[dict[str, Any]], *, acting_user: User
) -> Quoracy:
    """Replace the meeting's attendance list and report whether the meeting is quorate.

    Each attendee has a name, a professional role and a status (present, remote or absent;
    an older client may send `present: true/false` instead). An empty list clears the
    record (the page refuses a form with no attendee before calling this).
    """
    require_role(acting_user, EDIT_ROLES)
    meeting = meeting_for(session, meeting_id, acting_user)
    require_open(meeting)
    rows = [_attendance_row(meeting, entry, index) for index, entry in enumerate(attendees)]
    session.execute(delete(Attendance).where(Attendance.meeting_id == meeting.id))
    session.add_all(rows)
    session.flush()
    session.expire(meeting, ["attendance"])
    quoracy = quoracy_of(meeting)
    audit(session, acting_user, "record_attendance", "meeting", meeting.id,
          attendees=len(rows), present=sum(r.status == "present" for r in rows),
          remote=sum(r.status == "remote" for r in rows), quorate=quoracy.quorate)
    return quoracy


def _status(entry: dict[str, Any], index: int) -> str:
    status = entry.get("status")
    if status is None:
        return "present" if entry.get("present", True) else "absent"
    if status not in ATTENDANCE_STATUSES:
        raise InvalidRequest(
            f"Attendee {index + 1}: attendance {status!r} is not one of "
            f"{', '.join(ATTENDANCE_STATUSES)}.",
            code="unknown_attendance_status", allowed=list(ATTENDANCE_STATUSES),
            path=f"attendees[{index}].status")
    return str(status)


def _checked_person(name: Any, role: Any, where: str) -> str:
    """A clean, non-blank name and a known professional role (the name, stripped)."""
    text = str(name or "").strip()
    require_clean_text(**{f"{where}.name": text, f"{where}.professional_role": role})
    if not text:
        raise InvalidRequest(f"{where}: the name is blank.", code="missing_attendee_name",
                             path=f"{where}.name")
    if role not in codes.PROFESSIONAL_ROLES:
        raise InvalidRequest(
            f"{where}: unknown professional role {role!r}.", code="unknown_professional_role",
            allowed=sorted(codes.PROFESSIONAL_ROLES), path=f"{where}.professional_role")
    return text


def _attendance_row(meeting: Meeting, entry: dict[str, Any], index: int) -> Attendance:
    role = entry.get("professional_role")
    name = _checked_person(entry.get("name"), role, f"Attendee {index + 1}")
    status = _status(entry, index)
    return Attendance(meeting_id=meeting.id, name=name, professional_role=role,
                      present=status != "absent", status=status)


def core_members(session: Session, mdt_type: str, *, user: User) -> list[CoreMember]:
    """The named core members of an MDT type in the user's organisation, by role then name."""
    require_role(user, READ_ROLES)
    query = select(CoreMember).where(CoreMember.organisation_id == user.organisation_id,
                                     CoreMember.mdt_type == mdt_type)
    members = list(session.scalars(query))
    order = list(codes.PROFESSIONAL_ROLES)
    return sorted(members, key=lambda m: (order.index(m.professional_role)
                                          if m.professional_role in order else len(order),
                                          m.name.lower()))


@action
def add_core_member(session: Session, mdt_type: str, name: str, professional_role: str, *,
                    acting_user: User) -> CoreMember:
    """Add a named core member (with their professional role) to an MDT type."""
    require_role(acting_user, EDIT_ROLES)
    if mdt_type not in codes.MDT_TYPES:
        raise InvalidRequest(f"MDT type {mdt_type!r} is not a known COSD CR3190 code.",
                             code="unknown_mdt_type", allowed=sorted(codes.MDT_TYPES))
    clean = _checked_person(name, professional_role, "Core member")
    existing = [m for m in core_members(session, mdt_type, user=acting_user)
                if m.name.lower() == clean.lower() and m.professional_role == professional_role]
    if existing:
        raise WorkflowConflict(f"{clean} is already a core member of this MDT type.",
                               code="already_core_member")
    member = CoreMember(organisation_id=acting_user.organisation_id, mdt_type=mdt_type,
                        name=clean, professional_role=professional_role,
                        created_at=datetime.now(UTC))
    session.add(member)
    session.flush()
    audit(session, acting_user, "add_core_member", "core_member", member.id,
          mdt_type=mdt_type, professional_role=professional_role)
    return member


@action
def remove_core_member(session: Session, member_id: int, *, acting_user: User) -> None:
    """Take a person off the core members of their MDT type (past attendance is kept)."""
    require_role(acting_user, EDIT_ROLES)
    member = session.scalars(select(CoreMember).where(
        CoreMember.id == member_id,
        CoreMember.organisation_id == acting_user.organisation_id)).first()
    if member is None:
        raise NotFound(f"Core member {member_id} was not found.")
    session.delete(member)
    audit(session, acting_user, "remove_core_member", "core_member", member_id,
          mdt_type=member.mdt_type, professional_role=member.professional_role)
