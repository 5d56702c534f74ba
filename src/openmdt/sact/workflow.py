"""Prescribe -> verify -> release -> administer: named, audited actions with role checks.

Each action runs in one transaction (``meetings.access.action``), checks the caller's role and
organisation, and the version the caller read (409 when someone saved since). A changed
prescription goes back to ``prescribed`` and must be verified again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmdt.cases.nhs_number import is_valid_nhs_number, normalised_nhs_number
from openmdt.meetings.access import action, case_for, require_role, valid_id
from openmdt.sact.bsa import DEFAULT_FORMULA, HEIGHT_RANGE_CM, MeasurementError, check_range
from openmdt.sact.cycle import CyclePlan, plan_cycle
from openmdt.sact.dose import Measures
from openmdt.sact.model import TESTS, Protocol
from openmdt.sact.protocols import load_protocol, shipped_protocol_ids
from openmdt.sact.quantities import Quantity, UnitError, decimal, plain, rounded
from openmdt.sact.safety import DPYD_STATUSES, Check, CycleContext, DoseGiven, PreviousCycle, Result
from openmdt.store.audit import append_audit
from openmdt.store.errors import (
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ServiceError,
    StaleVersion,
    WorkflowConflict,
)
from openmdt.store.models import User
from openmdt.store.sact_tables import (
    SactCourse,
    SactDoseGiven,
    SactPrescription,
    SactVerifierLevel,
)
from openmdt.store.text_checks import require_clean_text

PRESCRIBE_ROLES = ("prescriber",)
VERIFY_ROLES = ("pharmacist",)
ADMINISTER_ROLES = ("nurse",)
READ_ROLES = ("prescriber", "pharmacist", "nurse")
LEVEL_ROLES = ("admin",)
LEVELS = ("2a", "2b", "2c", "3")
# BOPA: level 2b verifies all SACT except cycle 1; 2c and 3 also cycle 1 (notes §4.4) [C]
CYCLE_ONE_LEVELS = ("2c", "3")
LATER_CYCLE_LEVELS = ("2b", "2c", "3")
# BOPA verification stages 1-4 (notes §4.4); stages 5-7 were not retrieved [U]
CHECKLIST = ("prescription", "protocol", "patient", "administration")
SEXES = ("male", "female")
PUMP_RATE_TOLERANCE = Decimal("0.1")  # mL/h: a pump is set to one decimal
# The results a prescriber enters; the clearance is calculated from the creatinine.
RESULT_UNITS = {test: units for test, units in TESTS.items() if test != "creatinine_clearance"}
RESULT_UNITS["creatinine"] = ("umol/L", "mg/dL")


class PrescriptionBlocked(ServiceError):
    """The prescription cannot be saved: ``checks`` says exactly why (stops and overrides)."""

    code = "prescription_blocked"
    status = 422
    title = "The prescription is blocked"

    def __init__(self, detail: str, checks: list[Check]) -> None:
        super().__init__(detail, checks=[c.to_json() for c in checks])
        self.checks = checks


@dataclass(frozen=True)
class CourseIn:
    """A decision to treat: the patient, the protocol and what the checks need to know."""

    nhs_number: str
    patient_name: str
    birth_date: date
    sex: str
    height_cm: Decimal
    protocol_id: str
    dpyd_status: str = "unknown"
    chest_radiotherapy: bool = False
    meeting_case_id: int | None = None


@dataclass(frozen=True)
class CycleIn:
    """What a prescriber enters for a cycle; doses are never typed, only calculated."""

    treatment_date: date
    weight_kg: Decimal
    results: tuple[Result, ...]
    reductions: dict[str, Decimal] = field(default_factory=dict)
    levels: dict[str, Decimal] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)
    bsa_formula: str = DEFAULT_FORMULA
    weight_policy: str | None = None


@dataclass(frozen=True)
class GivenIn:
    """A nurse's record of one drug line: batch, start time and the pump rate set."""

    drug: str
    batch: str
    started_at: datetime
    pump_rate_ml_h: Decimal | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _audit(session: Session, user: User, action_name: str, entity: str, entity_id: int,
           details: dict[str, object]) -> None:
    append_audit(session, action=action_name, entity_type=entity, entity_id=entity_id,
                 details=details, acting_user=user)


# -- look-ups (tenant-scoped) ----------------------------------------------------------------
def course_for(session: Session, course_id: int, user: User) -> SactCourse:
    """The course if it belongs to the user's organisation; NotFound otherwise."""
    require_role(user, READ_ROLES)
    course = session.scalars(select(SactCourse).where(
        SactCourse.id == course_id, SactCourse.organisation_id == user.organisation_id)
    ).first() if valid_id(course_id) else None
    if course is None:
        raise NotFound(f"Course {course_id} was not found.")
    return course


def prescription_for(session: Session, prescription_id: int, user: User) -> SactPrescription:
    """The prescription if it belongs to the user's organisation; NotFound otherwise."""
    require_role(user, READ_ROLES)
    found = session.scalars(select(SactPrescription).where(
        SactPrescription.id == prescription_id,
        SactPrescription.organisation_id == user.organisation_id)
    ).first() if valid_id(prescription_id) else None
    if found is None:
        raise NotFound(f"Prescription {prescription_id} was not found.")
    return found


def courses_of(session: Session, user: User) -> list[SactCourse]:
    """The organisation's courses, newest first."""
    require_role(user, READ_ROLES)
    return list(session.scalars(select(SactCourse).where(
        SactCourse.organisation_id == user.organisation_id).order_by(SactCourse.id.desc())))


def _require_version(row: SactCourse | SactPrescription, version: int | None,
                     what: str) -> None:
    if version is None:
        raise InvalidRequest(f"Send the version of the {what} you read.",
                             code="version_required")
    if version != row.row_version:
        raise StaleVersion(f"The {what} changed since you read it (you read version {version}, "
                           f"it is now version {row.row_version}); reload and try again.",
                           current_version=row.row_version)


# -- starting a course -----------------------------------------------------------------------
def _check_course_in(course: CourseIn) -> tuple[str, Protocol]:
    require_clean_text(patient_name=course.patient_name, protocol_id=course.protocol_id)
    number = normalised_nhs_number(course.nhs_number)
    if not is_valid_nhs_number(number):
        raise InvalidRequest(f"nhs_number {course.nhs_number!r} is not a valid NHS number.",
                             code="invalid_nhs_number", field="nhs_number")
    for name, value, allowed in (("sex", course.sex, SEXES),
                                 ("dpyd_status", course.dpyd_status, DPYD_STATUSES)):
        if value not in allowed:
            raise InvalidRequest(f"{name} {value!r} is not allowed; allowed: "
                                 f"{', '.join(allowed)}.", code=f"invalid_{name}", field=name)
    if course.protocol_id not in shipped_protocol_ids():
        raise InvalidRequest(f"protocol_id {course.protocol_id!r} is not a protocol; "
                             f"protocols: {', '.join(shipped_protocol_ids())}.",
                             code="unknown_protocol", field="protocol_id")
    if not course.patient_name.strip():
        raise InvalidRequest("patient_name is empty.", code="invalid_patient_name",
                             field="patient_name")
    _measure(lambda: check_range("height", course.height_cm, *HEIGHT_RANGE_CM, "cm"),
             "height_cm")
    return number, load_protocol(course.protocol_id)


def _measure(function, field_name: str):  # noqa: ANN001, ANN202 - a thunk and its result
    try:
        return function()
    except (MeasurementError, UnitError, ValueError) as exc:
        raise InvalidRequest(f"{field_name}: {exc}", code="invalid_measure",
                             field=field_name) from None


def _indication(session: Session, course: CourseIn, protocol: Protocol, user: User
                ) -> str | None:
    """The MDT option this regimen carries out, when the meeting chose one of its options."""
    if course.meeting_case_id is None:
        return None
    case = case_for(session, course.meeting_case_id, user)
    outcome = case.current_outcome
    chosen = set(outcome.chosen_options if outcome else ())
    for indication in protocol.indications:
        if indication.option in chosen:
            return f"{indication.pack}:{indication.option}"
    return None


@action
def start_course(session: Session, course: CourseIn, *, acting_user: User) -> SactCourse:
    """Record a decision to treat with a protocol (prescriber)."""
    require_role(acting_user, PRESCRIBE_ROLES)
    number, protocol = _check_course_in(course)
    row = SactCourse(
        organisation_id=acting_user.organisation_id, nhs_number=number,
        patient_name=course.patient_name.strip(), birth_date=course.birth_date, sex=course.sex,
        height_cm=str(course.height_cm), protocol_id=protocol.id,
        protocol_version=protocol.version, protocol_digest=protocol.digest,
        meeting_case_id=course.meeting_case_id,
        indication=_indication(session, course, protocol, acting_user),
        dpyd_status=course.dpyd_status, chest_radiotherapy=course.chest_radiotherapy,
        status="active", created_by_id=acting_user.id, created_at=_now())
    session.add(row)
    session.flush()
    _audit(session, acting_user, "sact_start_course", "sact_course", row.id,
           {"protocol": protocol.id, "protocol_version": protocol.version,
            "indication": row.indication, "meeting_case_id": course.meeting_case_id})
    return row


# -- planning a cycle ------------------------------------------------------------------------
def _age(birth: date, on: date) -> Decimal:
    return Decimal(on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day)))


def _creatinine(results: tuple[Result, ...]) -> Quantity | None:
    found = [r for r in results if r.test == "creatinine"]
    if not found:
        return None
    newest = max(found, key=lambda r: r.taken_on)
    return Quantity(newest.value, newest.unit)


def measures_for(course: SactCourse, cycle: CycleIn) -> Measures:
    """The measures a cycle's doses rest on (height from the course, weight of the day)."""
    return Measures(decimal(course.height_cm, "height_cm"), cycle.weight_kg,
                    _creatinine(cycle.results), _age(course.birth_date, cycle.treatment_date),
                    course.sex, cycle.bsa_formula, cycle.weight_policy)  # type: ignore[arg-type]


def _history(session: Session, course: SactCourse) -> tuple[DoseGiven, ...]:
    rows = session.scalars(select(SactDoseGiven).where(
        SactDoseGiven.organisation_id == course.organisation_id,
        SactDoseGiven.nhs_number == course.nhs_number))
    return tuple(DoseGiven(r.drug, Decimal(r.amount), r.unit,
                           None if r.mg_per_m2 is None else Decimal(r.mg_per_m2), r.given_on)
                 for r in rows)


def _other_active_drugs(session: Session, course: SactCourse) -> frozenset[str]:
    others = session.scalars(select(SactCourse).where(
        SactCourse.organisation_id == course.organisation_id,
        SactCourse.nhs_number == course.nhs_number, SactCourse.status == "active",
        SactCourse.id != course.id))
    return frozenset(d.drug for other in others
                     for d in load_protocol(other.protocol_id).anticancer_drugs)


def _previous(course: SactCourse, cycle_number: int) -> PreviousCycle | None:
    verified = [p for p in course.prescriptions
                if p.cycle_number < cycle_number and p.verified_by_id is not None]
    if not verified:
        return None
    last = max(verified, key=lambda p: p.cycle_number)
    creatinine = last.measures.get("creatinine_umol_l")
    return PreviousCycle(last.cycle_number, Decimal(last.measures["weight_kg"]),
                         None if creatinine is None else Decimal(creatinine),
                         {k: Decimal(v) for k, v in last.measures.get("percent", {}).items()})


def plan_for(session: Session, course: SactCourse, cycle_number: int, cycle: CycleIn
             ) -> CyclePlan:
    """Doses and checks of a cycle of a stored course (nothing is written)."""
    protocol = load_protocol(course.protocol_id)
    _check_choices(protocol, cycle)
    context = CycleContext(
        protocol=protocol, cycle_number=cycle_number, treatment_date=cycle.treatment_date,
        weight_kg=cycle.weight_kg, results=cycle.results, history=_history(session, course),
        dpyd_status=course.dpyd_status, chest_radiotherapy=course.chest_radiotherapy,
        indication_ok=course.indication is not None,
        other_active_drugs=_other_active_drugs(session, course),
        previous=_previous(course, cycle_number),
        started_on_version=(None if protocol.digest == course.protocol_digest
                            else course.protocol_version))
    return _measure(lambda: plan_cycle(context, measures_for(course, cycle),
                                       reductions=cycle.reductions, levels=cycle.levels),
                    "measures")


def _check_choices(protocol: Protocol, cycle: CycleIn) -> None:
    """Reductions only lower a dose; levels are the protocol's own; overrides give reasons."""
    names = {d.drug for d in protocol.drugs}
    for drug, percent in cycle.reductions.items():
        if drug not in names:
            raise InvalidRequest(f"reductions.{drug}: {drug!r} is not a drug of {protocol.id}.",
                                 code="unknown_drug", field=f"reductions.{drug}")
        if not Decimal(0) < percent < Decimal(100):
            raise InvalidRequest(f"reductions.{drug}: {percent}% is not allowed; a reduction "
                                 "is above 0 and below 100% (a dose is never raised above "
                                 "the protocol's).", code="invalid_reduction",
                                 field=f"reductions.{drug}")
    for drug, level in cycle.levels.items():
        allowed = [d.dose for d in protocol.drugs if d.drug == drug for d in d.dose_levels]
        if level not in allowed:
            raise InvalidRequest(f"levels.{drug}: {level} is not a dose level of {drug} in "
                                 f"{protocol.id}; allowed: "
                                 f"{', '.join(plain(v) for v in allowed) or 'none'}.",
                                 code="invalid_dose_level", field=f"levels.{drug}")
    require_clean_text(free={f"overrides.{k}": v for k, v in cycle.overrides.items()})
    _check_results(cycle.results)


def _check_results(results: tuple[Result, ...]) -> None:
    """Each result is a test the protocols read, in one of its units, and not negative."""
    for index, result in enumerate(results):
        units = RESULT_UNITS.get(result.test)
        if units is None:
            raise InvalidRequest(f"results.{index}.test: {result.test!r} is not a result the "
                                 f"protocols read; allowed: {', '.join(RESULT_UNITS)}.",
                                 code="unknown_test", field=f"results.{index}.test")
        if result.unit not in units:
            raise InvalidRequest(f"results.{index}.unit: {result.test} is given in "
                                 f"{' or '.join(units)}, not {result.unit!r}.",
                                 code="wrong_unit", field=f"results.{index}.unit")
        if result.value < 0 or (result.upper_limit is not None and result.upper_limit <= 0):
            raise InvalidRequest(f"results.{index}.value: {result.value} {result.unit} is not "
                                 "a result.", code="invalid_result", field=f"results.{index}")


def _require_resolved(plan: CyclePlan, overrides: dict[str, str]) -> None:
    known = {c.code for c in plan.checks if c.outcome == "override"}
    stray = sorted(set(overrides) - known)
    if stray:
        raise InvalidRequest(f"overrides: {', '.join(stray)} is not a check this prescription "
                             "raises that can be overridden.", code="unknown_override",
                             field="overrides")
    blocking = plan.unresolved(overrides)
    if blocking:
        words = "; ".join(c.message for c in blocking)
        raise PrescriptionBlocked(f"The prescription is blocked: {words}.", blocking)


def _cycle_record(plan: CyclePlan, cycle: CycleIn, user: User, now: datetime
                  ) -> dict[str, object]:
    creatinine = _creatinine(cycle.results)
    measures = {"weight_kg": str(cycle.weight_kg), "bsa_formula": cycle.bsa_formula,
                "weight_policy": cycle.weight_policy,
                "creatinine_umol_l": (str(creatinine.value) if creatinine is not None
                                      and creatinine.unit == "umol/L" else None),
                "percent": {k: str(v) for k, v in plan.percent.items()}}
    checks = [c.to_json() for c in plan.checks]
    overrides = {code: {"reason": reason.strip(), "by": user.id, "at": now.isoformat(),
                        "second_person": _second(plan, code), "acknowledged_by": None}
                 for code, reason in cycle.overrides.items()}
    return {"treatment_date": cycle.treatment_date, "measures": measures,
            "results": [_result_json(r) for r in cycle.results],
            "reductions": {k: str(v) for k, v in cycle.reductions.items()}
            | {f"level:{k}": str(v) for k, v in cycle.levels.items()},
            "calculation": plan.calculation.to_json(), "checks": checks, "overrides": overrides}


def _second(plan: CyclePlan, code: str) -> bool:
    return any(c.code == code and c.second_person for c in plan.checks)


def _result_json(result: Result) -> dict[str, object]:
    return {"test": result.test, "value": str(result.value), "unit": result.unit,
            "taken_on": result.taken_on.isoformat(),
            "upper_limit": None if result.upper_limit is None else str(result.upper_limit)}


def cycle_in_from_record(prescription: SactPrescription) -> CycleIn:
    """The inputs a stored prescription was planned from (to re-plan or amend it)."""
    results = tuple(Result(r["test"], Decimal(r["value"]), r["unit"],
                           date.fromisoformat(r["taken_on"]),
                           None if r["upper_limit"] is None else Decimal(r["upper_limit"]))
                    for r in prescription.results)
    reductions = {k: Decimal(v) for k, v in prescription.reductions.items() if ":" not in k}
    levels = {k.split(":", 1)[1]: Decimal(v) for k, v in prescription.reductions.items()
              if k.startswith("level:")}
    return CycleIn(prescription.treatment_date, Decimal(prescription.measures["weight_kg"]),
                   results, reductions, levels,
                   {k: v["reason"] for k, v in prescription.overrides.items()},
                   prescription.measures["bsa_formula"], prescription.measures["weight_policy"])


# -- the actions -------------------------------------------------------------------------------
@action
def prescribe_cycle(session: Session, course_id: int, cycle: CycleIn, *, acting_user: User,
                    course_version: int | None = None) -> SactPrescription:
    """Prescribe the next cycle of a course (prescriber); blocked with reasons when unsafe."""
    require_role(acting_user, PRESCRIBE_ROLES)
    course = course_for(session, course_id, acting_user)
    if course_version is not None:
        _require_version(course, course_version, "course")
    if course.status != "active":
        raise WorkflowConflict(f"Course {course_id} is {course.status}.", code="course_closed")
    pending = [p for p in course.prescriptions if p.status != "administered"]
    if pending:
        raise WorkflowConflict(f"Cycle {pending[0].cycle_number} is not yet administered; "
                               "amend it instead of prescribing another.",
                               code="cycle_in_progress")
    number = len(course.prescriptions) + 1
    plan = plan_for(session, course, number, cycle)
    _require_resolved(plan, cycle.overrides)
    now = _now()
    row = SactPrescription(organisation_id=course.organisation_id, course_id=course.id,
                           cycle_number=number, status="prescribed",
                           prescribed_by_id=acting_user.id, prescribed_at=now,
                           **_cycle_record(plan, cycle, acting_user, now))
    session.add(row)
    course.prescriptions.append(row)
    session.flush()
    _audit(session, acting_user, "sact_prescribe", "sact_prescription", row.id,
           {"course_id": course.id, "cycle": number, "protocol": course.protocol_id,
            "checks": [c.code for c in plan.checks], "overrides": _override_audit(row)})
    return row


def _override_audit(row: SactPrescription) -> dict[str, str]:
    return {code: value["reason"] for code, value in row.overrides.items()}


@action
def amend_prescription(session: Session, prescription_id: int, cycle: CycleIn, *,
                       acting_user: User, version: int | None, reason: str) -> SactPrescription:
    """Change a cycle before it is given (prescriber): doses are recalculated, checks run
    again, and any verification is withdrawn: it must be verified again."""
    require_role(acting_user, PRESCRIBE_ROLES)
    require_clean_text(free={"reason": reason})
    row = prescription_for(session, prescription_id, acting_user)
    _require_version(row, version, "prescription")
    if row.status == "administered":
        raise WorkflowConflict("An administered cycle cannot be changed.", code="administered")
    if not reason.strip():
        raise InvalidRequest("reason: say why the prescription changes.", code="reason_required",
                             field="reason")
    plan = plan_for(session, row.course, row.cycle_number, cycle)
    _require_resolved(plan, cycle.overrides)
    was = row.status
    for name, value in _cycle_record(plan, cycle, acting_user, _now()).items():
        setattr(row, name, value)
    row.status, row.change_reason = "prescribed", reason.strip()
    row.verified_by_id = row.verified_at = row.verification = None
    row.released_by_id = row.released_at = None
    session.flush()
    _audit(session, acting_user, "sact_amend", "sact_prescription", row.id,
           {"cycle": row.cycle_number, "was": was, "reason": reason.strip(),
            "needs": "verification", "overrides": _override_audit(row)})
    return row


def verifier_level(session: Session, user: User) -> str | None:
    """The user's BOPA verification level, if recorded."""
    found = session.get(SactVerifierLevel, user.id)
    return None if found is None else found.level


@action
def verify_prescription(session: Session, prescription_id: int, *, acting_user: User,
                        version: int | None, checklist: dict[str, bool],
                        acknowledged: list[str]) -> SactPrescription:
    """Pharmacist clinical verification: level for the cycle, not the prescriber, the BOPA
    checklist, and acknowledgement of every override that needs a second person."""
    require_role(acting_user, VERIFY_ROLES)
    row = prescription_for(session, prescription_id, acting_user)
    _require_version(row, version, "prescription")
    _require_status(row, "prescribed", "verified")
    if row.prescribed_by_id == acting_user.id:
        raise PermissionDenied("The verifier cannot be the prescriber (notes §4.4).")
    level = verifier_level(session, acting_user)
    needed = CYCLE_ONE_LEVELS if row.cycle_number == 1 else LATER_CYCLE_LEVELS
    if level not in needed:
        raise PermissionDenied(f"Cycle {row.cycle_number} needs a verifier at BOPA level "
                               f"{' or '.join(needed)}; your level is {level or 'not recorded'}.")
    missing = [item for item in CHECKLIST if not checklist.get(item)]
    if missing:
        raise InvalidRequest(f"checklist: confirm {', '.join(missing)}.",
                             code="checklist_incomplete", field="checklist")
    _acknowledge(row, acting_user, acknowledged)
    row.status, row.verified_by_id, row.verified_at = "verified", acting_user.id, _now()
    row.verification = {"checklist": list(CHECKLIST), "level": level,
                        "acknowledged": sorted(acknowledged)}
    session.flush()
    _audit(session, acting_user, "sact_verify", "sact_prescription", row.id,
           {"cycle": row.cycle_number, "level": level, "acknowledged": sorted(acknowledged)})
    return row


def _acknowledge(row: SactPrescription, user: User, acknowledged: list[str]) -> None:
    needing = sorted(code for code, o in row.overrides.items() if o["second_person"])
    missing = [code for code in needing if code not in acknowledged]
    if missing:
        raise InvalidRequest(f"acknowledged: the override of {', '.join(missing)} needs a "
                             "second person's acknowledgement.", code="acknowledgement_needed",
                             field="acknowledged")
    overrides = dict(row.overrides)
    for code in needing:
        overrides[code] = overrides[code] | {"acknowledged_by": user.id,
                                             "acknowledged_at": _now().isoformat()}
    row.overrides = overrides


def _require_status(row: SactPrescription, status: str, step: str) -> None:
    if row.status != status:
        raise WorkflowConflict(f"Cycle {row.cycle_number} is {row.status}; only a {status} "
                               f"prescription can be {step}.", code="wrong_status")


@action
def release_prescription(session: Session, prescription_id: int, *, acting_user: User,
                         version: int | None) -> SactPrescription:
    """Release a verified prescription to the aseptic unit (pharmacist)."""
    require_role(acting_user, VERIFY_ROLES)
    row = prescription_for(session, prescription_id, acting_user)
    _require_version(row, version, "prescription")
    _require_status(row, "verified", "released")
    row.status, row.released_by_id, row.released_at = "released", acting_user.id, _now()
    session.flush()
    _audit(session, acting_user, "sact_release", "sact_prescription", row.id,
           {"cycle": row.cycle_number})
    return row


@action
def administer_prescription(session: Session, prescription_id: int, given: list[GivenIn], *,
                            acting_user: User, version: int | None) -> SactPrescription:
    """Record the administration of a released cycle (nurse): batch and time per drug line,
    and the pump rate the system worked out, never one the nurse calculated."""
    require_role(acting_user, ADMINISTER_ROLES)
    row = prescription_for(session, prescription_id, acting_user)
    _require_version(row, version, "prescription")
    _require_status(row, "released", "administered")
    lines = row.calculation["drugs"]
    _check_given(lines, given)
    row.status, row.administered_by_id, row.administered_at = ("administered", acting_user.id,
                                                               _now())
    row.administration = {"lines": [{"drug": g.drug, "batch": g.batch,
                                     "started_at": g.started_at.isoformat(),
                                     "pump_rate_ml_h": None if g.pump_rate_ml_h is None
                                     else str(g.pump_rate_ml_h)} for g in given]}
    _record_given(session, row, acting_user)
    if row.cycle_number >= load_protocol(row.course.protocol_id).cycles:
        row.course.status = "completed"
    session.flush()
    _audit(session, acting_user, "sact_administer", "sact_prescription", row.id,
           {"cycle": row.cycle_number, "lines": len(given)})
    return row


def _check_given(lines: list[dict], given: list[GivenIn]) -> None:
    require_clean_text(**{f"given.{i}.batch": g.batch for i, g in enumerate(given)})
    expected = [line["drug"] for line in lines]
    if sorted(g.drug for g in given) != sorted(expected):
        raise InvalidRequest(f"given: record each drug line of the day once: "
                             f"{', '.join(expected)}.", code="lines_mismatch", field="given")
    for index, entry in enumerate(given):
        if not entry.batch.strip():
            raise InvalidRequest(f"given.{index}.batch: the batch number of {entry.drug} is "
                                 "empty.", code="batch_required", field=f"given.{index}.batch")
    pending = list(lines)
    for index, entry in enumerate(given):
        line = next(x for x in pending if x["drug"] == entry.drug)
        pending.remove(line)
        _check_rate(index, entry, line)


def _check_rate(index: int, entry: GivenIn, line: dict) -> None:
    rate = line.get("pump_rate_ml_h")
    if rate is None:
        return
    expected = Decimal(str(rate))
    if entry.pump_rate_ml_h is None or abs(entry.pump_rate_ml_h - expected) > \
            PUMP_RATE_TOLERANCE:
        raise InvalidRequest(f"given.{index}.pump_rate_ml_h: {entry.drug} runs at "
                             f"{plain(expected)} mL/h as calculated; "
                             f"{entry.pump_rate_ml_h} mL/h was entered.",
                             code="pump_rate_mismatch", field=f"given.{index}.pump_rate_ml_h")


def _record_given(session: Session, row: SactPrescription, user: User) -> None:
    bsa = Decimal(str(row.calculation["bsa_unrounded_m2"]))
    for line in row.calculation["drugs"]:
        amount = Decimal(str(line["dose_per_administration_mg"]))
        total = amount * line["administrations_per_day"] * len(line["days"])
        session.add(SactDoseGiven(
            organisation_id=row.organisation_id, nhs_number=row.course.nhs_number,
            drug=line["drug"], amount=str(total), unit=line["unit"],
            mg_per_m2=str(rounded(total / bsa, 4)),
            given_on=row.treatment_date, source="administered", prescription_id=row.id,
            entered_by_id=user.id, entered_at=_now()))


@action
def record_dose_elsewhere(session: Session, *, acting_user: User, nhs_number: str, drug: str,
                          amount: Decimal, unit: str, mg_per_m2: Decimal | None,
                          given_on: date, note: str | None = None) -> SactDoseGiven:
    """Enter a dose given elsewhere, by hand, so lifetime totals count it (§4.1)."""
    require_role(acting_user, PRESCRIBE_ROLES + VERIFY_ROLES)
    require_clean_text(drug=drug, unit=unit, free={"note": note})
    number = normalised_nhs_number(nhs_number)
    if not is_valid_nhs_number(number):
        raise InvalidRequest(f"nhs_number {nhs_number!r} is not a valid NHS number.",
                             code="invalid_nhs_number", field="nhs_number")
    allowed = ("IU",) if drug == "bleomycin" else ("mg",)
    if unit not in allowed:
        raise InvalidRequest(f"unit: {drug} is recorded in {allowed[0]}, not {unit!r} "
                             "(bleomycin in IU, never mg: notes §4.1).", code="invalid_unit",
                             field="unit")
    if amount <= 0 or (mg_per_m2 is not None and mg_per_m2 <= 0):
        raise InvalidRequest("amount: a dose given is above 0.", code="invalid_amount",
                             field="amount")
    row = SactDoseGiven(organisation_id=acting_user.organisation_id, nhs_number=number,
                        drug=drug, amount=str(amount), unit=unit,
                        mg_per_m2=None if mg_per_m2 is None else str(mg_per_m2),
                        given_on=given_on, source="entered by hand", note=note,
                        entered_by_id=acting_user.id, entered_at=_now())
    session.add(row)
    session.flush()
    _audit(session, acting_user, "sact_record_dose_elsewhere", "sact_dose_given", row.id,
           {"drug": drug, "amount": str(amount), "unit": unit,
            "mg_per_m2": None if mg_per_m2 is None else str(mg_per_m2)})
    return row


@action
def set_verifier_level(session: Session, user_id: int, level: str, *, acting_user: User
                       ) -> SactVerifierLevel:
    """Record a pharmacist's BOPA verification level (admin of the same organisation)."""
    require_role(acting_user, LEVEL_ROLES)
    if level not in LEVELS:
        raise InvalidRequest(f"level {level!r} is not allowed; allowed: {', '.join(LEVELS)}.",
                             code="invalid_level", field="level")
    user = session.get(User, user_id) if valid_id(user_id) else None
    if user is None or user.organisation_id != acting_user.organisation_id:
        raise NotFound(f"User {user_id} was not found.")
    if user.role not in VERIFY_ROLES:
        raise InvalidRequest(f"User {user_id} is a {user.role}; only pharmacists verify.",
                             code="not_a_pharmacist", field="user_id")
    row = session.get(SactVerifierLevel, user_id) or SactVerifierLevel(user_id=user_id)
    row.level, row.recorded_by_id, row.recorded_at = level, acting_user.id, _now()
    session.add(row)
    session.flush()
    _audit(session, acting_user, "sact_set_verifier_level", "user", user_id, {"level": level})
    return row
