"""Concordance of MDT decisions with the engine's output, per (case, decision).

The categories are defined on the engine's result, so they are exact and testable
(issue 11 §2; a decision's status is exact: provisional only when some completion of its
missing items changes the recommended set):

- ``concordant``: the decision is definitive and every chosen option is recommended;
- ``conditionally_concordant``: the decision is provisional and every chosen option is
  recommended for at least one completion of the missing items (its recommendation is True
  or unknown); the items that would settle it are named;
- ``non_concordant``: some chosen option cannot be recommended for any completion (its
  recommendation is False, including every option of a decision that does not apply), with
  the coded deviation reason or "no reason recorded";
- ``not_evaluable``: no decision of the pack covers the chosen options, or whether the
  decision applies is unknown (the items that decide it are named).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openmdt.analytics.choices import ChosenOption
from openmdt.engine.decide import DecisionResult
from openmdt.language import UNKNOWN

__all__ = ["CATEGORIES", "AuditRow", "DecisionState", "PairResult", "classify_row",
           "group_label"]

CATEGORIES = ("concordant", "conditionally_concordant", "non_concordant", "not_evaluable")
NO_REASON = "no reason recorded"


def _known(value: Any) -> bool | None:
    return None if value is UNKNOWN or value is None else bool(value)


@dataclass(frozen=True)
class DecisionState:
    """What the engine settled for one decision: status, whether it applies, each option's
    recommendation (True, False, or None for 'depends on the missing items'), missing items."""

    decision_id: str
    status: str  # definitive | provisional | not_applicable
    applies: bool | None
    recommendations: Mapping[str, bool | None]
    missing: tuple[str, ...]
    candidate_missing: Mapping[str, tuple[str, ...]]

    @property
    def recommended(self) -> tuple[str, ...]:
        return tuple(o for o, rec in self.recommendations.items() if rec is True)

    @classmethod
    def from_result(cls, result: DecisionResult) -> DecisionState:
        """From the engine's settled decision (``Evaluation.settled.decisions``)."""
        if result.candidate_results is None:  # does not apply: nothing is recommended
            recommendations = {c.id: False for c in result.decision.candidates}
        else:
            recommendations = {c.candidate.id: _known(c.recommended)
                               for c in result.candidate_results}
        return cls(result.decision.id, result.status, _known(result.applies), recommendations,
                   tuple(result.missing),
                   {k: tuple(v) for k, v in result.candidate_missing.items()})

    @classmethod
    def from_json(cls, decision: Mapping[str, Any]) -> DecisionState:
        """From a stored evaluation's decision (the output contract, ``to_dict()``)."""
        candidates = decision.get("candidates") or []
        return cls(str(decision["id"]), str(decision["status"]), decision.get("applies"),
                   {str(c["id"]): c.get("recommended") for c in candidates},
                   tuple(decision.get("missing") or ()),
                   {str(c["id"]): tuple(c.get("missing") or ()) for c in candidates})


@dataclass(frozen=True)
class AuditRow:
    """One case at one meeting: the engine's decisions and what the MDT chose."""

    line: int | None
    case_id: str
    meeting: str  # the meeting as people read it (its date, or title and date)
    meeting_date: str  # ISO date
    organisation: str
    risk_group: str  # the pack's risk group (e.g. CPG 2), "not known" when unknown
    decisions: Mapping[str, DecisionState]
    chosen: tuple[ChosenOption, ...]
    deviation_code: str | None = None
    panel: tuple[ChosenOption, ...] | None = None
    route: str | None = None  # standard_of_care | full_discussion | not_ready
    requests: tuple[str, ...] = ()  # the data items requested when not ready
    pathway: Mapping[str, date] = field(default_factory=dict)  # cases.pathway dates
    referring_team: str = ""


@dataclass(frozen=True)
class PairResult:
    """The category of one (case, decision) and why."""

    row: AuditRow
    decision_id: str  # "" for options outside the pack
    category: str
    chosen: tuple[str, ...]  # option ids as chosen (the written text when outside the pack)
    recommended: tuple[str, ...]
    items: tuple[str, ...] = ()  # the items that would settle it (provisional, not evaluable)
    reason: str = ""  # a non-concordant decision's deviation code, or NO_REASON
    note: str = ""
    not_recommended: tuple[str, ...] = field(default=())


def group_label(name: str | None, value: Any) -> str:
    """A case's risk group as a breakdown key: "cpg 3", "cpg not known", or "no risk
    group" when the pack has none to break down by."""
    if name is None:
        return "no risk group"
    return f"{name} {value}" if value is not None else f"{name} not known"


def classify_row(row: AuditRow) -> list[PairResult]:
    """One result per decision the MDT chose options of, in the order chosen."""
    by_decision: dict[str, list[ChosenOption]] = {}
    for option in row.chosen:
        by_decision.setdefault(option.decision_id, []).append(option)
    return [_classify(row, decision_id, options)
            for decision_id, options in by_decision.items()]


def _classify(row: AuditRow, decision_id: str, options: Sequence[ChosenOption]) -> PairResult:
    chosen = tuple(o.option_id for o in options)
    state = row.decisions.get(decision_id) if decision_id else None
    if state is None:
        return PairResult(row, decision_id, "not_evaluable", chosen, (),
                          note="no decision of the pack covers " + ", ".join(chosen))
    if state.applies is None:
        return PairResult(row, decision_id, "not_evaluable", chosen, state.recommended,
                          items=state.missing, note="whether the decision applies is unknown")
    refused = tuple(o for o in chosen if state.recommendations.get(o) is False)
    if refused:
        note = "" if state.applies else "the decision does not apply to this case"
        return PairResult(row, decision_id, "non_concordant", chosen, state.recommended,
                          reason=row.deviation_code or NO_REASON, note=note,
                          not_recommended=refused)
    if state.status == "definitive":
        return PairResult(row, decision_id, "concordant", chosen, state.recommended)
    items = tuple(dict.fromkeys(i for o in chosen for i in state.candidate_missing.get(o, ())))
    return PairResult(row, decision_id, "conditionally_concordant", chosen, state.recommended,
                      items=items or state.missing)
