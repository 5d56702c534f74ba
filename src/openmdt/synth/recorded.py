"""Synthetic recorded meetings: weekly prostate meetings of one trust, listed, routed and
decided through the same named actions people use (for the alliance tests and benchmark).

Each meeting lists a synthetic prostate list (fictional patients, 999 NHS numbers) with
referral, first-seen and diagnosis dates before the meeting; the chair confirms the
Standard of Care cases and records an outcome for each discussed case with a recommended
option, following the guideline with probability ``concordance`` (else choosing another
listed option with a coded reason). Reproducible from ``seed``.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from openmdt.store.models import User

__all__ = ["SeededTrust", "seed_weekly_meetings"]


@dataclass(frozen=True)
class SeededTrust:
    """What was written: meetings, cases listed, outcomes recorded, deviations chosen."""

    meetings: int
    cases: int
    outcomes: int
    deviations: int


def _with_dates(case: dict[str, Any], meeting: date, rng: random.Random) -> dict[str, Any]:
    diagnosis = meeting - timedelta(days=rng.randint(3, 21))
    first_seen = diagnosis - timedelta(days=rng.randint(5, 25))
    referral = first_seen - timedelta(days=rng.randint(3, 14))
    return {**case, "pathway": {"referral_date": referral.isoformat(),
                                "first_seen_date": first_seen.isoformat(),
                                "diagnosis_date": diagnosis.isoformat()}}


def _meeting_list(n: int, seed: int, meeting: date, prefix: str, name_tag: str
                  ) -> list[dict[str, Any]]:
    from openmdt.synth.prostate import generate_prostate_list

    rng = random.Random(seed)
    cases = []
    for case in generate_prostate_list(n, seed=seed, as_of=meeting):
        patient = dict(case["patient"])
        if name_tag:
            patient["name"] = f"{patient['name']} {name_tag}"
        cases.append(_with_dates({**case, "case_id": f"{prefix}{case['case_id']}",
                                  "patient": patient}, meeting, rng))
    return cases


def _decide(session: Session, case: Any, chair: User, follows: bool) -> bool:
    """Record a discussed case's outcome; True when it deviates from the guideline."""
    from openmdt.meetings.actions import record_outcome
    from openmdt.meetings.evaluation import candidate_options, recommended_options

    recommended = recommended_options(case.current_evaluation)
    if not recommended:
        return False
    others = [o for o in candidate_options(case.current_evaluation) if o not in recommended]
    deviates = not follows and bool(others)
    chosen = [others[0]] if deviates else [recommended[0]]
    record_outcome(session, case.id, acting_user=chair, chosen_options=chosen,
                   care_plan_intent="C", planned_treatment_types=["01"],
                   rationale="Agreed at the MDT (synthetic)",
                   deviation_code="patient_choice" if deviates else None,
                   deviation_text="Synthetic deviation" if deviates else None)
    return deviates


def seed_weekly_meetings(session: Session, *, coordinator: User, chair: User, start: date,
                         weeks: int, cases_per_meeting: int, seed: int,
                         pack_id: str = "prostate-nice-ng131", concordance: float = 0.9,
                         case_prefix: str = "", name_tag: str = "") -> SeededTrust:
    """Weekly meetings of the coordinator's trust from ``start``, listed and decided."""
    from openmdt.meetings.actions import confirm_standard_of_care, create_meeting, import_cases

    rng = random.Random(seed)
    cases = outcomes = deviations = 0
    for week in range(weeks):
        day = start + timedelta(days=7 * week)
        meeting = create_meeting(session, acting_user=coordinator, meeting_date=day,
                                 mdt_type="1201", site_code="RX101", pack_id=pack_id)
        session.commit()
        listing = _meeting_list(cases_per_meeting, seed * 1000 + week, day, case_prefix,
                                name_tag)
        listed = import_cases(session, meeting.id, json.dumps(listing), "json",
                              acting_user=coordinator, source="synthetic")
        session.commit()
        outcomes += len(confirm_standard_of_care(session, meeting.id, acting_user=chair))
        for case in listed:
            if case.route == "full_discussion":
                deviations += _decide(session, case, chair, rng.random() < concordance)
                outcomes += 1
        session.commit()
        cases += len(listed)
    return SeededTrust(weeks, cases, outcomes, deviations)
