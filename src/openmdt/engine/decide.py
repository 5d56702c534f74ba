"""Decide: evaluate each candidate's arguments and the recommendation rule (PROforma style)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openmdt.engine.derive import unknown_inputs
from openmdt.knowledge.model import Candidate, Decision, Pack
from openmdt.language import UNKNOWN, kleene_and, kleene_not, kleene_or


@dataclass
class CandidateResult:
    """One candidate's arguments and whether it is recommended (True, False or UNKNOWN)."""

    candidate: Candidate
    recommended: Any
    net_support: float | None
    support_range: tuple[float, float]
    arguments: list[dict[str, Any]]
    unresolved: list[str]
    conflict: bool

    def to_dict(self, missing: list[str]) -> dict[str, Any]:
        rec = None if self.recommended is UNKNOWN else self.recommended
        result = {"id": self.candidate.id, "title": self.candidate.title,
                  "net_support": self.net_support, "net_support_range": list(self.support_range),
                  "recommended": rec, "arguments": self.arguments}
        if missing:
            result["missing"] = missing
        if self.conflict:
            result["conflict"] = "a confirming and an excluding argument both hold"
        return result


def _argument_dict(arg: Any, holds: Any) -> dict[str, Any]:
    return {"id": arg.id, "polarity": arg.polarity, "weight": arg.weight,
            "holds": None if holds is UNKNOWN else holds, "text": arg.text,
            "source": arg.source, "strength": arg.strength}


def evaluate_candidate(candidate: Candidate, threshold: float, env: dict[str, Any]
                       ) -> CandidateResult:
    """Net support, forcing arguments and the recommendation, in three-valued logic."""
    known_sum = gain = loss = 0.0
    confirming: Any = False
    excluding: Any = False
    arguments, unresolved = [], []
    for arg in candidate.arguments:
        holds = arg.condition.evaluate(env)
        arguments.append(_argument_dict(arg, holds))
        if holds is UNKNOWN:
            unresolved.append(arg.id)
        if arg.polarity == "for":
            known_sum, gain = (known_sum + arg.weight, gain) if holds is True else (
                known_sum, gain + (arg.weight if holds is UNKNOWN else 0))
        elif arg.polarity == "against":
            known_sum, loss = (known_sum - arg.weight, loss) if holds is True else (
                known_sum, loss + (arg.weight if holds is UNKNOWN else 0))
        elif arg.polarity == "confirming":
            confirming = kleene_or(confirming, holds)
        else:
            excluding = kleene_or(excluding, holds)
    low, high = known_sum - loss, known_sum + gain
    enough = True if low >= threshold else (False if high < threshold else UNKNOWN)
    recommended = kleene_and(kleene_not(excluding), kleene_or(confirming, enough))
    net = known_sum if gain == 0 and loss == 0 else None
    conflict = confirming is True and excluding is True
    return CandidateResult(candidate, recommended, _tidy(net), (_tidy(low), _tidy(high)),
                           arguments, unresolved, conflict)


def _tidy(value: float | None) -> float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


@dataclass
class DecisionResult:
    """A decision's status, recommended options, missing items and every candidate."""

    decision: Decision
    status: str
    recommended: list[str]
    missing: list[str]
    candidates: list[CandidateResult]
    candidate_missing: dict[str, list[str]]
    applies: Any

    def recommendation(self, option: str) -> Any:
        """Whether ``option`` is recommended: True, False or UNKNOWN."""
        for result in self.candidates:
            if result.candidate.id == option:
                return result.recommended
        return False

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.decision.id, "title": self.decision.title, "status": self.status,
                "applies": None if self.applies is UNKNOWN else self.applies,
                "recommended": self.recommended, "missing": self.missing,
                "candidates": [c.to_dict(self.candidate_missing.get(c.candidate.id, []))
                               for c in self.candidates]}


def evaluate_decision(pack: Pack, decision: Decision, env: dict[str, Any],
                      order: dict[str, int]) -> DecisionResult:
    """Evaluate one decision; ``order`` sorts missing items in data dictionary order."""
    applies = True if decision.applies_when is None else decision.applies_when.evaluate(env)
    results = [evaluate_candidate(c, decision.threshold, env) for c in decision.candidates]
    if applies is False:
        for result in results:
            result.recommended = False
        return DecisionResult(decision, "not_applicable", [], [], results, {}, applies)
    missing: set[str] = set()
    candidate_missing: dict[str, list[str]] = {}
    if applies is UNKNOWN:
        unknown_inputs(pack, decision.applies_when.names, env, missing)
    for result in results:
        if result.recommended is UNKNOWN:
            names = set()
            for arg in result.candidate.arguments:
                if arg.id in result.unresolved:
                    unknown_inputs(pack, arg.condition.names, env, names)
            candidate_missing[result.candidate.id] = _sorted(names, order)
            missing |= names
        result.recommended = kleene_and(applies, result.recommended)
    definitive = all(r.recommended is not UNKNOWN for r in results)
    return DecisionResult(decision, "definitive" if definitive else "provisional",
                          [r.candidate.id for r in results if r.recommended is True],
                          [] if definitive else _sorted(missing, order), results,
                          candidate_missing, applies)


def _sorted(names: set[str], order: dict[str, int]) -> list[str]:
    return sorted(names, key=lambda n: (order.get(n, len(order)), n))
