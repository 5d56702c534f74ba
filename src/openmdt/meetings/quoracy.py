"""Quoracy: whether the professional roles an MDT type's quorum needs attended.

Which roles a quorum needs is LOCAL POLICY: the shared knowledge notes give no national list
(prostate.md s.3.3 lists the streamlining guidance's quorum text as not confirmed; landscape.md
s.6.7 only says the coordinator records attendance and flags non-attendance to the chair).
OpenMDT's default follows the usual urology MDT core membership; a trust replaces it with a
JSON file named by OPENMDT_QUORUM_POLICY (see docs/meeting-pages.md).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openmdt.meetings.codes import MDT_TYPES, PROFESSIONAL_ROLES
from openmdt.store.models import Attendance, Meeting

POLICY_ENV = "OPENMDT_QUORUM_POLICY"
ATTENDANCE_STATUSES: dict[str, str] = {
    "present": "Present",
    "remote": "Remote (video or phone)",
    "absent": "Absent",
}
DEFAULT_QUORUM_ROLES: tuple[str, ...] = (
    "urologist",
    "clinical_oncologist",
    "radiologist",
    "histopathologist",
    "cancer_nurse_specialist",
)
DEFAULT_SOURCE = "OpenMDT default (local policy)"


class QuorumPolicyError(ValueError):
    """The local quorum policy file is unreadable or names an unknown role or MDT type."""


@dataclass(frozen=True)
class QuorumPolicy:
    """Local policy: the roles a quorate meeting of one MDT type needs, and whether a member
    who joins remotely counts towards it."""

    mdt_type: str
    roles: tuple[str, ...]
    remote_counts: bool
    source: str

    def counts(self, status: str) -> bool:
        """Whether an attendee with this status counts towards the quorum."""
        return status == "present" or (status == "remote" and self.remote_counts)


@dataclass(frozen=True)
class Quoracy:
    """The required professional roles, those that count as attending, those missing, and
    the verdict under the local policy."""

    quorate: bool
    required: tuple[str, ...]
    present: tuple[str, ...]
    missing: tuple[str, ...]
    policy_source: str = DEFAULT_SOURCE
    remote_counts: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "quorate": self.quorate,
            "required": list(self.required),
            "present": list(self.present),
            "missing": list(self.missing),
            "policy": {"local_policy": True, "source": self.policy_source,
                       "remote_counts": self.remote_counts},
        }


def _configured(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise QuorumPolicyError(f"{POLICY_ENV}={path}: cannot be read as JSON ({error}).") \
            from error
    if not isinstance(data, dict):
        raise QuorumPolicyError(f"{POLICY_ENV}={path}: expected a JSON object.")
    return data


def _checked_roles(path: str, mdt_type: str, roles: Any) -> tuple[str, ...]:
    if not isinstance(roles, list):
        raise QuorumPolicyError(f"{path}: mdt_types.{mdt_type}: expected a list of roles.")
    unknown = [r for r in roles if r not in PROFESSIONAL_ROLES]
    if unknown:
        raise QuorumPolicyError(
            f"{path}: mdt_types.{mdt_type}: unknown professional role {unknown[0]!r}; "
            f"allowed: {', '.join(PROFESSIONAL_ROLES)}.")
    return tuple(roles)


def quorum_policy(mdt_type: str) -> QuorumPolicy:
    """The local quorum policy for an MDT type: the configured file's, else the default.

    File shape: {"remote_counts": true, "mdt_types": {"1201": ["urologist", ...]}}.
    """
    path = os.environ.get(POLICY_ENV)
    if not path:
        return QuorumPolicy(mdt_type, DEFAULT_QUORUM_ROLES, True, DEFAULT_SOURCE)
    data = _configured(path)
    types = data.get("mdt_types") or {}
    strange = [code for code in types if code not in MDT_TYPES]
    if strange:
        raise QuorumPolicyError(f"{path}: mdt_types: {strange[0]!r} is not a COSD CR3190 "
                                f"MDT type; allowed: {', '.join(MDT_TYPES)}.")
    roles = (_checked_roles(path, mdt_type, types[mdt_type]) if mdt_type in types
             else DEFAULT_QUORUM_ROLES)
    return QuorumPolicy(mdt_type, roles, bool(data.get("remote_counts", True)),
                        f"{path} (local policy)")


def quoracy_from(policy: QuorumPolicy, attendance: Iterable[Attendance]) -> Quoracy:
    """Check attendance rows against a quorum policy."""
    counted = {row.professional_role for row in attendance
               if policy.counts(row.attendance_status)}
    present = tuple(sorted(counted))
    missing = tuple(role for role in policy.roles if role not in counted)
    return Quoracy(not missing, policy.roles, present, missing, policy.source,
                   policy.remote_counts)


def quoracy_of(meeting: Meeting) -> Quoracy:
    """Check the meeting's attendance against the quorum policy of its MDT type."""
    return quoracy_from(quorum_policy(meeting.mdt_type), meeting.attendance)
