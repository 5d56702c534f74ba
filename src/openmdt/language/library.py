"""The runtime of the language: operators and functions on values, Unknown-aware.

Used by the reference interpreter and by the generated pack kernel. Every operation with an
Unknown operand gives Unknown, except the Kleene short-circuits of and/or (kleene.py),
``between`` (a Kleene 'and' of two comparisons), ``at_least``, ``known``, ``unknown`` and
``coalesce``. Arithmetic that cannot give a finite number (division by zero, overflow) gives
Unknown instead of raising: a value that cannot be computed is not known.
"""

from __future__ import annotations

import datetime
import math
import operator
from collections.abc import Callable
from typing import Any

from .kleene import UNKNOWN, kleene_and

__all__ = ["ARITHMETIC", "ARITY", "COMPARISONS", "FUNCTIONS", "arithmetic", "compare"]

ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda value, items: value in items,
    "not in": lambda value, items: value not in items,
}

ARITY: dict[str, tuple[int, int | None]] = {
    "known": (1, 1),
    "unknown": (1, 1),
    "at_least": (2, None),
    "count_true": (1, None),
    "between": (3, 3),
    "min": (2, None),
    "max": (2, None),
    "abs": (1, 1),
    "years_between": (2, 2),
    "days_between": (2, 2),
    "coalesce": (2, 2),
}
"""Fewest and most arguments of each library function (None: no upper limit)."""


def arithmetic(apply: Callable[[Any, Any], Any], left: Any, right: Any) -> Any:
    """Apply an arithmetic operator; Unknown in, or no finite result, gives Unknown."""
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    try:
        result = apply(left, right)
    except (ZeroDivisionError, OverflowError):
        return UNKNOWN
    if isinstance(result, float) and not math.isfinite(result):
        return UNKNOWN
    return result


def compare(test: Callable[[Any, Any], bool], left: Any, right: Any) -> Any:
    """Apply a comparison; any Unknown operand gives Unknown."""
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    return test(left, right)


def negative(value: Any) -> Any:
    """Unary minus; Unknown stays Unknown."""
    return UNKNOWN if value is UNKNOWN else -value


def known(value: Any) -> bool:
    """True when the value is known; never Unknown."""
    return value is not UNKNOWN


def unknown(value: Any) -> bool:
    """True when the value is Unknown; never Unknown itself."""
    return value is UNKNOWN


def at_least(needed: int, *conditions: Any) -> Any:
    """True if at least `needed` conditions hold, False if they cannot, else Unknown."""
    true_count = sum(1 for condition in conditions if condition is True)
    unknown_count = sum(1 for condition in conditions if condition is UNKNOWN)
    if true_count >= needed:
        return True
    if true_count + unknown_count < needed:
        return False
    return UNKNOWN


def count_true(*conditions: Any) -> Any:
    """How many conditions hold; Unknown unless every condition is known."""
    if any(condition is UNKNOWN for condition in conditions):
        return UNKNOWN
    return sum(1 for condition in conditions if condition is True)


def between(value: Any, low: Any, high: Any) -> Any:
    """low <= value <= high, inclusive, as a Kleene 'and' of the two comparisons."""
    return kleene_and(compare(operator.le, low, value), compare(operator.le, value, high))


def minimum(*values: Any) -> Any:
    """The smallest value; Unknown if any is Unknown."""
    return UNKNOWN if any(value is UNKNOWN for value in values) else min(values)


def maximum(*values: Any) -> Any:
    """The largest value; Unknown if any is Unknown."""
    return UNKNOWN if any(value is UNKNOWN for value in values) else max(values)


def absolute(value: Any) -> Any:
    """The absolute value of a number; Unknown stays Unknown."""
    return UNKNOWN if value is UNKNOWN else abs(value)


def years_between(start: Any, end: Any) -> Any:
    """Whole years from start to end (an age), negative when end is before start."""
    if start is UNKNOWN or end is UNKNOWN:
        return UNKNOWN
    if end < start:
        return -_whole_years(end, start)
    return _whole_years(start, end)


def _whole_years(start: datetime.date, end: datetime.date) -> int:
    """Completed years from start to end (end >= start); born 29 February, a year ends 1 March."""
    before_anniversary = (end.month, end.day) < (start.month, start.day)
    return end.year - start.year - int(before_anniversary)


def days_between(start: Any, end: Any) -> Any:
    """Days from start to end, negative when end is before start."""
    if start is UNKNOWN or end is UNKNOWN:
        return UNKNOWN
    return (end - start).days


def coalesce(value: Any, default: Any) -> Any:
    """The value when it is known, otherwise the default."""
    return default if value is UNKNOWN else value


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "known": known,
    "unknown": unknown,
    "at_least": at_least,
    "count_true": count_true,
    "between": between,
    "min": minimum,
    "max": maximum,
    "abs": absolute,
    "years_between": years_between,
    "days_between": days_between,
    "coalesce": coalesce,
}
