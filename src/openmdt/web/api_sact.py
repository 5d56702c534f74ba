"""The SACT JSON API (/api/v1/sact): parse, call one workflow action, shape the answer."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from openmdt.meetings.access import MAX_ID
from openmdt.sact import workflow
from openmdt.sact.dataset import write_csv
from openmdt.sact.dose import Measures, calculate_doses
from openmdt.sact.protocols import load_protocol, shipped_protocol_ids
from openmdt.sact.quantities import Quantity
from openmdt.sact.reads import course_json, prescription_json
from openmdt.sact.safety import Result
from openmdt.store.errors import InvalidRequest
from openmdt.store.models import User
from openmdt.store.sact_tables import SactCourse
from openmdt.web.security import CurrentUser, DbSession, require_role

router = APIRouter(prefix="/sact", tags=["sact"])
Prescriber = Annotated[User, Depends(require_role(*workflow.PRESCRIBE_ROLES))]
Pharmacist = Annotated[User, Depends(require_role(*workflow.VERIFY_ROLES))]
Nurse = Annotated[User, Depends(require_role(*workflow.ADMINISTER_ROLES))]
Reader = Annotated[User, Depends(require_role(*workflow.READ_ROLES))]
Admin = Annotated[User, Depends(require_role(*workflow.LEVEL_ROLES))]


RowId = Annotated[int, Field(ge=1, le=MAX_ID, description="a row id (1 to 2^63-1)")]


class Body(BaseModel):
    """Unknown fields are refused: a typo never silently drops a value (or adds a dose)."""

    model_config = ConfigDict(extra="forbid")


class ResultIn(Body):
    test: str = Field(description="neutrophils, platelets, bilirubin, alt or creatinine")
    value: Decimal
    unit: str = Field(description="x10^9/L, umol/L, mg/dL or ULN")
    taken_on: date
    upper_limit: Decimal | None = Field(None, description="the laboratory's upper limit")


class CourseBody(Body):
    nhs_number: str
    patient_name: str
    birth_date: date
    sex: str
    height_cm: Decimal
    protocol_id: str
    dpyd_status: str = "unknown"
    chest_radiotherapy: bool = False
    meeting_case_id: RowId | None = None


class CycleBody(Body):
    treatment_date: date
    weight_kg: Decimal
    results: list[ResultIn]
    reductions: dict[str, Decimal] = Field(default_factory=dict,
                                           description="drug -> percent (below 100)")
    levels: dict[str, Decimal] = Field(default_factory=dict,
                                       description="drug -> one of its reduced dose levels")
    overrides: dict[str, str] = Field(default_factory=dict, description="check code -> reason")
    bsa_formula: str = "mosteller"
    weight_policy: str | None = None
    version: int | None = Field(None, description="the course version you read")


class AmendBody(CycleBody):
    reason: str


class VerifyBody(Body):
    version: int
    checklist: dict[str, bool]
    acknowledged: list[str] = Field(default_factory=list)


class VersionBody(Body):
    version: int


class GivenBody(Body):
    drug: str
    batch: str
    started_at: datetime
    pump_rate_ml_h: Decimal | None = None


class AdministerBody(Body):
    version: int
    given: list[GivenBody]


class DoseElsewhereBody(Body):
    nhs_number: str
    drug: str
    amount: Decimal
    unit: str
    mg_per_m2: Decimal | None = None
    given_on: date
    note: str | None = None


class LevelBody(Body):
    level: str


class DoseBody(Body):
    protocol_id: str
    height_cm: Decimal
    weight_kg: Decimal
    creatinine_umol_l: Decimal | None = None
    age: Decimal | None = None
    sex: str | None = None
    bsa_formula: str = "mosteller"


def _cycle(body: CycleBody) -> workflow.CycleIn:
    results = tuple(Result(r.test, r.value, r.unit, r.taken_on, r.upper_limit)
                    for r in body.results)
    return workflow.CycleIn(body.treatment_date, body.weight_kg, results, body.reductions,
                            body.levels, body.overrides, body.bsa_formula, body.weight_policy)


@router.get("/protocols")
def protocols(_user: CurrentUser) -> dict[str, Any]:
    """The shipped regimen protocols."""
    found = [load_protocol(p) for p in shipped_protocol_ids()]
    return {"protocols": [{"id": p.id, "version": p.version, "title": p.title, "site": p.site,
                           "status": p.status, "cycles": p.cycles,
                           "cycle_length_days": p.cycle_length_days} for p in found]}


@router.post("/dose")
def dose(body: DoseBody, _user: CurrentUser) -> dict[str, Any]:
    """Day-1 doses of a protocol for given measures (nothing is stored)."""
    if body.protocol_id not in shipped_protocol_ids():
        raise InvalidRequest(f"protocol_id {body.protocol_id!r} is not a protocol.",
                             code="unknown_protocol", field="protocol_id")
    creatinine = (None if body.creatinine_umol_l is None
                  else Quantity(body.creatinine_umol_l, "umol/L"))
    measures = Measures(body.height_cm, body.weight_kg, creatinine, body.age,
                        body.sex, body.bsa_formula)  # type: ignore[arg-type]
    try:
        return calculate_doses(load_protocol(body.protocol_id), measures).to_json()
    except ValueError as exc:
        raise InvalidRequest(str(exc), code="invalid_measure") from None


@router.get("/courses")
def list_courses(db: DbSession, user: Reader) -> dict[str, Any]:
    """The organisation's courses, newest first."""
    return {"courses": [course_json(c, with_cycles=False)
                        for c in workflow.courses_of(db, user)]}


@router.post("/courses", status_code=201)
def start_course(body: CourseBody, db: DbSession, user: Prescriber) -> dict[str, Any]:
    """Record a decision to treat with a protocol."""
    course = workflow.start_course(db, workflow.CourseIn(**body.model_dump()),
                                   acting_user=user)
    return course_json(course)


@router.get("/courses/{course_id}")
def get_course(course_id: int, db: DbSession, user: Reader) -> dict[str, Any]:
    """A course with every cycle."""
    return course_json(workflow.course_for(db, course_id, user))


@router.post("/courses/{course_id}/cycles", status_code=201)
def prescribe(course_id: int, body: CycleBody, db: DbSession, user: Prescriber
              ) -> dict[str, Any]:
    """Prescribe the next cycle; 422 prescription_blocked lists every reason."""
    p = workflow.prescribe_cycle(db, course_id, _cycle(body), acting_user=user,
                                 course_version=body.version)
    return prescription_json(p)


@router.get("/prescriptions/{prescription_id}")
def get_prescription(prescription_id: int, db: DbSession, user: Reader) -> dict[str, Any]:
    """One cycle's prescription."""
    return prescription_json(workflow.prescription_for(db, prescription_id, user))


@router.post("/prescriptions/{prescription_id}/amend")
def amend(prescription_id: int, body: AmendBody, db: DbSession, user: Prescriber
          ) -> dict[str, Any]:
    """Change a cycle before it is given; it must be verified again."""
    p = workflow.amend_prescription(db, prescription_id, _cycle(body), acting_user=user,
                                    version=body.version, reason=body.reason)
    return prescription_json(p)


@router.post("/prescriptions/{prescription_id}/verify")
def verify(prescription_id: int, body: VerifyBody, db: DbSession, user: Pharmacist
           ) -> dict[str, Any]:
    """Pharmacist clinical verification."""
    p = workflow.verify_prescription(db, prescription_id, acting_user=user,
                                     version=body.version, checklist=body.checklist,
                                     acknowledged=body.acknowledged)
    return prescription_json(p)


@router.post("/prescriptions/{prescription_id}/release")
def release(prescription_id: int, body: VersionBody, db: DbSession, user: Pharmacist
            ) -> dict[str, Any]:
    """Release to the aseptic unit."""
    p = workflow.release_prescription(db, prescription_id, acting_user=user,
                                      version=body.version)
    return prescription_json(p)


@router.post("/prescriptions/{prescription_id}/administer")
def administer(prescription_id: int, body: AdministerBody, db: DbSession, user: Nurse
               ) -> dict[str, Any]:
    """Record the administration: batch, start time and pump rate of each drug line."""
    given = [workflow.GivenIn(g.drug, g.batch, g.started_at, g.pump_rate_ml_h)
             for g in body.given]
    p = workflow.administer_prescription(db, prescription_id, given, acting_user=user,
                                         version=body.version)
    return prescription_json(p)


@router.post("/doses-given", status_code=201)
def dose_elsewhere(body: DoseElsewhereBody, db: DbSession, user: CurrentUser
                   ) -> dict[str, Any]:
    """Enter a dose given elsewhere so lifetime totals count it."""
    row = workflow.record_dose_elsewhere(db, acting_user=user, **body.model_dump())
    return {"id": row.id, "drug": row.drug, "amount": row.amount, "unit": row.unit}


EXPORT_ROLES = ("pharmacist", "admin", "auditor")
Exporter = Annotated[User, Depends(require_role(*EXPORT_ROLES))]


@router.get("/export/sact-dataset.csv", response_class=PlainTextResponse,
            responses={200: {"content": {"text/csv": {}}}})
def dataset_export(db: DbSession, user: Exporter) -> Response:
    """The national SACT data set items held for the organisation's administered cycles
    (docs/sact.md lists the items not exported and why)."""
    courses = db.scalars(select(SactCourse).where(
        SactCourse.organisation_id == user.organisation_id).order_by(SactCourse.id))
    return Response(write_csv(courses), media_type="text/csv")


@router.put("/verifiers/{user_id}")
def verifier_level(user_id: int, body: LevelBody, db: DbSession, user: Admin
                   ) -> dict[str, Any]:
    """Record a pharmacist's BOPA verification level."""
    row = workflow.set_verifier_level(db, user_id, body.level, acting_user=user)
    return {"user_id": row.user_id, "level": row.level}
