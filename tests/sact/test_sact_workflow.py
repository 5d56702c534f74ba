"""Prescribe -> verify -> release -> administer on SQLite and PostgreSQL: roles, tenancy,
versions, re-verification after change, audit, and each blocked prescription's reason."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
from sact_helpers import NHS_NUMBER, TREATMENT_DAY, People, course_in, cycle_in, good_bloods
from sqlalchemy import select
from sqlalchemy.orm import Session

from openmdt.sact import workflow
from openmdt.sact.safety import Result
from openmdt.store.errors import (
    InvalidRequest,
    NotFound,
    PermissionDenied,
    StaleVersion,
    WorkflowConflict,
)
from openmdt.store.models import AuditEvent
from openmdt.store.sact_tables import SactDoseGiven, SactPrescription

CHECKLIST = dict.fromkeys(workflow.CHECKLIST, True)
START = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)


def _given(prescription: SactPrescription) -> list[workflow.GivenIn]:
    return [workflow.GivenIn(line["drug"], f"B{i}", START,
                             None if line["pump_rate_ml_h"] is None
                             else D(str(line["pump_rate_ml_h"])))
            for i, line in enumerate(prescription.calculation["drugs"])]


def _through(db: Session, people: People, prescription: SactPrescription,
             acknowledged: list[str] = ()) -> SactPrescription:  # type: ignore[assignment]
    p = workflow.verify_prescription(db, prescription.id, acting_user=people.pharmacist,
                                     version=prescription.row_version, checklist=CHECKLIST,
                                     acknowledged=list(acknowledged))
    p = workflow.release_prescription(db, p.id, acting_user=people.pharmacist,
                                      version=p.row_version)
    return workflow.administer_prescription(db, p.id, _given(p), acting_user=people.nurse,
                                            version=p.row_version)


def _actions(db: Session) -> list[str]:
    return [e.action for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_the_whole_workflow_is_audited_and_records_the_doses(db: Session,
                                                             people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    p = workflow.prescribe_cycle(db, course.id, cycle_in(), acting_user=people.prescriber)
    assert p.status == "prescribed" and p.cycle_number == 1
    # by hand: BSA sqrt(165 x 70 / 3600) = 1.79118; doxorubicin 60 x 1.79118 = 107.47 mg
    doxorubicin = p.calculation["drugs"][0]
    assert (doxorubicin["drug"], doxorubicin["calculated_mg"]) == ("doxorubicin", 107.47)
    assert p.overrides["indication_not_chosen"]["reason"] == "breast MDT 1 December: AC agreed"
    p = _through(db, people, p)
    assert p.status == "administered" and p.verified_by_id == people.pharmacist.id
    given = db.scalars(select(SactDoseGiven).order_by(SactDoseGiven.id)).all()
    assert [(g.drug, g.amount, g.source) for g in given] == [
        ("doxorubicin", "107.47", "administered"), ("cyclophosphamide", "1074.71", "administered")]
    assert _actions(db)[-5:] == ["sact_start_course", "sact_prescribe", "sact_verify",
                                 "sact_release", "sact_administer"]


def test_each_step_needs_its_role(db: Session, people: People) -> None:
    with pytest.raises(PermissionDenied, match="needs: prescriber"):
        workflow.start_course(db, course_in(), acting_user=people.nurse)
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    p = workflow.prescribe_cycle(db, course.id, cycle_in(), acting_user=people.prescriber)
    with pytest.raises(PermissionDenied, match="needs: pharmacist"):
        workflow.verify_prescription(db, p.id, acting_user=people.prescriber,
                                     version=p.row_version, checklist=CHECKLIST,
                                     acknowledged=[])
    with pytest.raises(PermissionDenied, match="needs: nurse"):
        workflow.administer_prescription(db, p.id, [], acting_user=people.pharmacist,
                                         version=p.row_version)


def test_no_step_can_be_skipped(db: Session, people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    p = workflow.prescribe_cycle(db, course.id, cycle_in(), acting_user=people.prescriber)
    with pytest.raises(WorkflowConflict, match="only a released prescription"):
        workflow.administer_prescription(db, p.id, _given(p), acting_user=people.nurse,
                                         version=p.row_version)
    with pytest.raises(WorkflowConflict, match="only a verified prescription"):
        workflow.release_prescription(db, p.id, acting_user=people.pharmacist,
                                      version=p.row_version)


def test_cycle_one_needs_level_2c_and_later_cycles_2b(db: Session, people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    p = workflow.prescribe_cycle(db, course.id, cycle_in(), acting_user=people.prescriber)
    with pytest.raises(PermissionDenied, match="BOPA level 2c or 3; your level is 2b"):
        workflow.verify_prescription(db, p.id, acting_user=people.junior_pharmacist,
                                     version=p.row_version, checklist=CHECKLIST,
                                     acknowledged=[])
    _through(db, people, p)
    later = cycle_in(treatment_date=TREATMENT_DAY + timedelta(days=21),
                     results=good_bloods(TREATMENT_DAY + timedelta(days=20)))
    p2 = workflow.prescribe_cycle(db, course.id, later, acting_user=people.prescriber)
    verified = workflow.verify_prescription(db, p2.id, acting_user=people.junior_pharmacist,
                                            version=p2.row_version, checklist=CHECKLIST,
                                            acknowledged=[])
    assert verified.verification["level"] == "2b"


def test_the_checklist_must_be_complete(db: Session, people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    p = workflow.prescribe_cycle(db, course.id, cycle_in(), acting_user=people.prescriber)
    with pytest.raises(InvalidRequest, match="confirm administration"):
        workflow.verify_prescription(db, p.id, acting_user=people.pharmacist,
                                     version=p.row_version,
                                     checklist=CHECKLIST | {"administration": False},
                                     acknowledged=[])


def test_a_stale_version_is_a_conflict(db: Session, people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    p = workflow.prescribe_cycle(db, course.id, cycle_in(), acting_user=people.prescriber)
    read = p.row_version
    workflow.amend_prescription(db, p.id, cycle_in("71"), acting_user=people.prescriber,
                                version=read, reason="weighed again")
    with pytest.raises(StaleVersion) as caught:
        workflow.verify_prescription(db, p.id, acting_user=people.pharmacist, version=read,
                                     checklist=CHECKLIST, acknowledged=[])
    assert caught.value.status == 409


def test_a_changed_prescription_must_be_verified_again(db: Session, people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    p = workflow.prescribe_cycle(db, course.id, cycle_in(), acting_user=people.prescriber)
    p = workflow.verify_prescription(db, p.id, acting_user=people.pharmacist,
                                     version=p.row_version, checklist=CHECKLIST,
                                     acknowledged=[])
    p = workflow.release_prescription(db, p.id, acting_user=people.pharmacist,
                                      version=p.row_version)
    p = workflow.amend_prescription(db, p.id, cycle_in("80"), acting_user=people.prescriber,
                                    version=p.row_version, reason="weight was 80 kg")
    assert (p.status, p.verified_by_id, p.released_by_id) == ("prescribed", None, None)
    # by hand: sqrt(165 x 80 / 3600) = 1.91485; 60 x 1.91485 = 114.89 mg
    assert p.calculation["drugs"][0]["calculated_mg"] == 114.89
    with pytest.raises(WorkflowConflict, match="only a released"):
        workflow.administer_prescription(db, p.id, _given(p), acting_user=people.nurse,
                                         version=p.row_version)
    assert "sact_amend" in _actions(db)


def test_other_organisations_see_nothing(db: Session, people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    p = workflow.prescribe_cycle(db, course.id, cycle_in(), acting_user=people.prescriber)
    with pytest.raises(NotFound):
        workflow.course_for(db, course.id, people.other_prescriber)
    with pytest.raises(NotFound):
        workflow.prescription_for(db, p.id, people.other_prescriber)
    with pytest.raises(NotFound):
        workflow.prescribe_cycle(db, course.id, cycle_in(),
                                 acting_user=people.other_prescriber)
    assert workflow.courses_of(db, people.other_prescriber) == []


def test_low_neutrophils_block_with_the_reason_and_write_nothing(db: Session,
                                                                people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    bloods = (Result("neutrophils", D("0.8"), "x10^9/L", TREATMENT_DAY),
              *good_bloods()[1:])
    before = len(_actions(db))
    with pytest.raises(workflow.PrescriptionBlocked) as caught:
        workflow.prescribe_cycle(db, course.id, cycle_in(results=bloods),
                                 acting_user=people.prescriber)
    assert "neutrophils 0.8 x10^9/L is below 1.0 x10^9/L: hold AC" in caught.value.detail
    assert caught.value.checks[0].outcome == "stop"
    assert len(_actions(db)) == before
    assert db.scalars(select(SactPrescription)).all() == []


def test_a_count_between_the_tiers_reduces_the_dose(db: Session, people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    bloods = (Result("neutrophils", D("1.2"), "x10^9/L", TREATMENT_DAY), *good_bloods()[1:])
    p = workflow.prescribe_cycle(db, course.id, cycle_in(results=bloods),
                                 acting_user=people.prescriber)
    # by hand: 75% of 107.47 = 80.60 mg
    assert p.calculation["drugs"][0]["calculated_mg"] == 80.6
    assert any(c["code"] == "neutrophils_reduce" and "at 75%" in c["message"]
               for c in p.checks)


def test_old_or_missing_results_are_a_hard_stop(db: Session, people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    old = TREATMENT_DAY - timedelta(days=8)
    bloods = (Result("neutrophils", D(3), "x10^9/L", old), *good_bloods()[1:])
    with pytest.raises(workflow.PrescriptionBlocked,
                       match="neutrophils result of 29 November 2026 is not within the 7 days"):
        workflow.prescribe_cycle(db, course.id, cycle_in(results=bloods),
                                 acting_user=people.prescriber)
    with pytest.raises(workflow.PrescriptionBlocked, match="no platelets result"):
        workflow.prescribe_cycle(db, course.id, cycle_in(results=good_bloods()[:1]),
                                 acting_user=people.prescriber)


def test_a_hard_stop_cannot_be_overridden(db: Session, people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    bloods = (Result("neutrophils", D("0.8"), "x10^9/L", TREATMENT_DAY), *good_bloods()[1:])
    overrides = {"neutrophils_hold": "clinician insists"}
    with pytest.raises(InvalidRequest, match="neutrophils_hold is not a check"):
        workflow.prescribe_cycle(db, course.id, cycle_in(results=bloods, overrides=overrides),
                                 acting_user=people.prescriber)


def test_lifetime_anthracycline_override_needs_a_second_person(db: Session,
                                                               people: People) -> None:
    workflow.record_dose_elsewhere(db, acting_user=people.prescriber, nhs_number=NHS_NUMBER,
                                   drug="doxorubicin", amount=D(900), unit="mg",
                                   mg_per_m2=D(500), given_on=date(2019, 3, 1),
                                   note="lymphoma treatment at another hospital")
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    with pytest.raises(workflow.PrescriptionBlocked) as caught:
        workflow.prescribe_cycle(db, course.id, cycle_in(), acting_user=people.prescriber)
    check = next(c for c in caught.value.checks if c.code == "anthracycline_limit")
    # by hand: 500 before; this cycle 107.47 / 1.79118 = 60.0; 560.0 > 550
    assert "500 mg/m2 doxorubicin-equivalent before this cycle, 560 with it" in check.message
    assert check.second_person
    reason = "consultant: cardiac MRI normal, benefit outweighs risk"
    p = workflow.prescribe_cycle(
        db, course.id, cycle_in(overrides={"indication_not_chosen": "AC agreed at MDT",
                                           "anthracycline_limit": reason}),
        acting_user=people.prescriber)
    with pytest.raises(InvalidRequest, match="anthracycline_limit needs a second person"):
        workflow.verify_prescription(db, p.id, acting_user=people.pharmacist,
                                     version=p.row_version, checklist=CHECKLIST,
                                     acknowledged=[])
    p = workflow.verify_prescription(db, p.id, acting_user=people.pharmacist,
                                     version=p.row_version, checklist=CHECKLIST,
                                     acknowledged=["anthracycline_limit"])
    assert p.overrides["anthracycline_limit"]["acknowledged_by"] == people.pharmacist.id
    audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "sact_prescribe")).one()
    assert audit.details["overrides"]["anthracycline_limit"] == reason


def test_chest_radiotherapy_lowers_the_anthracycline_limit(db: Session,
                                                           people: People) -> None:
    workflow.record_dose_elsewhere(db, acting_user=people.prescriber, nhs_number=NHS_NUMBER,
                                   drug="epirubicin", amount=D(800), unit="mg",
                                   mg_per_m2=D(450), given_on=date(2020, 1, 1))
    course = workflow.start_course(db, course_in(chest_radiotherapy=True),
                                   acting_user=people.prescriber)
    with pytest.raises(workflow.PrescriptionBlocked) as caught:
        workflow.prescribe_cycle(db, course.id, cycle_in(), acting_user=people.prescriber)
    # by hand: epirubicin 450 x 0.8 = 360 before; + 60 = 420 > 400
    assert "360 mg/m2 doxorubicin-equivalent before this cycle, 420 with it" in \
        caught.value.detail and "limit 400 mg/m2" in caught.value.detail


def test_bleomycin_in_mg_is_refused(db: Session, people: People) -> None:
    with pytest.raises(InvalidRequest, match="bleomycin is recorded in IU"):
        workflow.record_dose_elsewhere(db, acting_user=people.prescriber,
                                       nhs_number=NHS_NUMBER, drug="bleomycin", amount=D(30),
                                       unit="mg", mg_per_m2=None, given_on=date(2020, 1, 1))


def test_dpd_status_before_fluoropyrimidines(db: Session, people: People) -> None:
    unknown = workflow.start_course(db, course_in("capecitabine-colorectal",
                                                  dpyd_status="unknown"),
                                    acting_user=people.prescriber)
    with pytest.raises(workflow.PrescriptionBlocked, match="no DPYD result before capecitabine"):
        workflow.prescribe_cycle(db, unknown.id, cycle_in(), acting_user=people.prescriber)
    complete = workflow.start_course(db, course_in("capecitabine-colorectal",
                                                   dpyd_status="complete_deficiency",
                                                   nhs_number="9990000018"),
                                     acting_user=people.prescriber)
    with pytest.raises(InvalidRequest, match="dpd_complete_deficiency is not a check"):
        workflow.prescribe_cycle(db, complete.id, cycle_in(overrides={
            "indication_not_chosen": "x", "dpd_complete_deficiency": "urgent"}),
            acting_user=people.prescriber)
    with pytest.raises(workflow.PrescriptionBlocked,
                       match="complete DPD deficiency: do not give capecitabine"):
        workflow.prescribe_cycle(db, complete.id, cycle_in(), acting_user=people.prescriber)


def test_duplicate_therapy_needs_a_reason(db: Session, people: People) -> None:
    workflow.start_course(db, course_in("ec-breast"), acting_user=people.prescriber)
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    with pytest.raises(workflow.PrescriptionBlocked,
                       match="cyclophosphamide is also in another active course"):
        workflow.prescribe_cycle(db, course.id, cycle_in(), acting_user=people.prescriber)


def test_weight_change_of_ten_percent_recalculates_for_re_verification(
        db: Session, people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    _through(db, people, workflow.prescribe_cycle(db, course.id, cycle_in("70"),
                                                  acting_user=people.prescriber))
    later = TREATMENT_DAY + timedelta(days=21)
    p2 = workflow.prescribe_cycle(db, course.id, cycle_in(
        "63", treatment_date=later, results=good_bloods(later, creatinine="100")),
        acting_user=people.prescriber)
    messages = {c["code"]: c["message"] for c in p2.checks}
    assert messages["weight_changed"].startswith("weight changed by 10% since cycle 1")
    assert messages["creatinine_changed"].startswith("creatinine changed by 25% since cycle 1")
    assert p2.status == "prescribed"  # the pharmacist verifies the recalculated doses


def test_a_reduced_dose_goes_back_up_only_with_a_reason(db: Session, people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    _through(db, people, workflow.prescribe_cycle(
        db, course.id, cycle_in(reductions={"doxorubicin": D(80)}),
        acting_user=people.prescriber))
    later = TREATMENT_DAY + timedelta(days=21)
    with pytest.raises(workflow.PrescriptionBlocked,
                       match="doxorubicin goes back up from 80% to 100%"):
        workflow.prescribe_cycle(db, course.id, cycle_in(
            treatment_date=later, results=good_bloods(later)), acting_user=people.prescriber)


def test_a_dose_is_never_raised_above_the_protocol(db: Session, people: People) -> None:
    # Betsy Lehman (notes §5.1): no typed doses and no multiplier above 100%
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    with pytest.raises(InvalidRequest, match="400% is not allowed"):
        workflow.prescribe_cycle(db, course.id, cycle_in(
            reductions={"cyclophosphamide": D(400)}), acting_user=people.prescriber)


def test_only_one_cycle_at_a_time_and_never_past_the_protocol(db: Session,
                                                               people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    workflow.prescribe_cycle(db, course.id, cycle_in(), acting_user=people.prescriber)
    with pytest.raises(WorkflowConflict, match="Cycle 1 is not yet administered"):
        workflow.prescribe_cycle(db, course.id, cycle_in(), acting_user=people.prescriber)


def test_bad_course_input_names_the_field(db: Session, people: People) -> None:
    with pytest.raises(InvalidRequest, match="not a valid NHS number"):
        workflow.start_course(db, course_in(nhs_number="1234567890"),
                              acting_user=people.prescriber)
    with pytest.raises(InvalidRequest, match="protocol_id 'folfirinox'"):
        workflow.start_course(db, course_in("folfirinox"), acting_user=people.prescriber)
    with pytest.raises(InvalidRequest, match="height 17 cm is outside"):
        workflow.start_course(db, course_in(height_cm=D(17)), acting_user=people.prescriber)


def test_results_name_a_known_test_and_unit(db: Session, people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    typo = (Result("neutrophil", D(3), "x10^9/L", TREATMENT_DAY), *good_bloods()[1:])
    with pytest.raises(InvalidRequest, match="'neutrophil' is not a result the protocols read"):
        workflow.prescribe_cycle(db, course.id, cycle_in(results=typo),
                                 acting_user=people.prescriber)
    wrong_unit = (*good_bloods()[:3], Result("creatinine", D(80), "mmol/L", TREATMENT_DAY))
    with pytest.raises(InvalidRequest, match="creatinine is given in umol/L or mg/dL"):
        workflow.prescribe_cycle(db, course.id, cycle_in(results=wrong_unit),
                                 acting_user=people.prescriber)


def test_a_protocol_changed_since_the_course_started_needs_a_reason(db: Session,
                                                                     people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    course.protocol_digest = "0" * 64  # the file was edited after this course started
    db.commit()
    with pytest.raises(workflow.PrescriptionBlocked,
                       match="ac-breast changed since the course started on version 1"):
        workflow.prescribe_cycle(db, course.id, cycle_in(), acting_user=people.prescriber)
