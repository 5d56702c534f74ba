"""Patient details a meeting list may carry besides the facts: the GP practice, the
consultant, the key worker, the hospital number (optional columns, used by the letters).

The GP practice is named by its ODS code (Organisation Data Service). No source in our
standards notes gives the format of a GP practice code, so the check here is a LOCAL policy
(`ODS_CODE_RULE`): letters and digits only, of a plausible length. It catches typing slips
(spaces inside, punctuation, a name typed in the code column); it does not prove that the
practice exists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "LETTER_COLUMNS",
    "ODS_CODE_RULE",
    "PatientDetailProblem",
    "address_lines",
    "normalised_ods_code",
    "patient_detail_problems",
]

# Optional meeting-list columns for the letters: CSV column -> key under the case's "patient".
LETTER_COLUMNS = {
    "gp_name": "gp_name",
    "gp_practice_code": "gp_practice_code",
    "gp_practice_name": "gp_practice",
    "gp_practice_address": "gp_practice_address",
    "consultant": "consultant",
    "key_worker": "key_worker",
}

# Local policy (no source gives the format; see the module docstring): 3 to 8 letters or digits.
ODS_CODE_MIN_LENGTH = 3
ODS_CODE_MAX_LENGTH = 8
ODS_CODE_RULE = (f"{ODS_CODE_MIN_LENGTH} to {ODS_CODE_MAX_LENGTH} letters or digits "
                 "(local check of the form only)")
_ODS_CODE = re.compile(rf"[A-Z0-9]{{{ODS_CODE_MIN_LENGTH},{ODS_CODE_MAX_LENGTH}}}")
ADDRESS_SEPARATOR = ","


@dataclass(frozen=True)
class PatientDetailProblem:
    """One patient detail that is not allowed: where (JSON path), the value and the rule."""

    path: str
    value: str
    allowed: str

    @property
    def message(self) -> str:
        return f"{self.path} {self.value!r} is not valid: allowed {self.allowed}."


def normalised_ods_code(value: object) -> str:
    """The code as ODS writes it: capitals, no surrounding spaces ("a81001 " -> "A81001")."""
    return str(value).strip().upper()


def patient_detail_problems(patient: Mapping[str, Any]) -> list[PatientDetailProblem]:
    """What is wrong with a case's patient details (an empty list when nothing is)."""
    problems = []
    code = patient.get("gp_practice_code")
    if code not in (None, "") and not _ODS_CODE.fullmatch(normalised_ods_code(code)):
        problems.append(PatientDetailProblem("patient.gp_practice_code", str(code),
                                             ODS_CODE_RULE))
    return problems


def address_lines(value: object) -> Sequence[str]:
    """An address written on one line with commas ("1 High St, Leeds, LS1 1AA"), or given
    as a JSON list, as the lines of a letter's address block."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(line).strip() for line in value if str(line).strip())
    return tuple(part.strip() for part in str(value).split(ADDRESS_SEPARATOR) if part.strip())
