"""Compile a checked tree into nested Python closures: the fast backend.

Each node becomes a function ``env -> value``; all decisions that depend only on the tree
(which operator, which function, the literal values of a list) are taken here, once, so
evaluating a case only runs the closures. ``and``/``or``, comparison chains and ``at_least``
stop as soon as the result is settled. The text is never handed to eval/exec.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .kleene import UNKNOWN
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

__all__ = ["Compiled", "compile_tree"]

Env = Mapping[str, Any]
Compiled = Callable[[Env], Any]


def compile_tree(node: Node) -> Compiled:
    """Compile a checked tree into a function of the case's values."""
    return _COMPILERS[type(node)](node)


def _literal(node: Literal) -> Compiled:
    value = node.value
    return lambda env: value


def _name(node: Name) -> Compiled:
    name = node.name
    return lambda env: env[name]


def _list(node: ListOf) -> Compiled:
    values = tuple(item.value for item in node.items)
    return lambda env: values


def _not(node: Not) -> Compiled:
    operand = compile_tree(node.operand)

    def run(env: Env) -> Any:
        value = operand(env)
        return UNKNOWN if value is UNKNOWN else not value

    return run


def _negative(node: Negative) -> Compiled:
    operand = compile_tree(node.operand)
    return lambda env: negative(operand(env))


def _logic(node: Logic) -> Compiled:
    operands = tuple(compile_tree(operand) for operand in node.operands)
    # 'and' stops at the first False, 'or' at the first True (the deciding value).
    deciding = node.operator == "or"

    def run(env: Env) -> Any:
        seen_unknown = False
        for operand in operands:
            value = operand(env)
            if value is deciding:
                return deciding
            if value is UNKNOWN:
                seen_unknown = True
        return UNKNOWN if seen_unknown else not deciding

    return run


def _arithmetic(node: Arithmetic) -> Compiled:
    apply = ARITHMETIC[node.operator]
    left, right = compile_tree(node.left), compile_tree(node.right)
    return lambda env: arithmetic(apply, left(env), right(env))


def _comparison(node: Comparison) -> Compiled:
    operands = [compile_tree(operand) for operand in node.operands]
    if len(operands) == 2:
        return _single_comparison(node, operands[0], operands[1])
    first, rest = operands[0], tuple(zip(_tests(node), operands[1:], strict=True))

    def run(env: Env) -> Any:
        seen_unknown = False
        left = first(env)
        for test, operand in rest:
            right = operand(env)
            result = compare(test, left, right)
            if result is False:
                return False
            seen_unknown = seen_unknown or result is UNKNOWN
            left = right
        return UNKNOWN if seen_unknown else True

    return run


def _tests(node: Comparison) -> list[Callable[[Any, Any], bool]]:
    return [COMPARISONS[operator] for operator in node.operators]


def _single_comparison(node: Comparison, left: Compiled, right: Compiled) -> Compiled:
    operator, right_node = node.operators[0], node.operands[1]
    if operator in ("in", "not in") and isinstance(right_node, ListOf):
        return _membership(left, right_node, negate=operator == "not in")
    test = COMPARISONS[operator]
    return lambda env: compare(test, left(env), right(env))


def _membership(left: Compiled, members: ListOf, *, negate: bool) -> Compiled:
    # A set is safe here: the checker only lets literals of the left operand's type in.
    values = frozenset(item.value for item in members.items)

    def run(env: Env) -> Any:
        value = left(env)
        if value is UNKNOWN:
            return UNKNOWN
        return (value in values) is not negate

    return run


def _call(node: Call) -> Compiled:
    if node.function == "at_least":
        return _at_least(node)
    function = FUNCTIONS[node.function]
    arguments = tuple(compile_tree(argument) for argument in node.arguments)
    if len(arguments) == 1:
        (only,) = arguments
        return lambda env: function(only(env))
    if len(arguments) == 2:
        first, second = arguments
        return lambda env: function(first(env), second(env))
    return lambda env: function(*[argument(env) for argument in arguments])


def _at_least(node: Call) -> Compiled:
    needed = node.arguments[0].value  # type: ignore[union-attr]
    conditions = tuple(compile_tree(condition) for condition in node.arguments[1:])

    def run(env: Env) -> Any:
        true_count = 0
        still_open = len(conditions)  # conditions not (yet) known to be False
        for condition in conditions:
            value = condition(env)
            if value is True:
                true_count += 1
                if true_count >= needed:
                    return True
            elif value is False:
                still_open -= 1
                if still_open < needed:
                    return False
        return True if true_count >= needed else UNKNOWN

    return run


_COMPILERS: dict[type, Callable[[Any], Compiled]] = {
    Literal: _literal,
    Name: _name,
    ListOf: _list,
    Not: _not,
    Negative: _negative,
    Logic: _logic,
    Arithmetic: _arithmetic,
    Comparison: _comparison,
    Call: _call,
}
