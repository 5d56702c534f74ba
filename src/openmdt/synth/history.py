"""Synthetic historic MDT outcomes with known true concordance (``openmdt synth history``).

Each synthetic case is listed at a weekly meeting and evaluated with the pack as at that
meeting. The generator then writes what the MDT decided, so that the true figures are known
by construction (not by re-running the audit):

- the *target decision* of a case is the first decision of the pack that applies to it and
  may recommend an option (else the first that applies);
- a case whose target decision recommends some option (for at least one completion of the
  missing items) and leaves another unrecommended is *flexible*: exactly
  round(concordance x evaluable) cases follow the guideline (the MDT chooses a recommended
  option), counting the cases that can only follow it, and the rest deviate (the MDT
  chooses an option the guideline does not recommend);
- exactly round(deviation_rate x deviations) deviations carry a coded deviation reason;
- a case where no decision applies, or whether one applies is unknown, is listed with an
  option the audit cannot evaluate (a referral elsewhere, or an option of that decision);
- the panel (a second rater) chooses the guideline's option where a definitive decision
  recommends exactly one, and is blank otherwise.

A case that is not ready at its meeting is deferred there (a row without a decision) and
decided a week later on the same facts (a second row): 7 days lost, for the items its
evaluation requested. Pathway dates run backwards from the first listing (diagnosis, first
seen, referral) and forwards from the meeting that decided (decision to treat, first
treatment), in order, from the seeded generator. Cases alternate between two referring teams.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from openmdt.engine import evaluate
from openmdt.knowledge.model import Pack
from openmdt.language import UNKNOWN
from openmdt.synth.prostate import PROSTATE_FACT_NAMES, generate_prostate_list
from openmdt.synth.writers import _cell

__all__ = ["HISTORY_COLUMNS", "HistoryTruth", "SyntheticHistory", "generate_prostate_history"]

FIRST_MEETING = date(2025, 1, 7)
CASES_PER_MEETING = 20
ORGANISATION = "Synthetic NHS Trust"
OUTSIDE_OPTION = "refer_to_another_mdt"  # an option no decision of the pack has
DEVIATION_CODES = ("patient_choice", "comorbidity", "performance_status", "clinical_trial",
                   "new_information", "service_availability")
PATHWAY_COLUMNS = ("referral_date", "first_seen_date", "diagnosis_date",
                   "decision_to_treat_date", "first_treatment_date")
REFERRING_TEAMS = ("Urology, North Hospital", "Urology, South Hospital")
HISTORY_COLUMNS = ("case_id", "site", "organisation", "meeting_date", "mdt_decision",
                   "deviation_code", "panel_decision", "referring_team", *PATHWAY_COLUMNS,
                   *PROSTATE_FACT_NAMES)


@dataclass(frozen=True)
class HistoryTruth:
    """What the generator wrote, counted as it wrote it."""

    cases: int  # distinct cases (a relisted case has two rows)
    followed: int  # chose a recommended option of a definitive or provisional decision
    followed_definitive: int  # ... of a definitive decision (the rest: provisional)
    deviated: int
    deviations_with_reason: int
    not_evaluable: int
    meetings: int
    relisted: int = 0  # not ready: deferred without a decision, decided a week later
    days_lost: int = 0

    @property
    def evaluable(self) -> int:
        return self.followed + self.deviated

    def to_dict(self) -> dict[str, Any]:
        return {"cases": self.cases, "meetings": self.meetings, "followed": self.followed,
                "followed_definitive": self.followed_definitive, "deviated": self.deviated,
                "deviations_with_reason": self.deviations_with_reason,
                "not_evaluable": self.not_evaluable, "evaluable": self.evaluable,
                "relisted": self.relisted, "days_lost": self.days_lost,
                "concordance": self.followed / self.evaluable if self.evaluable else None}


@dataclass(frozen=True)
class SyntheticHistory:
    """The historic file's rows (column -> text) and the true figures."""

    rows: list[dict[str, str]]
    truth: HistoryTruth


@dataclass
class _Draft:
    case: dict[str, Any]
    meeting: date
    follow: list[str] = field(default_factory=list)  # decision:option refs it may follow
    deviate: list[str] = field(default_factory=list)
    definitive: bool = False
    fixed: str | None = None  # the choice of a case the audit cannot evaluate
    panel: str = ""
    not_ready: bool = False  # deferred at its meeting, decided at the next one


def generate_prostate_history(pack: Pack, n: int, seed: int, *, concordance: float,
                              deviation_rate: float) -> SyntheticHistory:
    """``n`` historic cases at weekly meetings with the given true rates (see module doc)."""
    for name, value in (("concordance", concordance), ("deviation rate", deviation_rate)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"the {name} must be between 0 and 1, got {value}")
    rng = random.Random(seed)
    drafts = [_draft(pack, case, meeting) for case, meeting in _listed(n, seed)]
    follows = _who_follows(drafts, concordance, rng)
    rows, truth = _decide(drafts, follows, deviation_rate, rng)
    return SyntheticHistory(rows, truth)


def _listed(n: int, seed: int) -> list[tuple[dict[str, Any], date]]:
    listed = []
    for start in range(0, n, CASES_PER_MEETING):
        meeting = FIRST_MEETING + timedelta(weeks=start // CASES_PER_MEETING)
        size = min(CASES_PER_MEETING, n - start)
        for offset, case in enumerate(generate_prostate_list(size, seed * 10_007 + start,
                                                             as_of=meeting)):
            listed.append(({**case, "case_id": f"H-{start + offset + 1:06d}"}, meeting))
    return listed


def _draft(pack: Pack, case: dict[str, Any], meeting: date) -> _Draft:
    draft = _Draft(case, meeting)
    evaluation = evaluate(pack, case, as_of=meeting)
    draft.not_ready = evaluation.route == "not_ready"
    decisions = evaluation.settled.decisions
    applying = [d for d in decisions if d.applies is True]
    target = next((d for d in applying if any(c.recommended is not False
                                              for c in d.candidates)),
                  applying[0] if applying else None)
    if target is None:
        unsure = next((d for d in decisions if d.applies is UNKNOWN), None)
        draft.fixed = (f"{unsure.decision.id}:{unsure.decision.candidates[0].id}"
                       if unsure is not None else OUTSIDE_OPTION)
        return draft
    draft.definitive = target.status == "definitive"
    for result in target.candidates:
        ref = f"{target.decision.id}:{result.candidate.id}"
        (draft.deviate if result.recommended is False else draft.follow).append(ref)
    if draft.definitive and len(draft.follow) == 1:
        draft.panel = draft.follow[0]
    return draft


def _who_follows(drafts: Sequence[_Draft], concordance: float, rng: random.Random) -> set[int]:
    evaluable = [i for i, d in enumerate(drafts) if d.fixed is None]
    must = {i for i in evaluable if not drafts[i].deviate}
    flexible = [i for i in evaluable if drafts[i].follow and drafts[i].deviate]
    wanted = round(concordance * len(evaluable)) - len(must)
    return must | set(rng.sample(flexible, max(0, min(wanted, len(flexible)))))


def _decide(drafts: Sequence[_Draft], follows: set[int], deviation_rate: float,
            rng: random.Random) -> tuple[list[dict[str, str]], HistoryTruth]:
    deviators = [i for i, d in enumerate(drafts) if d.fixed is None and i not in follows]
    with_reason = set(rng.sample(deviators, round(deviation_rate * len(deviators))))
    rows = []
    for index, draft in enumerate(drafts):
        if draft.fixed is not None:
            choice, code = draft.fixed, ""
        elif index in follows:
            choice, code = rng.choice(draft.follow), ""
        else:
            choice = rng.choice(draft.deviate)
            code = rng.choice(DEVIATION_CODES) if index in with_reason else ""
        dates = _pathway_dates(draft, rng)
        if draft.not_ready:  # deferred, then decided a week later on the same facts
            rows.append(_row(draft, draft.meeting, "", "", dates, ""))
        decided = draft.meeting + timedelta(weeks=1 if draft.not_ready else 0)
        rows.append(_row(draft, decided, choice, code, dates, draft.panel))
    relisted = sum(d.not_ready for d in drafts)
    truth = HistoryTruth(
        cases=len(drafts), followed=len(follows),
        followed_definitive=sum(drafts[i].definitive for i in follows),
        deviated=len(deviators), deviations_with_reason=len(with_reason),
        not_evaluable=sum(d.fixed is not None for d in drafts),
        meetings=len({row["meeting_date"] for row in rows}), relisted=relisted,
        days_lost=7 * relisted)
    return rows, truth


def _row(draft: _Draft, meeting: date, choice: str, code: str, dates: dict[str, str],
         panel: str) -> dict[str, str]:
    case = draft.case
    row = {"case_id": case["case_id"], "site": case["site"], "organisation": ORGANISATION,
           "meeting_date": meeting.isoformat(), "mdt_decision": choice,
           "deviation_code": code, "panel_decision": panel,
           "referring_team": REFERRING_TEAMS[int(case["case_id"][2:]) % len(REFERRING_TEAMS)]}
    row.update(dates)
    row.update({name: _cell(case["facts"].get(name)) for name in PROSTATE_FACT_NAMES})
    return row


def _pathway_dates(draft: _Draft, rng: random.Random) -> dict[str, str]:
    """Dates before the first listing and after the meeting that decided."""
    meeting = draft.meeting
    diagnosis = meeting - timedelta(days=rng.randint(1, 10))
    first_seen = diagnosis - timedelta(days=rng.randint(5, 20))
    referral = first_seen - timedelta(days=rng.randint(2, 14))
    decided = meeting + timedelta(weeks=1 if draft.not_ready else 0)
    decision = decided + timedelta(days=rng.randint(0, 10))
    treatment = decision + timedelta(days=rng.randint(5, 40))
    before_biopsy = draft.case["facts"].get("pathway_point") == "pre_biopsy"
    return {"referral_date": referral.isoformat(), "first_seen_date": first_seen.isoformat(),
            "diagnosis_date": "" if before_biopsy else diagnosis.isoformat(),
            "decision_to_treat_date": decision.isoformat(),
            "first_treatment_date": treatment.isoformat()}
