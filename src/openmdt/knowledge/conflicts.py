"""Foreseeing conflicts: can a confirming and an excluding argument of one candidate both hold?

When they do, the engine does not recommend the candidate and reports the conflict; a pack
author wants to know before a patient meets it. The check searches for an example case:
every enum value, both booleans, and for numbers each constant the pack compares with and
the values just either side of it (so PSA 20 and 20.01 are both tried). Small spaces are
searched exhaustively, large ones by a seeded random sample, so the check is a search for
an example, not a proof that none exists.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Mapping
from typing import Any

from openmdt.knowledge.diagnostics import Diagnostic
from openmdt.knowledge.model import Argument, Candidate, DataItem, Pack
from openmdt.knowledge.yamlsource import Position
from openmdt.language import UNKNOWN
from openmdt.language.nodes import Literal, children

MAX_EXHAUSTIVE = 20_000
SAMPLES = 4_000


def _numeric_constants(pack: Pack) -> set[float]:
    """Every number written in the pack's conditions, and every numeric parameter."""
    found = {v for v in pack.parameters.values()
             if isinstance(v, (int, float)) and not isinstance(v, bool)}
    for condition in _all_conditions(pack):
        pending = [condition.tree]
        while pending:
            node = pending.pop()
            if isinstance(node, Literal) and isinstance(node.value, (int, float)) \
                    and not isinstance(node.value, bool):
                found.add(node.value)
            pending.extend(children(node))
    return found


def _all_conditions(pack: Pack) -> Iterator[Any]:
    for fact in pack.derived:
        for row in fact.rows:
            yield row.condition
        if fact.expression is not None:
            yield fact.expression
    for decision in pack.decisions:
        for candidate in decision.candidates:
            for argument in candidate.arguments:
                yield argument.condition


def _domain(item: DataItem, constants: set[float]) -> list[Any]:
    """Values worth trying for one item."""
    if item.type == "boolean":
        return [True, False]
    if item.type == "enum":
        return [v for v in item.values or () if v not in item.not_assessed]
    if item.type not in ("number", "integer"):
        return []
    step = 1 if item.type == "integer" else 0.01
    values = {c + d for c in constants for d in (-step, 0, step)}
    values |= {v for v in (item.minimum, item.maximum) if v is not None}
    if item.type == "integer":
        values = {int(v) for v in values if float(v).is_integer()}
    return sorted(v for v in values if (item.minimum is None or v >= item.minimum)
                  and (item.maximum is None or v <= item.maximum))


def _inputs(pack: Pack, names: set[str]) -> list[str]:
    """The data items behind some names, following derived facts to what they are made of."""
    found: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name in pack.items and name not in found:
            found.add(name)
        if name in pack.dependencies:
            pending.extend(n for n in pack.dependencies[name] if n not in found)
    return sorted(found)


def _cases(domains: Mapping[str, list[Any]]) -> Iterator[dict[str, Any]]:
    names = list(domains)
    size = 1
    for values in domains.values():
        size *= max(len(values), 1)
    if size <= MAX_EXHAUSTIVE:
        for combination in itertools.product(*(domains[n] or [UNKNOWN] for n in names)):
            yield dict(zip(names, combination, strict=True))
        return
    rng = random.Random(20261127)
    for _ in range(SAMPLES):
        yield {n: rng.choice(domains[n]) if domains[n] else UNKNOWN for n in names}


def _example(pack: Pack, confirming: Argument, excluding: Argument) -> dict[str, Any] | None:
    names = _inputs(pack, set(confirming.condition.names) | set(excluding.condition.names))
    constants = _numeric_constants(pack)
    domains = {n: _domain(pack.items[n], constants) for n in names}
    base = dict(pack.parameters)
    base.update({n: UNKNOWN for n in pack.items})
    base["as_of"] = UNKNOWN
    run = pack.kernel.run_all
    slots = pack.kernel.slot(confirming.condition), pack.kernel.slot(excluding.condition)
    for case in _cases(domains):
        env = {**base, **case}
        values = run(env)
        if values[slots[0]] is True and values[slots[1]] is True:
            return case
    return None


Places = Mapping[tuple[str, str], tuple[Position, str]]


def foreseeable_conflicts(pack: Pack, places: Places) -> list[Diagnostic]:
    """A warning for each candidate whose confirming and excluding arguments can both hold;
    ``places`` gives where each (decision id, candidate id) was written."""
    found = []
    for decision in pack.decisions:
        for candidate in decision.candidates:
            where = places.get((decision.id, candidate.id), (Position("<pack>", 1, 1), ""))
            found.extend(_candidate_conflicts(pack, where, candidate))
    return found


def _candidate_conflicts(pack: Pack, where: tuple[Position, str], candidate: Candidate
                         ) -> Iterator[Diagnostic]:
    position, path = where
    confirming = [a for a in candidate.arguments if a.polarity == "confirming"]
    excluding = [a for a in candidate.arguments if a.polarity == "excluding"]
    for conf, exc in itertools.product(confirming, excluding):
        if conf.condition.to_text() == exc.condition.to_text():
            continue  # the same condition: the compiler has reported it already
        example = _example(pack, conf, exc)
        if example is not None:
            shown = ", ".join(f"{k}={v!r}" for k, v in example.items() if v is not UNKNOWN)
            yield Diagnostic(
                position.file, path, position.line, position.column, "argument_conflict",
                f"arguments {conf.id!r} (confirming) and {exc.id!r} (excluding) of candidate "
                f"{candidate.id!r} both hold, for example when {shown or 'nothing is known'}",
                "make the conditions exclusive, or accept that such cases are never "
                "recommended and reported as conflicts", "warning")
