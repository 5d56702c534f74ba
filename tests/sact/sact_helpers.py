"""Helpers for the SACT tests: the people of a trust, a course and a cycle to prescribe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D

from openmdt.sact import workflow
from openmdt.sact.safety import Result
from openmdt.store.models import User

TREATMENT_DAY = date(2026, 12, 7)
NHS_NUMBER = "9434765919"  # a test number with a valid check digit


@dataclass
class People:
    prescriber: User
    pharmacist: User  # BOPA level 2c
    junior_pharmacist: User  # BOPA level 2b
    nurse: User
    admin: User
    other_prescriber: User  # another trust


def good_bloods(day: date = TREATMENT_DAY, creatinine: str = "80") -> tuple[Result, ...]:
    return (Result("neutrophils", D("3.0"), "x10^9/L", day),
            Result("platelets", D(250), "x10^9/L", day),
            Result("bilirubin", D(10), "umol/L", day, D(21)),
            Result("creatinine", D(creatinine), "umol/L", day))


def course_in(protocol_id: str = "ac-breast", **changes) -> workflow.CourseIn:  # noqa: ANN003
    values = dict(nhs_number=NHS_NUMBER, patient_name="Ada Testpatient",
                  birth_date=date(1961, 6, 16), sex="female", height_cm=D(165),
                  protocol_id=protocol_id, dpyd_status="normal")
    values.update(changes)
    return workflow.CourseIn(**values)


def cycle_in(weight: str = "70", **changes) -> workflow.CycleIn:  # noqa: ANN003
    values = dict(treatment_date=TREATMENT_DAY, weight_kg=D(weight), results=good_bloods(),
                  overrides={"indication_not_chosen": "breast MDT 1 December: AC agreed"})
    values.update(changes)
    return workflow.CycleIn(**values)
