"""The reference interpreter: walks a checked tree and computes its value, plainly.

It favours obviousness over speed: ``and``/``or`` and comparison chains fold the Kleene
operators over every operand, without stopping early. It is the definition every backend is
held to (the generated Python kernel, the SQL backends), by the property tests and the
conformance corpus.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from .kleene import kleene_and, kleene_not, kleene_or
from .library import ARITHMETIC, COMPARISONS, FUNCTIONS, arithmetic, compare, negative
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

__all__ = ["interpret"]

Env = Mapping[str, Any]


def interpret(node: Node, env: Env) -> Any:
    """The value of a checked tree for the given case values."""
    return _RULES[type(node)](node, env)


def _logic(node: Logic, env: Env) -> Any:
    combine = kleene_and if node.operator == "and" else kleene_or
    values = [interpret(operand, env) for operand in node.operands]
    return functools.reduce(combine, values)


def _comparison(node: Comparison, env: Env) -> Any:
    values = [interpret(operand, env) for operand in node.operands]
    results = [
        compare(COMPARISONS[operator], left, right)
        for operator, left, right in zip(node.operators, values, values[1:], strict=False)
    ]
    return functools.reduce(kleene_and, results)


def _arithmetic(node: Arithmetic, env: Env) -> Any:
    left, right = interpret(node.left, env), interpret(node.right, env)
    return arithmetic(ARITHMETIC[node.operator], left, right)


def _call(node: Call, env: Env) -> Any:
    arguments = [interpret(argument, env) for argument in node.arguments]
    return FUNCTIONS[node.function](*arguments)


_RULES: dict[type, Callable[[Any, Env], Any]] = {
    Literal: lambda node, env: node.value,
    Name: lambda node, env: env[node.name],
    ListOf: lambda node, env: tuple(item.value for item in node.items),
    Not: lambda node, env: kleene_not(interpret(node.operand, env)),
    Negative: lambda node, env: negative(interpret(node.operand, env)),
    Logic: _logic,
    Comparison: _comparison,
    Arithmetic: _arithmetic,
    Call: _call,
}
