"""The finite partition of each data item's values that a pack can tell apart.

A pack reads an item through its own conditions: ``psa > 10``, ``between(age, 50, 75)``,
``t_stage in ['T3a', 'T3b']``. Two values of an item that every such
reading treats alike (both above 20, say) give the same result everywhere in the pack, so
working out what a missing item could change needs one value per *cell* of that partition,
not every number. This module finds the cells and a representative of each.

An item is **enumerable** when its cells are certain:
- a boolean (true, false) or an enum (its allowed values, without 'not assessed' ones);
- a whole number with a range of at most ``SMALL_RANGE`` values (each value is a cell);
- a number, or a whole number with a wider range, that the pack only compares with constants
  (literals or parameters: ``<``, ``<=``, ``==``, ``!=``, ``>``, ``>=``, ``between``, ``in``)
  or passes through ``coalesce(x, constant)`` into such a comparison. The constants are the
  cell boundaries.

Anything else (arithmetic on the item, a comparison with another fact, a date, free text)
makes the item not enumerable: callers then keep the three-valued answer, which never claims
more than it knows. So does **any** reading of whether the item is recorded, ``known(x)`` or
``unknown(x)``, directly or through a derived fact built from it (whatever its type): there
"still not recorded" is a state of its own, which no completion of the missing items tries.
Were such an item enumerated, an answer could hold for every completion and yet change when
another missing item is recorded while this one is not: the answer would rest on it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from openmdt.knowledge.model import DataItem, Pack
from openmdt.language.nodes import Call, Comparison, ListOf, Literal, Name, Negative, Node, children

__all__ = ["SMALL_RANGE", "ItemCells", "item_cells"]

SMALL_RANGE = 16  # a whole number with at most this many allowed values: every value a cell


@dataclass(frozen=True)
class ItemCells:
    """The values worth trying for one item, and which cell a known value falls in."""

    name: str
    representatives: tuple[Any, ...]
    boundaries: tuple[float, ...] | None = None  # None: every value is its own cell

    def cell(self, value: Any) -> Any:
        """A key equal for two values exactly when every reading in the pack agrees on them."""
        if self.boundaries is None or not isinstance(value, int | float) \
                or isinstance(value, bool):
            return value
        return tuple((value > b) - (value < b) for b in self.boundaries)


def item_cells(pack: Pack) -> dict[str, ItemCells | None]:
    """For each data item, its cells (None when the pack reads it in a way not enumerable)."""
    contexts = _readings(pack)
    recorded_or_not = _read_for_being_recorded(pack)
    return {name: None if name in recorded_or_not else
            _cells(item, contexts.get(name, []), pack.parameters)
            for name, item in pack.items.items()}


def _read_for_being_recorded(pack: Pack) -> set[str]:
    """The items whose being recorded or not the pack reads: inside ``known(...)`` or
    ``unknown(...)``, directly or through the derived facts named there."""
    names: set[str] = set()
    for tree in _trees(pack):
        for node in _walk(tree):
            if isinstance(node, Call) and node.function in ("known", "unknown"):
                for argument in node.arguments:
                    names |= {n.name for n in _walk(argument) if isinstance(n, Name)}
    found: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(pack.dependencies.get(name, ()))
    return {n for n in found if n in pack.items}


def _walk(node: Node) -> Iterator[Node]:
    yield node
    for child in children(node):
        yield from _walk(child)


def _cells(item: DataItem, readings: list[tuple[Node, ...]], parameters: Mapping[str, Any]
           ) -> ItemCells | None:
    if item.type == "boolean":
        return ItemCells(item.name, (True, False))
    if item.type == "enum":
        values = tuple(v for v in item.values or () if v not in item.not_assessed)
        return ItemCells(item.name, values)
    if item.type == "integer" and _small_range(item):
        low, high = int(item.minimum), int(item.maximum)  # type: ignore[arg-type]
        return ItemCells(item.name, tuple(range(low, high + 1)))
    thresholds: set[float] = set()
    for path in readings:
        found = _thresholds(path, parameters)
        if found is None:
            return None
        thresholds |= found
    if item.type == "number":
        return _number_cells(item, sorted(thresholds))
    if item.type == "integer":
        return _integer_cells(item, sorted(thresholds))
    if item.type == "text" and not thresholds:
        return ItemCells(item.name, ("recorded",))
    return None


def _small_range(item: DataItem) -> bool:
    return item.minimum is not None and item.maximum is not None \
        and item.maximum - item.minimum < SMALL_RANGE


def _in_range(item: DataItem, value: float) -> bool:
    return (item.minimum is None or value >= item.minimum) \
        and (item.maximum is None or value <= item.maximum)


def _number_cells(item: DataItem, bounds: list[float]) -> ItemCells:
    points: set[float] = set(bounds)
    points |= {(a + b) / 2 for a, b in zip(bounds, bounds[1:], strict=False)}
    if bounds:
        points |= {bounds[0] - 1, bounds[-1] + 1}
    points |= {b for b in (item.minimum, item.maximum) if b is not None}
    if not points:
        points = {0.0}
    chosen = tuple(sorted(p for p in points if _in_range(item, p)))
    return ItemCells(item.name, chosen or (0.0,), tuple(bounds))


def _integer_cells(item: DataItem, bounds: list[float]) -> ItemCells:
    points: set[int] = set()
    for bound in bounds:
        points |= {math.floor(bound) - 1, math.floor(bound), math.ceil(bound),
                   math.ceil(bound) + 1}
    points |= {int(b) for b in (item.minimum, item.maximum) if b is not None}
    if not points:
        points = {0}
    chosen = tuple(sorted(p for p in points if _in_range(item, p)))
    return ItemCells(item.name, chosen or (0,), tuple(bounds))


def _constant(node: Node, parameters: Mapping[str, Any]) -> float | None:
    """The number a constant operand stands for, or None when it is not a constant number."""
    if isinstance(node, Negative):
        inner = _constant(node.operand, parameters)
        return None if inner is None else -inner
    value: Any = None
    if isinstance(node, Literal):
        value = node.value
    elif isinstance(node, Name) and node.name in parameters:
        value = parameters[node.name]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _thresholds(path: tuple[Node, ...], parameters: Mapping[str, Any]) -> set[float] | None:
    """The boundaries one reading of an item sets, or None when the reading is not a plain
    comparison with constants. ``path`` runs from the item's Name up to the expression root."""
    node, rest = path[0], path[1:]
    while rest and isinstance(rest[0], Call) and rest[0].function == "coalesce" \
            and rest[0].arguments[0] is node \
            and _constant(rest[0].arguments[1], parameters) is not None:
        node, rest = rest[0], rest[1:]  # coalesce(x, c) reads as x when x is known
    if not rest:
        return None  # the item's value itself is the result (a derived fact's value)
    parent = rest[0]
    if isinstance(parent, Call) and parent.function == "between" \
            and parent.arguments[0] is node:
        bounds = [_constant(a, parameters) for a in parent.arguments[1:]]
        return None if None in bounds else set(bounds)  # type: ignore[arg-type]
    if isinstance(parent, Comparison):
        return _comparison_thresholds(parent, node, parameters)
    return None


def _comparison_thresholds(parent: Comparison, node: Node, parameters: Mapping[str, Any]
                           ) -> set[float] | None:
    index = next(i for i, operand in enumerate(parent.operands) if operand is node)
    found: set[float] = set()
    for position in (index - 1, index + 1):
        if not 0 <= position < len(parent.operands):
            continue
        other = parent.operands[position]
        if isinstance(other, ListOf):
            values = [_constant(v, parameters) for v in other.items]
            if None in values:
                return None
            found |= set(values)  # type: ignore[arg-type]
            continue
        value = _constant(other, parameters)
        if value is None:
            return None
        found.add(value)
    return found


def _readings(pack: Pack) -> dict[str, list[tuple[Node, ...]]]:
    """Every place a data item is read: the path from its Name up to the expression root."""
    found: dict[str, list[tuple[Node, ...]]] = {}
    for tree in _trees(pack):
        for path in _name_paths(tree, ()):
            name = path[0].name  # type: ignore[union-attr]
            if name in pack.items:
                found.setdefault(name, []).append(path)
    return found


def _name_paths(node: Node, above: tuple[Node, ...]) -> Iterator[tuple[Node, ...]]:
    if isinstance(node, Name):
        yield (node, *above)
        return
    for child in children(node):
        yield from _name_paths(child, (node, *above))


def _trees(pack: Pack) -> Iterator[Node]:
    """Every checked expression tree of the pack: derived facts and all conditions."""
    from openmdt.knowledge.kernel import pack_conditions

    for fact in pack.derived:
        for expression in (fact.expression, fact.otherwise):
            if expression is not None:
                yield expression.tree
        for row in fact.rows:
            yield row.condition.tree
            if row.value is not None:
                yield row.value.tree
    for condition in pack_conditions(pack):
        yield condition.tree
