"""Value types and the symbols (data items, derived facts, parameters) expressions refer to."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["NUMERIC", "Symbol", "ValueType"]


class ValueType(enum.Enum):
    """The type of a value; the enum values are the type names used in data.yaml."""

    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    ENUM = "enum"
    DATE = "date"
    TEXT = "text"
    LIST = "list"


NUMERIC = frozenset({ValueType.NUMBER, ValueType.INTEGER})
"""Types that take part in arithmetic and ordering as numbers (an integer is a number)."""


@dataclass(frozen=True)
class Symbol:
    """A name an expression may use, with its type and, for an enum, its allowed values."""

    name: str
    type: ValueType
    values: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.type, ValueType):
            raise TypeError(f"symbol {self.name!r}: type must be a ValueType, got {self.type!r}")
        if self.values is not None and not isinstance(self.values, tuple):
            # Lists arrive from YAML; keep the symbol hashable and immutable.
            object.__setattr__(self, "values", tuple(self.values))
