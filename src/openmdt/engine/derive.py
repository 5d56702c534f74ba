"""Derive facts (e.g. the Cambridge Prognostic Group) in three-valued logic."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openmdt.knowledge.model import DerivedFact, Pack
from openmdt.language import UNKNOWN

_NO_VALUE = object()


def _value_of(expression: Any, env: dict[str, Any]) -> Any:
    if expression is None:
        return UNKNOWN
    return expression.evaluate(env)


def _table_value(fact: DerivedFact, env: dict[str, Any]) -> Any:
    """First matching row; unknown earlier rows leave it unknown unless all could agree."""
    possible: list[Any] = []
    for row in fact.rows:
        holds = row.condition.evaluate(env)
        if holds is False:
            continue
        possible.append(_value_of(row.value, env))
        if holds is True:
            break
    else:
        possible.append(_value_of(fact.otherwise, env))
    first = possible[0]
    if first is UNKNOWN or any(v is UNKNOWN or v != first for v in possible[1:]):
        return UNKNOWN
    return first


def derive_facts(pack: Pack, env: dict[str, Any]) -> None:
    """Add every derived fact to ``env`` in dependency order (a filled item keeps its value)."""
    for fact in pack.derived:
        if fact.fills_item and env.get(fact.name, UNKNOWN) is not UNKNOWN:
            continue
        if fact.expression is not None:
            env[fact.name] = fact.expression.evaluate(env)
        else:
            env[fact.name] = _table_value(fact, env)


def unknown_inputs(pack: Pack, names: Iterable[str], env: dict[str, Any], found: set[str]
                   ) -> set[str]:
    """The unknown data items behind ``names``: follows unknown derived facts to their inputs.

    A derived fact whose value is known is not followed: its missing inputs cannot matter.
    """
    for name in names:
        if env.get(name, UNKNOWN) is not UNKNOWN or name in found:
            continue
        if name in pack.items:
            found.add(name)
        elif name in pack.dependencies:
            unknown_inputs(pack, pack.dependencies[name], env, found)
    return found
