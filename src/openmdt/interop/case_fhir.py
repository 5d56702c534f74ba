"""A stored meeting case as a FHIR Bundle (GET /api/v1/cases/{id}/fhir)."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle
from sqlalchemy.orm import Session

from openmdt.interop.fhir_out import evaluation_bundle, inputs_for
from openmdt.meetings.evaluation import pack_by_id
from openmdt.meetings.reads import get_case, outcome_summary
from openmdt.store.errors import InvalidRequest
from openmdt.store.models import User


def case_bundle(session: Session, case_id: int, *, user: User) -> Bundle:
    """The case's current evaluation as a Bundle, with its recorded outcome as a CarePlan
    (CR0430: the meeting date). Access as for reading the case."""
    case = get_case(session, case_id, user=user)
    evaluation = case.current_evaluation
    if not evaluation:
        raise InvalidRequest("The case has no evaluation yet.", code="not_evaluated")
    pack = pack_by_id(case.meeting.pack_id)
    inputs = inputs_for(case.case_ref, None, f"/cases/{case.id}",
                        (case.patient or {}).get("nhs_number"))
    return evaluation_bundle(evaluation, pack, inputs, _outcome(case))


def _outcome(case: Any) -> dict[str, Any] | None:
    outcome = outcome_summary(case.current_outcome)
    if outcome is not None:
        outcome["discussed_on"] = case.meeting.meeting_date.isoformat()
    return outcome
