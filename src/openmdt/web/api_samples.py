"""JSON API of the streamlining safety net: audit samples of Standard-of-Care cases."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import Field

from openmdt.meetings.access import AUDIT_ROLES, MAX_ID, READ_ROLES
from openmdt.meetings.sampling import (
    MAX_SAMPLE,
    REVIEW_ROLES,
    draw_audit_sample,
    get_audit_sample,
    record_review,
    sample_json,
)
from openmdt.store.models import User
from openmdt.web.api import Body
from openmdt.web.security import DbSession, require_role

router = APIRouter()
Auditor = Annotated[User, Depends(require_role(*AUDIT_ROLES))]
Reviewer = Annotated[User, Depends(require_role(*REVIEW_ROLES))]
Reader = Annotated[User, Depends(require_role(*READ_ROLES))]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


class SampleIn(Body):
    date_from: date
    date_to: date
    size: int = Field(ge=0, le=MAX_SAMPLE, description="how many random cases")
    seed: int = Field(ge=0, le=2**31 - 1, description="the same seed gives the same sample")
    targeted_standard: str | None = Field(
        None, max_length=100, description="a Standard of Care id, or 'newest': all its cases")


class ReviewIn(Body):
    verdict: Literal["agree", "disagree"]
    reason: str | None = Field(None, description="required to disagree")


@router.post("/audit-samples", status_code=201, tags=["audit"])
def draw_sample(body: SampleIn, db: DbSession, user: Auditor) -> dict:
    """Draw an audit sample of Standard-of-Care cases (auditor, admin)."""
    sample = draw_audit_sample(db, acting_user=user, **body.model_dump())
    return sample_json(sample)


@router.get("/audit-samples/{sample_id}", tags=["audit"])
def read_sample(sample_id: RowId, db: DbSession, user: Reader) -> dict:
    """A sample with each case's selection and verdict (404 for another organisation's)."""
    return sample_json(get_audit_sample(db, sample_id, user=user))


@router.post("/audit-samples/{sample_id}/cases/{sampled_case_id}/review", tags=["audit"])
def review_case(sample_id: RowId, sampled_case_id: RowId, body: ReviewIn, db: DbSession,
                user: Reviewer) -> dict:
    """A clinician's verdict on a sampled case: agree, or disagree with a reason."""
    record_review(db, sample_id, sampled_case_id, acting_user=user, verdict=body.verdict,
                  reason=body.reason)
    return sample_json(get_audit_sample(db, sample_id, user=user))
