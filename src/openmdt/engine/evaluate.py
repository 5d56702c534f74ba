"""evaluate(pack, case) -> Evaluation: normalise, derive, decide, explain, triage. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from openmdt.engine.decide import DecisionResult, evaluate_decision
from openmdt.engine.normalise import Case, validate_case
from openmdt.engine.plan import engine_plan
from openmdt.engine.triage import Triage, triage_case
from openmdt.knowledge.kernel import Kernel
from openmdt.knowledge.model import Pack
from openmdt.language import UNKNOWN


@dataclass
class Evaluation:
    """The result of evaluating one case with one pack: derived facts, decisions, triage."""

    case_id: str
    pack: Pack
    as_of: date | None
    derived: dict[str, Any]
    decisions: list[DecisionResult]
    triage: Triage
    assumed: dict[str, Any]

    @property
    def route(self) -> str:
        return self.triage.route

    def to_json(self) -> str:
        """The output contract as compact JSON text; equal to dumps(to_dict()), but faster."""
        from openmdt.engine.jsonout import evaluation_json

        return evaluation_json(self)

    def to_dict(self) -> dict[str, Any]:
        """The output contract: JSON-ready, stable keys, deterministic order."""
        return {"case_id": self.case_id, "pack": self.pack.reference,
                "as_of": None if self.as_of is None else self.as_of.isoformat(),
                "assumed": self.assumed,
                "derived": self.derived,
                "decisions": [d.to_dict() for d in self.decisions],
                "triage": self.triage.to_dict()}


def _json_value(value: Any) -> Any:
    if value is UNKNOWN:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value


def case_environment(pack: Pack, case: Case, as_of: date | None) -> dict[str, Any]:
    """Names to values for the expressions: parameters and every item (its default, or
    UNKNOWN, when the case does not give it; a 'not assessed' value such as TX is UNKNOWN)."""
    plan = engine_plan(pack)
    env = plan.base_env.copy()
    env.update(case.facts)
    for name, values in plan.not_assessed.items():
        if env[name] in values:
            env[name] = UNKNOWN
    env["as_of"] = UNKNOWN if as_of is None else as_of
    return env


def _explainer(kernel: Kernel, env: dict[str, Any], values: tuple[Any, ...] | None = None
               ) -> Callable[[], tuple[Any, ...]]:
    """Every kernel value for this case, computed once and only if an explanation needs it."""
    memo: list[tuple[Any, ...]] = [] if values is None else [values]

    def values() -> tuple[Any, ...]:
        if not memo:
            run_all = kernel.run_all or kernel.run
            memo.append(run_all(dict(env)))
        return memo[0]

    return values


def evaluate(pack: Pack, case: Case | Mapping[str, Any], as_of: date | None = None, *,
             kernel: Kernel | None = None, explain: bool = False) -> Evaluation:
    """Evaluate one case; raises CaseError when its facts do not fit the data dictionary.

    With ``explain`` every argument is computed at once (callers that will output the whole
    explanation); otherwise arguments of decisions that do not apply are worked out only if
    the explanation is asked for. ``kernel`` replaces the pack's compiled kernel (tests pass
    the reference kernel). The result is the same either way.
    """
    if not isinstance(case, Case):
        case = validate_case(pack, case)
    env = case_environment(pack, case, as_of)
    kernel = kernel or pack.kernel
    run = kernel.run_all if explain and kernel.run_all is not None else kernel.run
    values = run(env)  # fills in derived facts, returns every condition's value
    plan = engine_plan(pack)
    explainer = _explainer(kernel, env, values if run is kernel.run_all else None)
    decisions = [evaluate_decision(pack, d, values, env, plan.order, explainer)
                 for d in plan.decisions]
    triage = triage_case(pack, env, values, decisions, plan.order)
    derived = {fact.name: _json_value(env[fact.name]) for fact in pack.derived}
    return Evaluation(case.case_id, pack, as_of, derived, decisions, triage,
                      assumed_values(pack, case))


def assumed_values(pack: Pack, case: Case) -> dict[str, Any]:
    """Items the case does not record whose pack default was used (explicit local policy)."""
    return {name: _json_value(item.default) for name, item in pack.items.items()
            if item.default is not None and name not in case.facts}
