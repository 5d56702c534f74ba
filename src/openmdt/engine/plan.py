"""What the engine works out once per pack, kept for as long as the pack lives."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openmdt.engine.decide import DecisionPlan, plan_decisions
from openmdt.engine.jsonout import PackFragments, pack_fragments
from openmdt.knowledge.model import DataItem, Pack
from openmdt.knowledge.values import fast_converter
from openmdt.language import UNKNOWN

_PLANS: dict[int, tuple[weakref.ref, EnginePlan]] = {}


@dataclass(frozen=True)
class EnginePlan:
    """Item order, where decisions' values are, and the per-item helpers of one pack."""

    order: dict[str, int]
    decisions: list[DecisionPlan]
    base_env: dict[str, Any]  # parameters, and each item's default or UNKNOWN
    not_assessed: dict[str, frozenset[str]]  # items with values that mean "not assessed"
    converters: dict[str, Callable[[Any], Any]]  # one fact converter per item
    triage_needs: list[DataItem]  # items triage may need (always, or under a condition)
    fragments: PackFragments  # the JSON of everything in the decisions no case changes


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
        triage_needs=[i for i in pack.items.values()
                      if i.triage_always or i.triage_when is not None],
        fragments=pack_fragments(pack))


def engine_plan(pack: Pack) -> EnginePlan:
    """The pack's plan, built on first use."""
    cached = _PLANS.get(id(pack))
    if cached is not None and cached[0]() is pack:
        return cached[1]
    plan = _build(pack)
    _PLANS[id(pack)] = (weakref.ref(pack), plan)
    return plan
