"""Exact status: a decision is provisional only if some completion of its missing items
changes what it recommends.

Three-valued logic settles each argument on its own, so a decision whose arguments are
unknown is provisional even when every way of filling in the missing items gives the same
recommended set (the risk group is unknown but certainly 3-5, and both groups recommend the
same options). Here each provisional decision is checked against every completion of its
missing items over the cells of their values that the pack can tell apart
(``knowledge.domains``): the decision's own part of the kernel (``kernel.decision_kernel``:
its steps and the derived facts they read) runs once per completion and the decision is
weighed as usual. Then:

- if every completion gives the same recommendation for every candidate, and agrees with
  what the case's own facts already settle, the decision is definitive (not applicable when
  it applies in no completion) with those recommendations;
- otherwise it stays provisional, and ``missing`` lists only the items whose change alone
  changes the recommended set (per candidate too). While whether the decision applies is
  open it is asked first, as in the three-valued answer: the items that decide it are listed
  when they change the set, the candidates' own items only when they do not.

When an item cannot be enumerated, or the completions would be too many
(``MAX_COMPLETIONS``), the three-valued answer is kept: it never claims more than it knows.
Items outside the decision's missing list keep their values (unknown ones stay unknown), so
the pack's own fallbacks (``coalesce``, defaults) mean what they mean elsewhere.

Results are remembered per decision by the cells of every item the decision reads, which is
all a completion depends on.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from openmdt.engine.decide import DecisionResult, recommended_by
from openmdt.engine.derive import unknown_inputs
from openmdt.knowledge.domains import ItemCells, item_cells
from openmdt.knowledge.kernel import DecisionKernel, decision_kernel
from openmdt.knowledge.model import Decision, Pack
from openmdt.knowledge.program import Trace
from openmdt.knowledge.recorded import recorded_only_pack
from openmdt.language import UNKNOWN, kleene_and

__all__ = ["MAX_COMPLETIONS", "ExactDecisions", "exact_decision"]

MAX_COMPLETIONS = 4096
_REMEMBERED_LIMIT = 20_000

Run = Callable[[dict[str, Any]], tuple[Any, ...]]
NamedRun = tuple[str, Run]  # a kernel's name ("pack" or "recorded") and its compiled run
Outcome = tuple[Any, tuple[Any, ...]]  # (applies, each candidate's recommendation)


@dataclass(frozen=True)
class Exact:
    """What the completions of a decision's missing items settle."""

    applies: Any
    recommendations: tuple[Any, ...]  # per candidate: True, False or UNKNOWN
    missing: tuple[str, ...]  # the items that change the outcome, in the pack's order
    candidate_missing: tuple[tuple[str, ...], ...]  # per candidate


class ExactDecisions:
    """The pack's cells and, per decision, the items it reads; remembers what it works out."""

    def __init__(self, pack: Pack, unknown_at: dict[str, int | None]) -> None:
        self.cells: dict[str, ItemCells | None] = item_cells(pack)
        self.reads: dict[str, tuple[str, ...]] = {
            d.id: tuple(sorted(_items_read(pack, d))) for d in pack.decisions}
        self.remembered: dict[tuple[Any, ...], Exact | None] = {}
        self.unknown_at = unknown_at  # the engine plan's (semantics.unknown_index)
        self._decision_kernels: dict[tuple[str, str], DecisionKernel] = {}
        self._recorded: Pack | None = None  # a copy: the pack itself is never kept here

    def decision_kernel(self, pack: Pack, kernel: NamedRun, decision: Decision, run: Run
                        ) -> DecisionKernel:
        """The part of ``pack``'s kernel named ``kernel`` ("pack" or "recorded") that weighs
        ``decision``: the completions run only that (compiled on first use). When ``run`` is
        not that compiled kernel (tests run the reference semantics), the whole of ``run``
        is used instead."""
        name, compiled = kernel
        if run is not compiled:
            return DecisionKernel(run, 0)
        found = self._decision_kernels.get((name, decision.id))
        if found is None:
            source = pack if name == "pack" else self._recorded_pack(pack)
            found = self._decision_kernels[(name, decision.id)] = decision_kernel(
                source, pack_decision(source, decision.id))
        return found

    def _recorded_pack(self, pack: Pack) -> Pack:
        if self._recorded is None:
            self._recorded = recorded_only_pack(pack)
        return self._recorded

    def key(self, kernel: str, decision: Decision, env: dict[str, Any]) -> tuple[Any, ...]:
        """Everything a completion of the decision depends on: which kernel ("pack" or
        "recorded") and, for every input the decision reads (data items and the evaluation
        date, through derived facts too), its cell, or its value when it is not enumerable."""
        cells = self.cells
        return (kernel, decision.id,
                *(UNKNOWN if (v := env.get(n, UNKNOWN)) is UNKNOWN else
                  (c.cell(v) if (c := cells.get(n)) is not None else v)
                  for n in self.reads[decision.id]))


def pack_decision(pack: Pack, decision_id: str) -> Decision:
    """The decision ``decision_id`` of ``pack``."""
    return next(d for d in pack.decisions if d.id == decision_id)


def _items_read(pack: Pack, decision: Decision) -> set[str]:
    """The inputs a decision reads, through derived facts too: data items and anything else
    in the case's environment (the evaluation date), never derived facts or parameters."""
    names: set[str] = set()
    if decision.applies_when is not None:
        names |= decision.applies_when.names
    for candidate in decision.candidates:
        for argument in candidate.arguments:
            names |= argument.condition.names
    found: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.add(name)
        pending.extend(pack.dependencies.get(name, ()))
    derived = {fact.name for fact in pack.derived}
    return {n for n in found if n in pack.items  # an item a derived fact may fill, too
            or (n not in derived and n not in pack.parameters)}


def exact_decision(pack: Pack, exact: ExactDecisions, result: DecisionResult, run: Run,
                   kernel: NamedRun, base_env: dict[str, Any], order: dict[str, int]
                   ) -> DecisionResult:
    """``result`` (a provisional decision) with its exact status, recommendations and
    missing items; ``run`` is the kernel that gave it, ``kernel`` its name ("pack" or
    "recorded"; kernels of one name compute the same values) and that name's compiled run
    function, and ``base_env`` the case's facts before derivation, as the kernel read them."""
    plan = result.plan
    if plan is None or result.candidate_results is None:
        return result
    key = exact.key(kernel[0], result.decision, base_env)
    found = exact.remembered.get(key, _NOT_YET)
    if found is _NOT_YET:
        found = _work_out(pack, exact, result, run, kernel, base_env, order)
        if len(exact.remembered) >= _REMEMBERED_LIMIT:
            exact.remembered.clear()
        exact.remembered[key] = found
    return result if found is None else _apply(result, found)


_NOT_YET: Any = object()


def _work_out(pack: Pack, exact: ExactDecisions, result: DecisionResult, run: Run,
              kernel: NamedRun, base_env: dict[str, Any], order: dict[str, int]) -> Exact | None:
    asked = list(result.missing)
    everything = asked
    if result.applies is UNKNOWN:
        # Only what decides whether it applies was asked; the candidates' own missing items
        # are completed too, so that the status is exact, but they are asked for only when
        # whether it applies does not change the answer.
        trace = Trace(run(dict(base_env)), exact.unknown_at)  # to follow unknown derived
        extra: set[str] = set()                               # facts back to their items
        for candidate in result.candidate_results or ():
            for argument in candidate.unresolved():
                unknown_inputs(pack, argument.condition.names, trace, extra)
        everything = asked + sorted(extra - set(asked),
                                    key=lambda n: (order.get(n, len(order)), n))
    domains = [exact.cells.get(name) for name in everything]
    if not asked or any(d is None for d in domains):
        return None
    values = [d.representatives for d in domains]  # type: ignore[union-attr]
    if _product(len(v) for v in values) > MAX_COMPLETIONS:
        return None
    weigh = exact.decision_kernel(pack, kernel, result.decision, run)
    outcomes = {completion: _outcome(result, weigh, base_env, everything, completion)
                for completion in itertools.product(*values)}
    return _settle(result, everything, set(asked), [len(v) for v in values], outcomes)


def _product(sizes: Any) -> int:
    total = 1
    for size in sizes:
        total *= size
        if total > MAX_COMPLETIONS:
            break
    return total


def _outcome(result: DecisionResult, weigh: DecisionKernel, base_env: dict[str, Any],
             missing: Sequence[str], completion: tuple[Any, ...]) -> Outcome:
    """Whether the decision applies and each candidate's recommendation, for one completion
    (weighed as ``decide.evaluate_decision`` weighs them; ``weigh`` gives the decision's
    values, which begin at slot ``weigh.first`` of the whole kernel's)."""
    env = dict(base_env)
    env.update(zip(missing, completion, strict=True))
    values = weigh.run(env)
    at = weigh.first
    plan = result.plan
    assert plan is not None
    decision = plan.decision
    applies = True if plan.applies_slot is None else values[plan.applies_slot - at]
    if applies is False:  # does not apply: nothing recommended
        return (False, tuple(False for _ in decision.candidates))
    threshold, weighed = decision.threshold, plan.weighed
    return (applies, tuple(
        kleene_and(applies, recommended_by(c, threshold, values[first - at:end - at], weighed))
        for c, (first, end) in zip(decision.candidates, plan.argument_slots, strict=True)))


def _settle(result: DecisionResult, missing: list[str], asked: set[str], sizes: list[int],
            outcomes: dict[tuple[Any, ...], Outcome]) -> Exact | None:
    """The common recommendations where the completions agree; the items that change them
    (those already asked first, when they do)."""
    applies = _agreed([o[0] for o in outcomes.values()])
    count = len(result.decision.candidates)
    recommendations = tuple(_agreed([o[1][i] for o in outcomes.values()])
                            for i in range(count))
    # What the case's facts already settle must not be contradicted by a completion (a pack
    # reading an item with known() can do that); then keep the three-valued answer.
    if not _consistent(result.applies, applies) or not all(
            _consistent(c.recommended, r)
            for c, r in zip(result.candidate_results or (), recommendations, strict=True)):
        return None
    changed = _changed_candidates(sizes, [o[1] for o in outcomes.values()])
    changers = {name for name, positions in zip(missing, changed, strict=True) if positions}
    if any(r is UNKNOWN for r in recommendations) and not changers:
        return None  # unknown whatever the missing items are: the three-valued answer stands
    first = changers & asked or changers
    per_candidate = tuple(
        tuple(n for n, positions in zip(missing, changed, strict=True)
              if n in first and i in positions)
        for i in range(count))
    return Exact(applies, recommendations, tuple(n for n in missing if n in first),
                 per_candidate)


def _agreed(values: list[Any]) -> Any:
    first = values[0]
    if first is UNKNOWN or any(v is UNKNOWN or v != first for v in values[1:]):
        return UNKNOWN
    return first


def _consistent(known: Any, exact: Any) -> bool:
    return known is UNKNOWN or exact is UNKNOWN or known == exact


def _changed_candidates(sizes: list[int], recommendations: list[tuple[Any, ...]]
                        ) -> list[set[int]]:
    """For each missing item, the candidates whose recommendation changes when that item
    alone changes, for some completion of the others. ``recommendations`` are in the order
    ``itertools.product`` gives the completions, so the completions that differ only in item
    ``j`` are ``stride`` apart (the product of the sizes after ``j``)."""
    changed: list[set[int]] = []
    total = len(recommendations)
    stride = total
    for size in sizes:
        stride //= size
        positions: set[int] = set()
        block = stride * size
        for start in range(0, total, block):
            for base in range(start, start + stride):
                first = recommendations[base]
                for other in range(base + stride, start + block, stride):
                    seen = recommendations[other]
                    if seen != first:
                        positions.update(i for i, (a, b) in enumerate(zip(first, seen, strict=True))
                                         if a is not b)
        changed.append(positions)
    return changed


def _apply(result: DecisionResult, exact: Exact) -> DecisionResult:
    candidates = [replace(c, recommended=r)
                  for c, r in zip(result.candidate_results or (), exact.recommendations,
                                  strict=True)]
    applies = exact.applies if exact.applies is not UNKNOWN else result.applies
    if all(r is not UNKNOWN for r in exact.recommendations):
        status = "not_applicable" if applies is False else "definitive"
        missing: list[str] = []
        candidate_missing: dict[str, list[str]] = {}
    else:
        status, missing = "provisional", list(exact.missing)
        # As in the three-valued answer, a candidate's own missing items are listed only
        # once the decision is known to apply.
        candidate_missing = {} if applies is not True else {
            c.candidate.id: list(m) for c, m in zip(candidates, exact.candidate_missing,
                                                    strict=True)
            if c.recommended is UNKNOWN and m}
        if missing == result.missing and candidate_missing == result.candidate_missing \
                and applies is result.applies and all(
                    c.recommended is r.recommended
                    for c, r in zip(candidates, result.candidate_results or (), strict=True)):
            return result  # the completions change nothing the output shows
    recommended = [c.candidate.id for c in candidates if c.recommended is True]
    return replace(result, status=status, recommended=recommended, missing=missing,
                   candidate_results=candidates, candidate_missing=candidate_missing,
                   applies=applies)
