"""Property: whatever order people try the steps in, no prescription reaches 'administered'
without a verification after its last change and a release after that verification."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sact_helpers import People, course_in, cycle_in
from sqlalchemy import select
from sqlalchemy.orm import Session

from openmdt.sact import workflow
from openmdt.store.errors import ServiceError
from openmdt.store.models import AuditEvent
from openmdt.store.sact_tables import SactPrescription

STEPS = ("verify", "verify_junior", "release", "administer", "amend", "reread")
CHECKLIST = dict.fromkeys(workflow.CHECKLIST, True)


def _attempt(db: Session, people: People, step: str, p: SactPrescription, version: int
             ) -> None:
    if step == "verify":
        workflow.verify_prescription(db, p.id, acting_user=people.pharmacist, version=version,
                                     checklist=CHECKLIST, acknowledged=[])
    elif step == "verify_junior":
        workflow.verify_prescription(db, p.id, acting_user=people.junior_pharmacist,
                                     version=version, checklist=CHECKLIST, acknowledged=[])
    elif step == "release":
        workflow.release_prescription(db, p.id, acting_user=people.pharmacist, version=version)
    elif step == "administer":
        given = [workflow.GivenIn(d["drug"], "B", datetime(2026, 12, 7, tzinfo=UTC))
                 for d in p.calculation["drugs"]]
        workflow.administer_prescription(db, p.id, given, acting_user=people.nurse,
                                         version=version)
    elif step == "amend":
        workflow.amend_prescription(db, p.id, cycle_in("71"), acting_user=people.prescriber,
                                    version=version, reason="re-weighed")


def _trail(db: Session, prescription_id: int) -> list[str]:
    return [e.action for e in db.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "sact_prescription", AuditEvent.entity_id == prescription_id
    ).order_by(AuditEvent.id))]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(steps=[("verify", False), ("release", False), ("administer", False)])
@example(steps=[("verify", False), ("release", False), ("amend", False), ("administer", False),
                ("release", False), ("verify_junior", False), ("verify", False),
                ("release", False), ("administer", False)])
@example(steps=[("administer", False), ("release", False), ("verify", True)])
@given(steps=st.lists(st.tuples(st.sampled_from(STEPS), st.booleans()), max_size=10))
def test_no_path_to_administered_skips_verification(db: Session, people: People,
                                                    steps: list[tuple[str, bool]]) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    p = workflow.prescribe_cycle(db, course.id, cycle_in(), acting_user=people.prescriber)
    stale = p.row_version
    for step, use_stale in steps:
        db.refresh(p)
        with contextlib.suppress(ServiceError):  # a refused step changes nothing
            _attempt(db, people, step, p, stale if use_stale else p.row_version)
        db.refresh(p)
        stale = p.row_version - 1 if p.row_version > 1 else p.row_version
    db.refresh(p)
    trail = _trail(db, p.id)
    if p.status == "administered":
        last_change = max(i for i, a in enumerate(trail) if a in ("sact_prescribe",
                                                                  "sact_amend"))
        verify = trail.index("sact_verify", last_change)
        release = trail.index("sact_release", verify)
        assert release < trail.index("sact_administer")
        assert p.verified_by_id == people.pharmacist.id  # the 2b pharmacist cannot do cycle 1
    if p.status == "prescribed":
        assert p.verified_by_id is None and p.released_by_id is None
    course.status = "stopped"  # the next example's course is not duplicate therapy
    db.commit()
