"""Compiled expressions: parse, check and compile once, then evaluate for many cases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .check import check
from .interpreter import interpret
from .kinds import Kind, type_mismatch
from .nodes import Literal, Node, referenced_names
from .parse import parse
from .printer import to_text
from .symbols import Symbol, ValueType

__all__ = ["Expression", "compile_expression"]


class Expression:
    """A checked expression; immutable and safe to share between evaluations.

    ``tree`` is what every backend compiles (the pack kernel's Python, the SQL backends);
    ``evaluate(env)`` is its meaning, by the reference interpreter (the definition the
    backends are held to, not a fast path). ``env`` maps every name in ``names`` to its
    value, ``UNKNOWN`` when the value is not known; a missing name raises KeyError (a
    caller's bug, not missing data).
    """

    __slots__ = ("source", "type", "names", "tree")

    source: str
    type: ValueType
    names: frozenset[str]
    tree: Node

    def __init__(self, source: str, tree: Node) -> None:
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "type", tree.type)
        object.__setattr__(self, "names", referenced_names(tree))
        object.__setattr__(self, "tree", tree)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Expression is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Expression is immutable")

    def __repr__(self) -> str:
        return f"Expression({self.source!r}, type={self.type.name})"

    def __reduce__(self) -> tuple[Any, tuple[str, Node]]:
        # Pickled as its checked tree (for the compiled-pack cache), never as text.
        return (Expression, (self.source, self.tree))

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        """The value for one case, by the reference interpreter."""
        return interpret(self.tree, env)

    def to_text(self) -> str:
        """Canonical text of the expression; compiling it gives the same tree."""
        return to_text(self.tree)


def compile_expression(
    source: str, symbols: Mapping[str, Symbol], *, expect: ValueType | None = None
) -> Expression:
    """Parse, check and compile expression text; raise ExpressionError when it is not valid.

    ``expect`` requires the result type: INTEGER satisfies NUMBER, and a text literal
    satisfies ENUM (the caller checks it against the enum's values).
    """
    if not isinstance(source, str):
        raise TypeError(f"expression source must be a str, got {type(source).__name__}")
    tree, kind = check(parse(source), symbols)
    if expect is not None:
        tree = _meet(tree, kind, expect)
    return Expression(source, tree)


def _meet(tree: Node, kind: Kind, expect: ValueType) -> Node:
    """Check the result type against the one the caller wants."""
    if kind.type is expect:
        return tree
    if expect is ValueType.NUMBER and kind.type is ValueType.INTEGER:
        return tree
    if expect is ValueType.ENUM and isinstance(tree, Literal) and kind.type is ValueType.TEXT:
        return replace(tree, type=ValueType.ENUM)
    raise type_mismatch("this expression", f"a {expect.value} result", kind.describe(),
                        tree.offset)
