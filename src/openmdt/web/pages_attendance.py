"""The attendance form read into attendees: core members by id, other rows by name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

NO_ATTENDEES = ("Enter the name of at least one attendee: every row was blank, so nothing "
                "was saved.")


@dataclass(frozen=True)
class AttendanceEntry:
    """What the form asks to record, or the one problem that stops it."""

    attendees: list[dict[str, Any]] = field(default_factory=list)
    new_core_members: list[dict[str, Any]] = field(default_factory=list)
    problem: str = ""


def _core_rows(form: Any, members: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"name": member.name, "professional_role": member.professional_role,
             "status": str(form.get(f"member_{member.id}") or "absent")}
            for member in members]


def _other_rows(form: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    core = set(form.getlist("core"))
    rows, new_core = [], []
    for key in form:
        if not key.startswith("name_"):
            continue
        index = key.removeprefix("name_")
        name = str(form.get(key, "")).strip()
        if not name:
            if index in core:
                return [], [], (f"Attendee {int(index) + 1} is ticked as a core member but has "
                                "no name: enter the name or untick the row. Nothing was saved.")
            continue
        row = {"name": name, "professional_role": str(form.get(f"role_{index}", "")),
               "status": str(form.get(f"status_{index}") or "present")}
        rows.append(row)
        if index in core:
            new_core.append(row)
    return rows, new_core, ""


def attendance_entry(form: Any, members: Sequence[Any]) -> AttendanceEntry:
    """The attendees the form records (every core member, named other rows)."""
    others, new_core, problem = _other_rows(form)
    if problem:
        return AttendanceEntry(problem=problem)
    attendees = _core_rows(form, members) + others
    if not attendees:
        return AttendanceEntry(problem=NO_ATTENDEES)
    return AttendanceEntry(attendees, new_core)
