"""Type rules of the library functions: what each accepts and what it gives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .errors import WRONG_ARITY, ExpressionError
from .kinds import Checked, Kind, numeric_result, type_mismatch
from .nodes import Call, Literal, Node
from .symbols import NUMERIC, ValueType

__all__ = ["check_call"]

BOOLEAN, DATE, INTEGER = ValueType.BOOLEAN, ValueType.DATE, ValueType.INTEGER
Arguments = tuple[Node, ...]


class Checker(Protocol):
    """The part of the checker the function rules use."""

    def check(self, node: Node) -> Checked: ...

    def expect(
        self, node: Node, wanted: set[ValueType] | frozenset[ValueType], where: str,
        description: str,
    ) -> Checked: ...

    def same_type(self, where: str, left: Checked, right: Checked) -> Kind: ...


def check_call(checker: Checker, call: Call) -> tuple[Arguments, Kind]:
    """Check a call's arguments (its arity is already checked) and give its result kind."""
    return _RULES[call.function](checker, call)


def _where(call: Call) -> str:
    return f"{call.function}()"


def _presence(checker: Checker, call: Call) -> tuple[Arguments, Kind]:
    """known(x) / unknown(x): any single value, gives a boolean that is never Unknown."""
    typed, _ = checker.check(call.arguments[0])
    return (typed,), Kind(BOOLEAN)


def _conditions(checker: Checker, call: Call, conditions: Arguments) -> Arguments:
    return tuple(
        checker.expect(condition, {BOOLEAN}, _where(call), "boolean conditions")[0]
        for condition in conditions
    )


def _at_least(checker: Checker, call: Call) -> tuple[Arguments, Kind]:
    """at_least(k, c1, c2, ...): k a whole-number literal no larger than the conditions."""
    needed, conditions = call.arguments[0], call.arguments[1:]
    if not (isinstance(needed, Literal) and needed.type is INTEGER and needed.value >= 0):
        found = repr(needed.value) if isinstance(needed, Literal) else "an expression"
        raise type_mismatch(
            _where(call), "a whole number >= 0 written as a literal first", found, needed.offset
        )
    if needed.value > len(conditions):
        raise ExpressionError(
            WRONG_ARITY,
            f"at_least({needed.value}, ...) has only {len(conditions)} conditions",
            offset=call.offset,
        )
    return (needed, *_conditions(checker, call, conditions)), Kind(BOOLEAN)


def _count_true(checker: Checker, call: Call) -> tuple[Arguments, Kind]:
    """count_true(c1, ...): boolean conditions, gives an integer."""
    return _conditions(checker, call, call.arguments), Kind(INTEGER)


def _ordered(checker: Checker, call: Call) -> list[Checked]:
    """Check arguments that must all be numbers or all be dates."""
    checked = [
        checker.expect(argument, NUMERIC | {DATE}, _where(call), "number or date")
        for argument in call.arguments
    ]
    first = checked[0][1]
    for typed, kind in checked[1:]:
        if (kind.type is DATE) != (first.type is DATE):
            raise type_mismatch(_where(call), first.describe(), kind.describe(), typed.offset)
    return checked


def _between(checker: Checker, call: Call) -> tuple[Arguments, Kind]:
    """between(x, lo, hi): numbers or dates, gives a boolean."""
    checked = _ordered(checker, call)
    return tuple(typed for typed, _ in checked), Kind(BOOLEAN)


def _extreme(checker: Checker, call: Call) -> tuple[Arguments, Kind]:
    """min(...) / max(...): numbers (integer if all are) or dates."""
    checked = _ordered(checker, call)
    kinds = [kind for _, kind in checked]
    kind = Kind(DATE) if kinds[0].type is DATE else numeric_result(kinds)
    return tuple(typed for typed, _ in checked), kind


def _abs(checker: Checker, call: Call) -> tuple[Arguments, Kind]:
    """abs(x): a number, gives the same type."""
    typed, kind = checker.expect(call.arguments[0], NUMERIC, _where(call), "number")
    return (typed,), Kind(kind.type)


def _date_difference(checker: Checker, call: Call) -> tuple[Arguments, Kind]:
    """years_between(d1, d2) / days_between(d1, d2): dates, gives an integer."""
    arguments = tuple(
        checker.expect(argument, {DATE}, _where(call), "date")[0] for argument in call.arguments
    )
    return arguments, Kind(INTEGER)


def _coalesce(checker: Checker, call: Call) -> tuple[Arguments, Kind]:
    """coalesce(x, default): two values of one type, gives that type."""
    value, default = (checker.check(argument) for argument in call.arguments)
    kind = checker.same_type(_where(call), value, default)
    return (value[0], default[0]), kind


_RULES: dict[str, Callable[[Checker, Call], tuple[Arguments, Kind]]] = {
    "known": _presence,
    "unknown": _presence,
    "at_least": _at_least,
    "count_true": _count_true,
    "between": _between,
    "min": _extreme,
    "max": _extreme,
    "abs": _abs,
    "years_between": _date_difference,
    "days_between": _date_difference,
    "coalesce": _coalesce,
}
