"""Decision to treat from the MDT outcome: the chosen option links to the regimen; a regimen
not among the chosen options needs a reason; another trust's case cannot be linked."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sact_helpers import People, course_in, cycle_in
from sqlalchemy.orm import Session

from openmdt.sact import workflow
from openmdt.store.errors import NotFound
from openmdt.store.models import Meeting, MeetingCase, Outcome, User

NOW = datetime(2026, 12, 1, 17, tzinfo=UTC)


def _decided_case(db: Session, user: User, chosen: list[str]) -> int:
    meeting = Meeting(organisation_id=user.organisation_id, title="Urology MDT",
                      meeting_date=date(2026, 12, 1), mdt_type="1201", site_code="RXX01",
                      pack_id="prostate-nice-ng131", status="open", created_by_id=user.id,
                      created_at=NOW)
    db.add(meeting)
    db.flush()
    case = MeetingCase(organisation_id=user.organisation_id, meeting_id=meeting.id,
                       position=1, case_ref="C1", site="prostate",
                       patient={"nhs_number": "9434765919"}, status="decided", created_at=NOW)
    db.add(case)
    db.flush()
    db.add(Outcome(case_id=case.id, version=1, discussion_type="01", chosen_options=chosen,
                   recommended_options=chosen, concordant=True, care_plan_intent="Z",
                   planned_treatment_types=["02"], rationale="MDT decision", fact_version=1,
                   recorded_by_id=user.id, recorded_at=NOW))
    db.commit()
    return case.id


def test_the_mdt_option_links_the_regimen(db: Session, people: People) -> None:
    case_id = _decided_case(db, people.admin, ["castration_resistant_disease/docetaxel"])
    course = workflow.start_course(db, course_in("docetaxel-prednisolone-prostate", sex="male",
                                                 meeting_case_id=case_id),
                                   acting_user=people.prescriber)
    assert course.indication == "prostate-nice-ng131:castration_resistant_disease/docetaxel"
    p = workflow.prescribe_cycle(db, course.id, cycle_in(overrides={}),
                                 acting_user=people.prescriber)
    assert "indication_not_chosen" not in {c["code"] for c in p.checks}
    # by hand: sqrt(165 x 70 / 3600) = 1.79118; 75 x 1.79118 = 134.34 mg
    assert p.calculation["drugs"][0]["calculated_mg"] == 134.34


def test_a_regimen_the_mdt_did_not_choose_needs_a_reason(db: Session, people: People) -> None:
    case_id = _decided_case(db, people.admin, ["castration_resistant_disease/enzalutamide"])
    course = workflow.start_course(db, course_in("docetaxel-prednisolone-prostate", sex="male",
                                                 meeting_case_id=case_id),
                                   acting_user=people.prescriber)
    assert course.indication is None
    with pytest.raises(workflow.PrescriptionBlocked, match="is not among the options the MDT "
                                                           "chose for this patient"):
        workflow.prescribe_cycle(db, course.id, cycle_in(overrides={}),
                                 acting_user=people.prescriber)


def test_another_trusts_case_cannot_be_linked(db: Session, people: People) -> None:
    outsider_admin = people.other_prescriber
    case_id = _decided_case(db, outsider_admin, ["castration_resistant_disease/docetaxel"])
    with pytest.raises(NotFound):
        workflow.start_course(db, course_in("docetaxel-prednisolone-prostate", sex="male",
                                            meeting_case_id=case_id),
                              acting_user=people.prescriber)
