"""Print a tree as canonical expression text that parses back to the same tree.

Canonical means: single spaces around operators, double-quoted strings, ``true``/``false``,
and only the parentheses the tree needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .nodes import (
    Arithmetic,
    Call,
    Comparison,
    ListOf,
    Literal,
    Logic,
    Name,
    Negative,
    Node,
    Not,
)

__all__ = ["to_text"]

# Binding strength, loosest first, as in Python's grammar.
_OR, _AND, _NOT, _COMPARE, _SUM, _PRODUCT, _UNARY, _ATOM = range(8)
_ARITHMETIC_STRENGTH = {"+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT}


def to_text(node: Node) -> str:
    """Canonical text of a tree."""
    return _PRINTERS[type(node)](node)


def _strength(node: Node) -> int:
    if isinstance(node, Logic):
        return _OR if node.operator == "or" else _AND
    if isinstance(node, Not):
        return _NOT
    if isinstance(node, Comparison):
        return _COMPARE
    if isinstance(node, Arithmetic):
        return _ARITHMETIC_STRENGTH[node.operator]
    if isinstance(node, Negative):
        return _UNARY
    if isinstance(node, Literal) and _is_negative_number(node.value):
        return _UNARY
    return _ATOM


def _is_negative_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and str(value)[0] == "-"


def _wrapped(node: Node, at_least: int) -> str:
    """Text of a sub-expression, parenthesised when it binds looser than its place needs."""
    text = to_text(node)
    return text if _strength(node) >= at_least else f"({text})"


def _literal(node: Literal) -> str:
    value = node.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _quoted(value)
    return repr(value)


def _quoted(text: str) -> str:
    """A double-quoted string literal for any text, escaping what Python needs escaped."""
    pieces = []
    for character in text:
        if character in '"\\':
            pieces.append("\\" + character)
        elif character.isprintable():
            pieces.append(character)
        else:
            pieces.append(repr(character)[1:-1])
    return '"' + "".join(pieces) + '"'


def _logic(node: Logic) -> str:
    # A nested and/or of the same kind keeps its parentheses so the tree stays the same.
    strength = _strength(node) + 1
    return f" {node.operator} ".join(_wrapped(operand, strength) for operand in node.operands)


def _comparison(node: Comparison) -> str:
    pieces = [_wrapped(node.operands[0], _COMPARE + 1)]
    for operator, operand in zip(node.operators, node.operands[1:], strict=True):
        pieces.append(f"{operator} {_wrapped(operand, _COMPARE + 1)}")
    return " ".join(pieces)


def _arithmetic(node: Arithmetic) -> str:
    strength = _ARITHMETIC_STRENGTH[node.operator]
    left = _wrapped(node.left, strength)
    right = _wrapped(node.right, strength + 1)  # left-associative: a - (b - c) keeps brackets
    return f"{left} {node.operator} {right}"


_PRINTERS: dict[type, Callable[[Any], str]] = {
    Literal: _literal,
    Name: lambda node: node.name,
    ListOf: lambda node: "[" + ", ".join(_literal(item) for item in node.items) + "]",
    Not: lambda node: f"not {_wrapped(node.operand, _NOT)}",
    Negative: lambda node: f"-{_wrapped(node.operand, _UNARY)}",
    Logic: _logic,
    Comparison: _comparison,
    Arithmetic: _arithmetic,
    Call: lambda node: f"{node.function}({', '.join(to_text(a) for a in node.arguments)})",
}
