"""What the engine works out once per pack, kept for as long as the pack lives."""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openmdt.engine.decide import DecisionPlan, plan_decisions
from openmdt.engine.exact import ExactDecisions
from openmdt.engine.jsonout import PackFragments, pack_fragments
from openmdt.engine.memo import Memo
from openmdt.knowledge.kernel import Kernel
from openmdt.knowledge.model import DataItem, Pack
from openmdt.knowledge.program import Trace
from openmdt.knowledge.recorded import assumed_items, recorded_only_kernel
from openmdt.knowledge.semantics import unknown_index
from openmdt.knowledge.values import fast_converter
from openmdt.language import UNKNOWN, ValueType

_PLANS: dict[int, tuple[weakref.ref, EnginePlan]] = {}
DECISION_DICTS_LIMIT = 20_000


@dataclass(frozen=True)
class EnginePlan:
    """Item order, where decisions' values are, and the per-item helpers of one pack."""

    order: dict[str, int]
    decisions: list[DecisionPlan]
    base_env: dict[str, Any]  # parameters, and each item's default or UNKNOWN
    not_assessed: dict[str, frozenset[str]]  # items with values that mean "not assessed"
    converters: dict[str, Callable[[Any], Any]]  # one fact converter per item
    ready_values: dict[str, ReadyValues]  # what each item takes as it is, without converting
    triage_needs: list[DataItem]  # items triage may need (always, or under a condition)
    fragments: PackFragments  # the JSON of everything in the decisions no case changes
    settled: dict[tuple[Any, ...], Any]  # decisions and triage by kernel values (see Kernel)
    assumed: dict[tuple[str, ...], tuple[dict[str, Any], str]]  # defaults used, and JSON
    derived_names: tuple[str, ...]  # the derived facts, in output order
    derived_dates: tuple[str, ...]  # those that are dates (output as ISO text)
    derived_texts: dict[tuple[Any, ...], str]  # JSON of the derived facts, by their values
    assumed_items: tuple[str, ...]  # defaults a Standard of Care may not rest on
    lazy: dict[str, Any]  # built on first use: the recorded-only kernel
    unknown_at: dict[str, int | None] = field(default_factory=dict)  # see program.Trace
    decision_dicts: Memo[dict[str, Any]] = field(
        default_factory=lambda: Memo(DECISION_DICTS_LIMIT))  # see evaluate._decision_template

    def trace(self, values: tuple[Any, ...]) -> Trace:
        """The trace of a run of this pack's program (its kernel's or the recorded-only
        kernel's, which share the layout)."""
        return Trace(values, self.unknown_at)

    @property
    def recorded_kernel(self) -> Kernel:
        """The pack's kernel without constant fallbacks (see knowledge.recorded)."""
        kernel = self.lazy.get("recorded_kernel")
        if kernel is None:
            kernel = self.lazy["recorded_kernel"] = recorded_only_kernel(self.lazy["pack"]())
        return kernel

    @property
    def exact(self) -> ExactDecisions:
        """The pack's item cells and exact-status memory (see engine.exact)."""
        exact = self.lazy.get("exact")
        if exact is None:
            exact = self.lazy["exact"] = ExactDecisions(self.lazy["pack"](),
                                                          self.unknown_at)
        return exact


# (enum values, boolean?, lowest, highest number, floats too?): a value of the item's own type
# that needs no conversion. Bounds are finite, so infinity and NaN always go to the converter.
ReadyValues = tuple[frozenset[str], bool, float, float, bool]
_LARGEST = sys.float_info.max


def _ready_values(item: DataItem) -> ReadyValues:
    numeric = item.type in ("number", "integer")
    low = -_LARGEST if item.minimum is None or not numeric else item.minimum
    high = _LARGEST if item.maximum is None or not numeric else item.maximum
    if not numeric:
        low, high = 1.0, 0.0  # no number is ready: an empty range
    return (frozenset(item.values or ()) if item.type == "enum" else frozenset(),
            item.type == "boolean", low, high, item.type == "number")


def _build(pack: Pack) -> EnginePlan:
    base_env: dict[str, Any] = dict(pack.parameters)
    for name, item in pack.items.items():
        base_env[name] = UNKNOWN if item.default is None else item.default
    return EnginePlan(
        order={name: index for index, name in enumerate(pack.items)},
        decisions=plan_decisions(pack),
        base_env=base_env,
        not_assessed={n: i.not_assessed for n, i in pack.items.items() if i.not_assessed},
        converters={name: fast_converter(item) for name, item in pack.items.items()},
        ready_values={name: _ready_values(item) for name, item in pack.items.items()},
        triage_needs=[i for i in pack.items.values()
                      if i.triage_always or i.triage_when is not None],
        fragments=pack_fragments(pack),
        settled={}, assumed={}, derived_texts={},
        derived_names=tuple(fact.name for fact in pack.derived),
        derived_dates=tuple(fact.name for fact in pack.derived if fact.type is ValueType.DATE),
        assumed_items=assumed_items(pack), lazy={"pack": weakref.ref(pack)},
        unknown_at=unknown_index(pack))


def engine_plan(pack: Pack) -> EnginePlan:
    """The pack's plan, built on first use."""
    cached = _PLANS.get(id(pack))
    if cached is not None and cached[0]() is pack:
        return cached[1]
    plan = _build(pack)
    key = id(pack)

    def forget(dead: weakref.ref) -> None:  # the pack is gone: so is its plan
        if _PLANS.get(key, (None,))[0] is dead:
            del _PLANS[key]

    _PLANS[key] = (weakref.ref(pack, forget), plan)
    return plan


def forget_remembered(pack: Pack) -> None:
    """Drop every result remembered for the pack's cases (decisions, triage, JSON pieces),
    as if no case had been evaluated yet: for measuring a case whose pattern is new."""
    plan = engine_plan(pack)
    for memo in (plan.settled, plan.assumed, plan.derived_texts, plan.decision_dicts,
                 plan.fragments.candidate_texts, plan.fragments.decision_texts,
                 *(d.weighed for d in plan.decisions)):
        memo.clear()
    plan.exact.remembered.clear()
