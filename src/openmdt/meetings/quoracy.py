"""Quoracy: whether the core members an MDT type needs were present."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openmdt.meetings.codes import core_members
from openmdt.store.models import Meeting


@dataclass(frozen=True)
class Quoracy:
    """The required professional roles, those present, those missing, and the verdict."""

    quorate: bool
    required: tuple[str, ...]
    present: tuple[str, ...]
    missing: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "quorate": self.quorate,
            "required": list(self.required),
            "present": list(self.present),
            "missing": list(self.missing),
        }


def quoracy_of(meeting: Meeting) -> Quoracy:
    """Check the meeting's attendance against the core members of its MDT type."""
    required = core_members(meeting.mdt_type)
    present = tuple(sorted({row.professional_role for row in meeting.attendance if row.present}))
    missing = tuple(role for role in required if role not in present)
    return Quoracy(not missing, required, present, missing)
