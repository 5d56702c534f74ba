"""evaluate(pack, case) -> Evaluation: normalise, derive, decide, explain, triage. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from openmdt.engine.decide import DecisionResult, evaluate_decision
from openmdt.engine.derive import derive_facts
from openmdt.engine.normalise import Case, validate_case
from openmdt.engine.triage import Triage, triage_case
from openmdt.knowledge.model import Pack
from openmdt.language import UNKNOWN

_ORDER_CACHE: dict[int, dict[str, int]] = {}


@dataclass
class Evaluation:
    """The result of evaluating one case with one pack: derived facts, decisions, triage."""

    case_id: str
    pack: Pack
    as_of: date | None
    derived: dict[str, Any]
    decisions: list[DecisionResult]
    triage: Triage

    @property
    def route(self) -> str:
        return self.triage.route

    def to_dict(self) -> dict[str, Any]:
        """The output contract: JSON-ready, stable keys, deterministic order."""
        return {"case_id": self.case_id, "pack": self.pack.reference,
                "as_of": None if self.as_of is None else self.as_of.isoformat(),
                "derived": self.derived,
                "decisions": [d.to_dict() for d in self.decisions],
                "triage": self.triage.to_dict()}


def _item_order(pack: Pack) -> dict[str, int]:
    order = _ORDER_CACHE.get(id(pack))
    if order is None:
        order = {name: index for index, name in enumerate(pack.items)}
        _ORDER_CACHE[id(pack)] = order
    return order


def _json_value(value: Any) -> Any:
    if value is UNKNOWN:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value


def case_environment(pack: Pack, case: Case, as_of: date | None) -> dict[str, Any]:
    """Names to values for the expressions: parameters, every item (UNKNOWN if absent)."""
    env: dict[str, Any] = dict(pack.parameters)
    for name in pack.items:
        env[name] = case.facts.get(name, UNKNOWN)
    env["as_of"] = UNKNOWN if as_of is None else as_of
    return env


def evaluate(pack: Pack, case: Case | Mapping[str, Any], as_of: date | None = None
             ) -> Evaluation:
    """Evaluate one case; raises CaseError when its facts do not fit the data dictionary."""
    if not isinstance(case, Case):
        case = validate_case(pack, case)
    env = case_environment(pack, case, as_of)
    derive_facts(pack, env)
    order = _item_order(pack)
    decisions = [evaluate_decision(pack, d, env, order) for d in pack.decisions]
    triage = triage_case(pack, env, decisions, order)
    derived = {fact.name: _json_value(env[fact.name]) for fact in pack.derived}
    return Evaluation(case.case_id, pack, as_of, derived, decisions, triage)
