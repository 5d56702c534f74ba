"""The pack read on recorded facts only: what a Standard of Care may rest on.

A case may be listed under a Standard of Care (taken off the discussion list) only when the
recorded data prove it. Two things in a pack fill in values a case does not record: an item's
``default`` and ``coalesce(x, constant)``. Both are fine for showing the options, but not for
streamlining. ``recorded_only_kernel`` compiles the same pack with every
``coalesce(..., constant)`` reduced to its non-constant arguments; the engine runs it with
every default that is not marked ``streamline_safe`` set to unknown. Kleene logic then gives
a definite value only when it holds whatever the unrecorded values are.

Slots come in the same order as the pack's own kernel (``pack_conditions``), so the values it
returns are read with ``pack.kernel.slot``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from openmdt.knowledge.kernel import (
    Kernel,
    KernelCode,
    compile_kernel,
    kernel_code,
    kernel_from_code,
)
from openmdt.knowledge.model import DataItem, DerivedFact, Pack
from openmdt.language import Expression
from openmdt.language.nodes import (
    Arithmetic,
    Call,
    Comparison,
    Literal,
    Logic,
    Negative,
    Node,
    Not,
    referenced_names,
)


def assumed_items(pack: Pack) -> tuple[str, ...]:
    """Items whose default a Standard of Care may not rest on (not marked streamline_safe)."""
    return tuple(name for name, item in pack.items.items()
                 if item.default is not None and not item.streamline_safe)


# Compiled code of recorded-only kernels by pack hash, filled by the compiled-pack cache.
_RECORDED_CODE: dict[str, KernelCode] = {}


def recorded_only_kernel(pack: Pack) -> Kernel:
    """The pack's kernel with no ``coalesce`` falling back on a constant or a parameter."""
    recorded = recorded_only_pack(pack)
    code = _RECORDED_CODE.get(pack.hash)
    return compile_kernel(recorded) if code is None else kernel_from_code(recorded, code)


def recorded_only_code(pack: Pack) -> KernelCode:
    """The compiled code of the recorded-only kernel (for the compiled-pack cache)."""
    return kernel_code(recorded_only_pack(pack))


def remember_recorded_code(pack: Pack, code: KernelCode) -> None:
    """Use `code` (from the compiled-pack cache) for this pack's recorded-only kernel."""
    _RECORDED_CODE[pack.hash] = code


def _is_constant(node: Node, parameters: Mapping[str, Any]) -> bool:
    return isinstance(node, Literal) or referenced_names(node) <= set(parameters)


def _tree(node: Node, parameters: Mapping[str, Any]) -> Node:
    """``node`` with every coalesce's constant fallbacks removed (children first)."""
    if isinstance(node, Not | Negative):
        return replace(node, operand=_tree(node.operand, parameters))
    if isinstance(node, Logic | Comparison):
        return replace(node, operands=tuple(_tree(n, parameters) for n in node.operands))
    if isinstance(node, Arithmetic):
        return replace(node, left=_tree(node.left, parameters),
                       right=_tree(node.right, parameters))
    if isinstance(node, Call):
        arguments = tuple(_tree(n, parameters) for n in node.arguments)
        if node.function == "coalesce":
            kept = tuple(a for a in arguments if not _is_constant(a, parameters))
            if len(kept) == 1:
                return kept[0]
            arguments = kept or arguments
        return replace(node, arguments=arguments)
    return node


def _expression(expression: Expression | None, parameters: Mapping[str, Any]
                ) -> Expression | None:
    if expression is None:
        return None
    tree = _tree(expression.tree, parameters)
    if tree == expression.tree:
        return expression
    return Expression(expression.source, tree)


def _fact(fact: DerivedFact, parameters: Mapping[str, Any]) -> DerivedFact:
    rows = tuple(replace(row, condition=_expression(row.condition, parameters),
                         value=_expression(row.value, parameters)) for row in fact.rows)
    return replace(fact, expression=_expression(fact.expression, parameters), rows=rows,
                   otherwise=_expression(fact.otherwise, parameters))


def _item(item: DataItem, parameters: Mapping[str, Any]) -> DataItem:
    return replace(item, triage_when=_expression(item.triage_when, parameters))


def recorded_only_pack(pack: Pack) -> Pack:
    """The pack with every coalesce's constant fallbacks removed (what the recorded-only
    kernel is compiled from; other backends compile the same trees)."""
    p = pack.parameters
    decisions = tuple(replace(
        d, applies_when=_expression(d.applies_when, p),
        candidates=tuple(replace(c, arguments=tuple(
            replace(a, condition=_expression(a.condition, p)) for a in c.arguments))
            for c in d.candidates)) for d in pack.decisions)
    standards = tuple(replace(
        s, condition=_expression(s.condition, p),
        exclusions=tuple(replace(e, condition=_expression(e.condition, p))
                         for e in s.exclusions)) for s in pack.standards)
    return replace(
        pack, derived=tuple(_fact(f, p) for f in pack.derived), decisions=decisions,
        standards=standards,
        never_streamline=tuple(replace(r, condition=_expression(r.condition, p))
                               for r in pack.never_streamline),
        conflicts=tuple(replace(c, condition=_expression(c.condition, p))
                        for c in pack.conflicts),
        items={name: _item(item, p) for name, item in pack.items.items()}, kernel=None)
