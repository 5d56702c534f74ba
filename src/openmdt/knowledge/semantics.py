"""The reference semantics of a pack: what its program computes for one case, by definition.

A pack is compiled to a program (``program.py``): its derived facts, then its conditions as
ordered steps with stable ids. This module interprets that program plainly, over the checked
expression trees, with the language's reference interpreter (``language.interpreter``, whose
operators are those of ``language.library``): first every derived fact in the pack's order
(a first-match table is settled as ``resolve_possible`` says), then every step in the
layout's order, a step nothing would read being ``SKIPPED`` (``program.Skip``).

It is the definition, not a fast path: every backend (the generated Python kernel of
``kernel.py``, the SQL of ``backends``) must give the same values, which the kernel's tests
and the conformance corpus (``tests/conformance``) check value for value.
"""

from __future__ import annotations

from typing import Any

from openmdt.knowledge.model import DerivedFact, Pack
from openmdt.knowledge.program import Program, Step
from openmdt.language import UNKNOWN

__all__ = ["SKIPPED", "Skipped", "derive_facts", "resolve_possible", "run_program",
           "unknown_index", "unknown_names"]


class Skipped:
    """The value of an argument of a decision that does not apply: not computed by the kernel.

    The engine computes such arguments only when an explanation asks for them.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "Skipped"


SKIPPED = Skipped()


def unknown_names(pack: Pack) -> tuple[str, ...]:
    """The names whose being unknown a run reports, after the values (see kernel.Kernel)."""
    return (*pack.items, *(fact.name for fact in pack.derived), "as_of")


def unknown_index(pack: Pack) -> dict[str, int | None]:
    """Where each name's unknown flag is in a run's result (see program.Trace): the place in
    ``unknown_names(pack)``, or None for a parameter, which is never unknown."""
    index: dict[str, int | None] = dict.fromkeys(pack.parameters)
    index.update((name, i) for i, name in enumerate(unknown_names(pack)))
    return index


def derive_facts(pack: Pack, env: dict[str, Any]) -> None:
    """Fill every derived fact into ``env``, in the pack's order (a fact that fills an item
    only when the item is not given)."""
    for fact in pack.derived:
        if fact.fills_item and env.get(fact.name, UNKNOWN) is not UNKNOWN:
            continue
        if fact.expression is not None:
            env[fact.name] = fact.expression.evaluate(env)
        else:
            env[fact.name] = _table_value(fact, env)


def _table_value(fact: DerivedFact, env: dict[str, Any]) -> Any:
    """First matching row; unknown earlier rows leave it unknown unless all could agree."""
    possible: list[Any] = []
    for row in fact.rows:
        holds = row.condition.evaluate(env)
        if holds is False:
            continue
        possible.append(UNKNOWN if row.value is None else row.value.evaluate(env))
        if holds is True:
            break
    else:
        possible.append(UNKNOWN if fact.otherwise is None else fact.otherwise.evaluate(env))
    return resolve_possible(possible)


def resolve_possible(possible: list[Any]) -> Any:
    """The one value every still-possible table row gives, or UNKNOWN."""
    first = possible[0]
    if first is UNKNOWN:
        return UNKNOWN
    for value in possible[1:]:
        if value is UNKNOWN or value != first:
            return UNKNOWN
    return first


def _skipped(step: Step, values: list[Any], env: dict[str, Any], layout: dict[str, int]
             ) -> bool:
    """Whether nothing would read the step's value for this case (see program.Skip)."""
    skip = step.skip
    if skip is None:
        return False
    if skip.unless_false is not None:
        return values[layout[skip.unless_false]] is False
    return env[skip.when_known] is not UNKNOWN


def run_program(pack: Pack, program: Program, env: dict[str, Any], *, skip: bool = True
                ) -> tuple[Any, ...]:
    """The program's values for the case ``env`` (derived facts are filled into it): every
    step's value in layout order, then whether each of ``unknown_names(pack)`` is unknown."""
    derive_facts(pack, env)
    values: list[Any] = []
    for step in program.steps:  # a guard always comes before the steps it guards
        skipped = skip and _skipped(step, values, env, program.layout)
        values.append(SKIPPED if skipped else step.expression.evaluate(env))
    return (*values, tuple(env[name] is UNKNOWN for name in unknown_names(pack)))
