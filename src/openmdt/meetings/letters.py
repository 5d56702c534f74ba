"""What the letters say the MDT decided and what happens next, and who does it.

The wording of the next steps is a LOCAL policy of this project (no guideline or standard in
our sources prescribes it): the consultant discusses the plan with the patient, the key
worker is the patient's contact, the coordinator obtains missing data, and the GP is told
for information. It names people, never roles alone, whenever the meeting list gives them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["NextStep", "PlanLine", "gp_next_steps", "patient_next_steps"]

CONSULTANT_ROLE = "The consultant responsible for the patient's care"
KEY_WORKER_ROLE = "The patient's key worker"


@dataclass(frozen=True)
class PlanLine:
    """One option the MDT chose, in the pack's words: the option and the decision it
    belongs to (one option id can mean different treatments in different decisions)."""

    option: str  # e.g. "Radical prostatectomy"
    decision: str  # e.g. "Treatment of localised prostate cancer"


@dataclass(frozen=True)
class NextStep:
    """One thing to do after the meeting and who does it."""

    who: str
    what: str


@dataclass(frozen=True)
class CareTeam:
    """The people the meeting list names for this patient (None when not given)."""

    consultant: str | None = None
    key_worker: str | None = None


def _plan_words(plan: Sequence[PlanLine]) -> str:
    return "; ".join(line.option for line in plan) or "the plan above"


def gp_next_steps(plan: Sequence[PlanLine], team: CareTeam,
                  missing: Sequence[str] = ()) -> list[NextStep]:
    """The next steps as the GP letter lists them."""
    steps = [
        NextStep(_named(team.consultant, "consultant", CONSULTANT_ROLE),
                 f"Discuss the recommendation ({_plan_words(plan)}) with the patient and "
                 "agree the plan with them."),
        NextStep(_named(team.key_worker, "key worker", KEY_WORKER_ROLE),
                 "Contact the patient, arrange the next appointment, be their contact."),
    ]
    if missing:
        steps.append(NextStep("The MDT coordinator",
                              "Obtain what is still missing (" + ", ".join(missing)
                              + "); list the patient again if it would change the plan."))
    steps.append(NextStep("You (the GP)", "For your information: no action is asked of you "
                          "now. We will write again after the patient's decision."))
    return steps


def patient_next_steps(team: CareTeam) -> list[NextStep]:
    """The next steps in plain words, for the patient's own copy."""
    consultant = team.consultant or "Your consultant"
    key_worker = team.key_worker or "Your key worker (a specialist nurse)"
    return [
        NextStep(consultant, "will talk with you about what the team suggests, answer your "
                 "questions and agree with you what to do. You do not have to decide on the "
                 "day."),
        NextStep(key_worker, "will contact you to arrange your next appointment. They are "
                 "the person to call if you have questions or worries."),
        NextStep("Your GP", "has been sent a letter about this meeting."),
    ]


def _named(name: str | None, role: str, fallback: str) -> str:
    return f"{name} ({role})" if name else fallback
