"""The streamlining safety net (issue 11 §3): an auditor draws a sample of the cases that
followed a Standard of Care, and a clinician reviews each one (agree or disagree, with a
reason). A disagreement flags the Standard of Care for the Cancer Alliance pathway board.

The sample is random cases of a period (``size``, ``seed``) plus targeted ones: every case of
a chosen Standard of Care, or of the newest one (the Standard whose first case in the period
came last: OpenMDT does not know when a pack added a Standard).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from openmdt.meetings.access import AUDIT_ROLES, READ_ROLES, action, json_ready, require_role
from openmdt.meetings.evaluation import standard_of_care
from openmdt.store.audit import append_audit
from openmdt.store.errors import InvalidRequest, NotFound, WorkflowConflict
from openmdt.store.models import AuditSample, AuditSampleCase, Meeting, MeetingCase, User
from openmdt.store.text_checks import require_clean_text

__all__ = ["NEWEST", "REVIEW_ROLES", "VERDICTS", "draw_audit_sample", "get_audit_sample",
           "record_review", "standard_of_care_cases"]

REVIEW_ROLES = ("clinician", "chair")
VERDICTS = ("agree", "disagree")
NEWEST = "newest"  # targeted_standard: the newest Standard of Care in the period
MAX_SAMPLE = 1000


def standard_of_care_cases(session: Session, organisation_id: int, date_from: date,
                           date_to: date) -> list[tuple[MeetingCase, str]]:
    """The organisation's cases that followed a Standard of Care in the period, each with the
    Standard's id, in meeting date and agenda order."""
    query = (select(MeetingCase).join(Meeting, Meeting.id == MeetingCase.meeting_id)
             .where(MeetingCase.organisation_id == organisation_id,
                    MeetingCase.route == "standard_of_care",
                    Meeting.meeting_date >= date_from, Meeting.meeting_date <= date_to)
             .options(selectinload(MeetingCase.fact_versions))
             .order_by(Meeting.meeting_date, Meeting.id, MeetingCase.position))
    found = []
    for case in session.scalars(query):
        standard = standard_of_care(case.current_evaluation) or {}
        if standard.get("id"):
            found.append((case, str(standard["id"])))
    return found


def _targeted(eligible: list[tuple[MeetingCase, str]], standard: str | None) -> str | None:
    if standard != NEWEST:
        return standard
    first_seen: dict[str, int] = {}
    for index, (_, standard_id) in enumerate(eligible):
        first_seen.setdefault(standard_id, index)
    return max(first_seen, key=first_seen.__getitem__) if first_seen else None


def _check_request(date_from: date, date_to: date, size: int, seed: int) -> None:
    if date_to < date_from:
        raise InvalidRequest(f"The period ends ({date_to}) before it starts ({date_from}).",
                             code="invalid_period")
    if not 0 <= size <= MAX_SAMPLE:
        raise InvalidRequest(f"A sample size of {size} is not allowed; allowed: 0 to "
                             f"{MAX_SAMPLE}.", code="invalid_sample_size")
    if not 0 <= seed < 2**31:
        raise InvalidRequest(f"Seed {seed} is not allowed; allowed: 0 to {2**31 - 1}.",
                             code="invalid_seed")


@action
def draw_audit_sample(session: Session, *, acting_user: User, date_from: date, date_to: date,
                      size: int, seed: int, targeted_standard: str | None = None
                      ) -> AuditSample:
    """Draw ``size`` random Standard-of-Care cases of the period with ``seed`` (the same
    seed and cases give the same sample), plus every case of ``targeted_standard`` (a
    Standard's id, or "newest")."""
    require_role(acting_user, AUDIT_ROLES)
    require_clean_text(targeted_standard=targeted_standard)
    _check_request(date_from, date_to, size, seed)
    eligible = standard_of_care_cases(session, acting_user.organisation_id, date_from, date_to)
    target = _targeted(eligible, targeted_standard)
    chosen = {case.id: (case, standard, "targeted") for case, standard in eligible
              if target is not None and standard == target}
    rest = [(case, standard) for case, standard in eligible if case.id not in chosen]
    for case, standard in random.Random(seed).sample(rest, min(size, len(rest))):
        chosen[case.id] = (case, standard, "random")
    sample = AuditSample(organisation_id=acting_user.organisation_id, date_from=date_from,
                         date_to=date_to, size=size, seed=seed, targeted_standard=target,
                         created_by_id=acting_user.id, created_at=datetime.now(UTC))
    session.add(sample)
    session.flush()
    session.add_all(AuditSampleCase(sample_id=sample.id, case_id=case.id, standard_id=standard,
                                    selection=selection)
                    for case, standard, selection in chosen.values())
    session.flush()
    append_audit(session, action="draw_audit_sample", entity_type="audit_sample",
                 entity_id=sample.id, acting_user=acting_user, details=json_ready({
                     "date_from": date_from, "date_to": date_to, "size": size, "seed": seed,
                     "targeted_standard": target, "eligible": len(eligible),
                     "drawn": len(chosen)}))
    session.refresh(sample)
    return sample


def get_audit_sample(session: Session, sample_id: int, *, user: User) -> AuditSample:
    """The sample if it belongs to the user's organisation; NotFound otherwise."""
    require_role(user, READ_ROLES)
    sample = session.scalars(select(AuditSample).where(
        AuditSample.id == sample_id,
        AuditSample.organisation_id == user.organisation_id)).first()
    if sample is None:
        raise NotFound(f"Audit sample {sample_id} was not found.")
    return sample


@action
def record_review(session: Session, sample_id: int, sampled_case_id: int, *, acting_user: User,
                  verdict: str, reason: str | None = None) -> AuditSampleCase:
    """A clinician's verdict on one sampled case: agree, or disagree with a reason."""
    require_role(acting_user, REVIEW_ROLES)
    require_clean_text(verdict=verdict, free={"reason": reason})
    sample = get_audit_sample(session, sample_id, user=acting_user)
    entry = next((c for c in sample.cases if c.id == sampled_case_id), None)
    if entry is None:
        raise NotFound(f"Case {sampled_case_id} is not in audit sample {sample_id}.")
    if verdict not in VERDICTS:
        raise InvalidRequest(f"Verdict {verdict!r} is not allowed; allowed: agree, disagree.",
                             code="invalid_verdict", allowed=list(VERDICTS))
    if verdict == "disagree" and not (reason or "").strip():
        raise InvalidRequest("A disagreement needs its reason.", code="missing_reason")
    if entry.verdict is not None:
        raise WorkflowConflict(f"Case {sampled_case_id} of the sample was already reviewed.")
    entry.verdict, entry.reason = verdict, (reason or "").strip() or None
    entry.reviewed_by_id, entry.reviewed_at = acting_user.id, datetime.now(UTC)
    session.flush()
    append_audit(session, action="review_sampled_case", entity_type="audit_sample",
                 entity_id=sample.id, acting_user=acting_user, details=json_ready({
                     "sampled_case_id": entry.id, "case_id": entry.case_id,
                     "standard_id": entry.standard_id, "verdict": verdict}))
    return entry


def sample_json(sample: AuditSample) -> dict[str, Any]:
    """The sample for the API: who drew what, and each case's verdict."""
    return {"id": sample.id, "date_from": sample.date_from.isoformat(),
            "date_to": sample.date_to.isoformat(), "size": sample.size, "seed": sample.seed,
            "targeted_standard": sample.targeted_standard,
            "cases": [{"id": c.id, "case_id": c.case_id, "case_ref": c.case.case_ref,
                       "meeting_id": c.case.meeting_id, "standard_id": c.standard_id,
                       "selection": c.selection, "verdict": c.verdict, "reason": c.reason}
                      for c in sample.cases]}
