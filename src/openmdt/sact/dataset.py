"""Export of the national SACT data set v4.0.1 items the module holds (notes §4.6).

One row per drug line of each administered cycle, with the item numbers of the NHS England
SACT user guide v4. Items OpenMDT does not hold (postcode, ODS codes, diagnosis codes,
professional registration, performance status) and items whose national code lists are not in
the notes (route, unit of measurement, stated gender, NHS number status, dose modification)
are listed in ``NOT_EXPORTED`` with the reason; coded values are never guessed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from openmdt.sact.protocols import load_protocol
from openmdt.store.sact_tables import SactCourse, SactPrescription

# (item number, name, where it comes from); the column header is "[number] name".
COLUMNS: tuple[tuple[int, str], ...] = (
    (1, "NHS Number"), (2, "Person Birth Date"),
    (16, "Regimen"), (17, "Height at start of treatment (m)"),
    (18, "Weight at start of regimen (kg)"), (21, "Date of decision to treat"),
    (22, "Start date of regimen"), (26, "Cycle Number"), (27, "Start date of cycle"),
    (28, "Weight at start of cycle (kg)"), (31, "Drug Name"),
    (32, "Daily Total Dose Per Administration"), (80, "Administration Timestamp"),
    (81, "Administration Date"), (82, "Cycle Length in Days"),
    (88, "End of Regimen Summary"),
)
NOT_EXPORTED: dict[int, str] = {
    9: "Organisation Identifier (Code of Provider): the organisation's ODS code is not held",
    43: "NHS Number Status Indicator Code: the code list (01-08) is not in the notes",
    44: "Local Patient Identifier: not held",
    45: "Family Name and 46 Given Name: one name is held, not split into its parts",
    47: "Stated Gender: the national code list is not in the notes",
    5: "Postcode: not held",
    62: "Professional Registration Issuer Code and 63 Entry Identifier: not held",
    8: "Consultant Specialty Code: not held",
    10: "Primary Diagnosis (ICD-10), 11 Morphology and 48 SNOMED CT diagnosis: not held",
    15: "Intent, 65 Treatment Context, 66/67 Line of Treatment: not held on the course",
    50: "Performance Status (adult) and 51 at each cycle: not held",
    23: "Clinical trial and 24 Chemoradiation: not held",
    33: "SACT Administration Route and 56 Route (dm+d): national codes not in the notes",
    55: "Unit of Measurement (dm+d): the SNOMED CT codes are not in the notes",
    35: "Organisation of SACT administration: the ODS code is not held",
    84: "Dose Modification and 85 reason: the code list is not in the notes",
}
COMPLETED_PLANNED_CYCLES = "1"  # End of Regimen Summary [88] code 1 (notes §4.6)


@dataclass(frozen=True)
class DatasetRow:
    """One exported drug line of an administered cycle."""

    values: tuple[str, ...]


def _day(value: date | datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d")


def rows_for(course: SactCourse) -> list[DatasetRow]:
    """The rows of one course: every drug line of every administered cycle."""
    cycles = [p for p in course.prescriptions if p.status == "administered"]
    if not cycles:
        return []
    first = min(cycles, key=lambda p: p.cycle_number)
    protocol = load_protocol(course.protocol_id)
    outcome = COMPLETED_PLANNED_CYCLES if course.status == "completed" else ""
    rows = []
    for cycle in sorted(cycles, key=lambda p: p.cycle_number):
        started = {line["drug"]: line["started_at"] for line in
                   (cycle.administration or {}).get("lines", [])}
        for line in cycle.calculation["drugs"]:
            rows.append(DatasetRow(_cells(course, protocol.title, first, cycle, line,
                                          started.get(line["drug"], ""), outcome,
                                          protocol.cycle_length_days)))
    return rows


def _cells(course: SactCourse, title: str, first: SactPrescription, cycle: SactPrescription,
           line: dict, started: str, outcome: str, cycle_length: int) -> tuple[str, ...]:
    oral = line["route"] == "oral"
    height_m = str(round(float(course.height_cm) / 100, 2))
    return (course.nhs_number, _day(course.birth_date), title[:150], height_m,
            first.measures["weight_kg"], _day(course.created_at), _day(first.treatment_date),
            str(cycle.cycle_number), _day(cycle.treatment_date), cycle.measures["weight_kg"],
            line["drug"].replace("_", " ").upper(),
            f"{line['daily_total_mg']} {line.get('unit', 'mg')}",
            "" if oral else started, _day(cycle.treatment_date) if oral else "",
            str(cycle_length), outcome)


def write_csv(courses: Iterable[SactCourse]) -> str:
    """The export as CSV text, headed "[item] name"."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f"[{number}] {name}" for number, name in COLUMNS])
    for course in courses:
        for row in rows_for(course):
            writer.writerow(row.values)
    return out.getvalue()
