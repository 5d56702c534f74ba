"""Decide: apply each candidate's arguments and the recommendation rule (PROforma style).

Argument values come from the pack kernel (one call per case). The explanation (every
argument with whether it held, its text and source) is built only when asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openmdt.engine.derive import unknown_inputs
from openmdt.engine.memo import Memo
from openmdt.knowledge.model import Argument, Candidate, Decision, Pack
from openmdt.knowledge.program import Trace
from openmdt.language import UNKNOWN, kleene_and, kleene_not, kleene_or


@dataclass
class CandidateResult:
    """One candidate: its argument values, net support and whether it is recommended."""

    candidate: Candidate
    holds: Sequence[Any]
    recommended: Any
    net_support: float | None
    support_range: tuple[float, float]
    conflict: bool

    def unresolved(self) -> list[Argument]:
        """The arguments whose condition is unknown for this case."""
        return [a for a, h in zip(self.candidate.arguments, self.holds, strict=True)
                if h is UNKNOWN]

    def to_dict(self, missing: list[str]) -> dict[str, Any]:
        rec = None if self.recommended is UNKNOWN else self.recommended
        arguments = [_argument_dict(a, h)
                     for a, h in zip(self.candidate.arguments, self.holds, strict=True)]
        result = {"id": self.candidate.id, "title": self.candidate.title,
                  "net_support": self.net_support, "net_support_range": list(self.support_range),
                  "recommended": rec, "arguments": arguments}
        if missing:
            result["missing"] = list(missing)
        if self.conflict:
            result["conflict"] = "a confirming and an excluding argument both hold"
        return result


    def summary_dict(self) -> dict[str, Any]:
        """The candidate without texts: its id, net support, whether it is recommended and
        the ids of the arguments that hold (``openmdt pack show`` gives their texts)."""
        held = [a.id for a, h in zip(self.candidate.arguments, self.holds, strict=True)
                if h is True]
        return {"id": self.candidate.id, "net_support": self.net_support,
                "recommended": None if self.recommended is UNKNOWN else self.recommended,
                "held": held}


def _argument_dict(arg: Argument, holds: Any) -> dict[str, Any]:
    return {"id": arg.id, "polarity": arg.polarity, "weight": arg.weight,
            "holds": None if holds is UNKNOWN else holds, "text": arg.text,
            "source": arg.source, "strength": arg.strength}


WEIGHED_LIMIT = 50_000  # weighings remembered per decision


def weigh_candidate(candidate: Candidate, threshold: float, holds: Sequence[Any],
                    weighed_before: Memo[tuple[Any, ...]]) -> CandidateResult:
    """Net support, forcing arguments and the recommendation, in three-valued logic.

    An unknown argument counts on neither side; it leaves the result unknown only when it
    could change it (the support range straddles the threshold, or it could force it).
    The result depends only on the argument values, so it is remembered per pattern in the
    decision's plan (``weighed_before``).
    """
    holds = tuple(holds)
    key = (candidate.id, threshold, holds)
    weighed = weighed_before.get(key)
    if weighed is None:
        weighed = weighed_before.put(key, (candidate, *_weigh(candidate, threshold, holds)))
    _, recommended, net, support_range, conflict = weighed
    return CandidateResult(candidate, holds, recommended, net, support_range, conflict)


def recommended_by(candidate: Candidate, threshold: float, holds: tuple[Any, ...],
                   weighed_before: Memo[tuple[Any, ...]]) -> Any:
    """Only whether ``candidate`` is recommended (True, False or UNKNOWN) for these argument
    values: ``weigh_candidate`` without building its result (the exact status weighs every
    completion of a decision's missing items)."""
    key = (candidate.id, threshold, holds)
    weighed = weighed_before.get(key)
    if weighed is None:
        weighed = weighed_before.put(key, (candidate, *_weigh(candidate, threshold, holds)))
    return weighed[1]


def _weigh(candidate: Candidate, threshold: float, holds: tuple[Any, ...]
           ) -> tuple[Any, float | None, tuple[float, float], bool]:
    known_sum = gain = loss = 0.0
    forcing: dict[str, Any] = {"confirming": False, "excluding": False}
    for arg, value in zip(candidate.arguments, holds, strict=True):
        if value is False:
            continue  # the common case: an argument that does not hold changes nothing
        polarity = arg.polarity
        if polarity == "for":
            if value is True:
                known_sum += arg.weight
            else:
                gain += arg.weight
        elif polarity == "against":
            if value is True:
                known_sum -= arg.weight
            else:
                loss += arg.weight
        elif forcing[polarity] is not True:
            forcing[polarity] = value  # True wins; otherwise UNKNOWN (Kleene 'or')
    confirming, excluding = forcing["confirming"], forcing["excluding"]
    low, high = known_sum - loss, known_sum + gain
    enough = True if low >= threshold else (False if high < threshold else UNKNOWN)
    recommended = kleene_and(kleene_not(excluding), kleene_or(confirming, enough))
    net = known_sum if gain == 0 and loss == 0 else None
    conflict = confirming is True and excluding is True
    return recommended, _tidy(net), (_tidy(low), _tidy(high)), conflict


def _tidy(value: float | None) -> float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


@dataclass(frozen=True)
class DecisionPlan:
    """Where a decision's applicability and each candidate's arguments are in kernel values."""

    decision: Decision
    applies_slot: int | None
    argument_slots: tuple[tuple[int, int], ...]  # (first, end) per candidate
    arguments_span: tuple[int, int] = (0, 0)  # (first, end) of all the decision's arguments
    weighed: Memo[tuple[Any, ...]] = field(default_factory=lambda: Memo(WEIGHED_LIMIT))


@dataclass
class DecisionResult:
    """A decision's status, recommended options, missing items and every candidate."""

    decision: Decision
    status: str
    recommended: list[str]
    missing: list[str]
    candidate_results: list[CandidateResult] | None
    candidate_missing: dict[str, list[str]]
    applies: Any
    plan: DecisionPlan | None = None
    kernel_values: Sequence[Any] | None = None  # the values it came from; None if skipped

    def outcome_key(self) -> tuple[Any, ...]:
        """Everything the decision's output shows, given its argument values: the status,
        whether it applies, each candidate's recommendation (exact status can settle a
        recommendation that the argument values alone leave open) and the missing items.
        The one key under which a decision's rendered output is remembered."""
        candidates = self.candidate_results or ()
        return (self.decision.id, self.status, self.applies,
                tuple(c.recommended for c in candidates), tuple(self.missing),
                tuple(sorted((k, tuple(v)) for k, v in self.candidate_missing.items())))

    def argument_values(self) -> tuple[Any, ...]:
        """The value of every argument of the decision, in order."""
        first, end = self.plan.arguments_span if self.plan else (0, 0)
        if first == end:
            return ()
        if self.kernel_values is None:
            raise self._skipped()
        return tuple(self.kernel_values[first:end])

    @property
    def candidates(self) -> list[CandidateResult]:
        """Every candidate's result."""
        if self.candidate_results is None:
            raise self._skipped()
        return self.candidate_results

    def _skipped(self) -> LookupError:
        # Only an evaluation's own unexplained settled result has such a decision.
        return LookupError(f"decision {self.decision.id} does not apply and its arguments "
                           "were skipped: ask the Evaluation for its decisions")

    def recommendation(self, option: str) -> Any:
        """Whether ``option`` is recommended: True, False or UNKNOWN."""
        if self.candidate_results is None:
            return False
        for result in self.candidate_results:
            if result.candidate.id == option:
                return result.recommended
        return False

    def summary_dict(self) -> dict[str, Any]:
        """The decision without texts (``--detail summary``): a decision that does not apply
        lists no candidates."""
        candidates = [] if self.status == "not_applicable" or self.candidate_results is None \
            else [c.summary_dict() for c in self.candidate_results]
        return {"id": self.decision.id, "status": self.status,
                "recommended": list(self.recommended), "missing": list(self.missing),
                "candidates": candidates}

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.decision.id, "title": self.decision.title, "status": self.status,
                "applies": None if self.applies is UNKNOWN else self.applies,
                "recommended": list(self.recommended), "missing": list(self.missing),
                "candidates": [c.to_dict(self.candidate_missing.get(c.candidate.id, []))
                               for c in self.candidates]}


def plan_decisions(pack: Pack) -> list[DecisionPlan]:
    """Slot positions of every decision, computed once per pack."""
    plans = []
    for decision in pack.decisions:
        applies = None
        if decision.applies_when is not None:
            applies = pack.kernel.slot(decision.applies_when)
        ranges = []
        for candidate in decision.candidates:
            first = pack.kernel.slot(candidate.arguments[0].condition) if candidate.arguments \
                else 0
            ranges.append((first, first + len(candidate.arguments)))
        # A candidate without arguments has an empty range anywhere: the decision's span
        # comes from the candidates that have arguments (a span ending at such a candidate's
        # empty range once let one case's results be shown for another).
        filled = [r for r in ranges if r[1] > r[0]]
        span = (min(r[0] for r in filled), max(r[1] for r in filled)) if filled else (0, 0)
        plans.append(DecisionPlan(decision, applies, tuple(ranges), span))
    return plans


def evaluate_decision(pack: Pack, plan: DecisionPlan, values: Trace, order: dict[str, int],
                      complete: bool = False) -> DecisionResult:
    """Evaluate one decision from the case's trace; ``order`` sorts missing items.

    A decision that does not apply is explained (its candidates weighed, none recommended)
    only from ``complete`` values, in which no argument was skipped.
    """
    decision = plan.decision
    applies = True if plan.applies_slot is None else values[plan.applies_slot]
    if applies is False:
        explained = None
        if complete:
            explained = [weigh_candidate(candidate, decision.threshold, values[first:end],
                                       plan.weighed)
                         for candidate, (first, end) in zip(decision.candidates,
                                                            plan.argument_slots, strict=True)]
            for result in explained:
                result.recommended = False
        return DecisionResult(decision, "not_applicable", [], [], explained, {}, applies, plan,
                              values.values if complete else None)
    results = []
    for candidate, (first, end) in zip(decision.candidates, plan.argument_slots, strict=True):
        results.append(weigh_candidate(candidate, decision.threshold, values[first:end],
                                       plan.weighed))
    settled = _settle(pack, decision, applies, results, values, order)
    settled.plan, settled.kernel_values = plan, values.values
    return settled


def _settle(pack: Pack, decision: Decision, applies: Any, results: list[CandidateResult],
            trace: Trace, order: dict[str, int]) -> DecisionResult:
    """Status, recommended set and the missing items that could change it."""
    missing: set[str] = set()
    candidate_missing: dict[str, list[str]] = {}
    if applies is UNKNOWN:
        # What settles whether the decision applies is asked first; the candidates' own
        # items may not matter at all (a metastatic-only item for a case that is M0).
        unknown_inputs(pack, decision.applies_when.names, trace, missing)
    for result in results:
        if result.recommended is UNKNOWN and applies is True:
            names: set[str] = set()
            for arg in result.unresolved():
                unknown_inputs(pack, arg.condition.names, trace, names)
            candidate_missing[result.candidate.id] = _sorted(names, order)
            missing |= names
        if applies is not True:
            result.recommended = kleene_and(applies, result.recommended)
    definitive = all(r.recommended is not UNKNOWN for r in results)
    return DecisionResult(decision, "definitive" if definitive else "provisional",
                          [r.candidate.id for r in results if r.recommended is True],
                          [] if definitive else _sorted(missing, order), results,
                          candidate_missing, applies)


def _sorted(names: set[str], order: dict[str, int]) -> list[str]:
    return sorted(names, key=lambda n: (order.get(n, len(order)), n))
