"""Converting a raw value to its data item's type (shared by case input and pack defaults)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from openmdt.knowledge.model import DataItem

TRUE_WORDS = {"true", "yes", "y"}
FALSE_WORDS = {"false", "no", "n"}


class FactProblem(Exception):
    """Why a value does not fit its item: a stable code and a few words."""

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason


# A number written as text: ASCII digits, an optional sign and decimal point; no exponent,
# no underscores, no other scripts' digits ("1e3", "1_5" and "١٥" are refused).
PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _number(item: DataItem, value: Any) -> float | int:
    if isinstance(value, bool):
        raise FactProblem("wrong_type", "is a boolean")
    if isinstance(value, str):
        text = value.strip()
        if not PLAIN_DECIMAL.fullmatch(text):
            try:
                float(text)
            except (ValueError, OverflowError):
                raise FactProblem("wrong_type", "is not a number") from None
            raise FactProblem("wrong_type", "is not a plain decimal number (digits 0-9, an "
                                            "optional sign and decimal point)")
        value = float(text)
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FactProblem("wrong_type", "is not a number")
    if item.type == "integer":
        if not float(value).is_integer():
            raise FactProblem("wrong_type", "is not a whole number")
        value = int(value)
    if (item.minimum is not None and value < item.minimum) or (
            item.maximum is not None and value > item.maximum):
        raise FactProblem("value_out_of_range", "is out of range")
    return value


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise FactProblem("wrong_type", "is not yes or no (true or false)")


def _enum(item: DataItem, value: Any) -> str:
    if not isinstance(value, str):
        raise FactProblem("wrong_type", "is not text")
    text = value.strip()
    values = item.values or ()
    if text in values:
        return text
    folded = [v for v in values if v.lower() == text.lower()]
    if len(folded) == 1:
        return folded[0]
    raise FactProblem("value_not_allowed", "is not allowed")


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise FactProblem("wrong_type", "is not a date")


def convert_fact(item: DataItem, value: Any) -> Any:
    """The value converted to the item's type; raises FactProblem with a code and reason."""
    if item.type in ("number", "integer"):
        return _number(item, value)
    if item.type == "boolean":
        return _boolean(value)
    if item.type == "enum":
        return _enum(item, value)
    if item.type == "date":
        return _date(value)
    if not isinstance(value, str):
        raise FactProblem("wrong_type", "is not text")
    return value


def _within(item: DataItem, value: float) -> bool:
    return (item.minimum is None or value >= item.minimum) and (
        item.maximum is None or value <= item.maximum)


def fast_converter(item: DataItem) -> Callable[[Any], Any]:
    """convert_fact for one item, with a shortcut for values already of the right type.

    The shortcut accepts only values convert_fact would return unchanged; anything else
    (text from CSV, out of range, wrong type) goes through convert_fact and its errors.
    """
    if item.type == "number":
        def number(value: Any) -> Any:
            kind = type(value)
            if (kind is int or (kind is float and math.isfinite(value))) and _within(item, value):
                return value
            return convert_fact(item, value)
        return number
    if item.type == "integer":
        def integer(value: Any) -> Any:
            if type(value) is int and _within(item, value):
                return value
            return convert_fact(item, value)
        return integer
    if item.type == "boolean":
        return lambda value: value if value is True or value is False else convert_fact(
            item, value)
    if item.type == "enum":
        allowed = frozenset(item.values or ())
        return lambda value: value if type(value) is str and value in allowed else convert_fact(
            item, value)
    return lambda value: convert_fact(item, value)
