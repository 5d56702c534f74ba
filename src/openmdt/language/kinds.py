"""What the checker knows about a sub-expression, and the type-mismatch error it raises."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import TYPE_MISMATCH, ExpressionError
from .nodes import Node
from .symbols import ValueType

__all__ = ["Checked", "Kind", "numeric_result", "type_mismatch"]


@dataclass(frozen=True)
class Kind:
    """A sub-expression's type and, for an enum, its allowed values and the item they are of."""

    type: ValueType
    values: tuple[str, ...] | None = None
    item: str | None = None

    def describe(self) -> str:
        """The type as an author reads it, e.g. 'enum (t_stage)'."""
        if self.type is ValueType.ENUM and self.item:
            return f"enum ({self.item})"
        return self.type.value


Checked = tuple[Node, Kind]


def numeric_result(kinds: list[Kind]) -> Kind:
    """Integer when every operand is an integer, otherwise number."""
    if all(kind.type is ValueType.INTEGER for kind in kinds):
        return Kind(ValueType.INTEGER)
    return Kind(ValueType.NUMBER)


def type_mismatch(
    where: str, wanted: str, found: str, offset: int, hint: str | None = None
) -> ExpressionError:
    """The error for a value of the wrong type, naming what was wanted and what was found."""
    return ExpressionError(
        TYPE_MISMATCH, f"{where} wants {wanted}, found {found}", hint=hint, offset=offset
    )
