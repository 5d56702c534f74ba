"""The expression tree: what the parser builds, the checker types and the backends run.

Nodes are frozen dataclasses. ``offset`` (0-based character offset in the source) takes no
part in equality, so the same expression printed and parsed again gives an equal tree.
``type`` is None until the checker fills it in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .symbols import ValueType

__all__ = [
    "Arithmetic",
    "Call",
    "Comparison",
    "ListOf",
    "Literal",
    "Logic",
    "Name",
    "Negative",
    "Node",
    "Not",
    "children",
    "referenced_names",
]


@dataclass(frozen=True, kw_only=True)
class _Node:
    """Fields every node has: where it starts and, once checked, its type."""

    offset: int = field(default=0, compare=False)
    type: ValueType | None = None


@dataclass(frozen=True)
class Literal(_Node):
    """A number, string or boolean written in the expression."""

    value: bool | int | float | str


@dataclass(frozen=True)
class Name(_Node):
    """A data item, derived fact or parameter, looked up in the case at evaluation time."""

    name: str


@dataclass(frozen=True)
class ListOf(_Node):
    """A list of literals; only allowed on the right of ``in`` / ``not in``."""

    items: tuple[Literal, ...]


@dataclass(frozen=True)
class Not(_Node):
    """Three-valued negation."""

    operand: Node


@dataclass(frozen=True)
class Negative(_Node):
    """Unary minus of a number."""

    operand: Node


@dataclass(frozen=True)
class Logic(_Node):
    """``and`` / ``or`` over two or more conditions (Kleene logic)."""

    operator: str
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Comparison(_Node):
    """A comparison chain: ``a < b <= c`` means ``a < b and b <= c``."""

    operands: tuple[Node, ...]
    operators: tuple[str, ...]


@dataclass(frozen=True)
class Arithmetic(_Node):
    """``+ - * /`` on numbers."""

    operator: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call(_Node):
    """A call of a function of the library, by name, with positional arguments."""

    function: str
    arguments: tuple[Node, ...]


Node = Literal | Name | ListOf | Not | Negative | Logic | Comparison | Arithmetic | Call


def children(node: Node) -> Iterator[Node]:
    """Yield the direct sub-expressions of a node, left to right."""
    if isinstance(node, ListOf):
        yield from node.items
    elif isinstance(node, Not | Negative):
        yield node.operand
    elif isinstance(node, Logic | Comparison):
        yield from node.operands
    elif isinstance(node, Arithmetic):
        yield node.left
        yield node.right
    elif isinstance(node, Call):
        yield from node.arguments


def referenced_names(node: Node) -> frozenset[str]:
    """The names of all symbols an expression refers to."""
    found: set[str] = set()
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, Name):
            found.add(current.name)
        pending.extend(children(current))
    return frozenset(found)
