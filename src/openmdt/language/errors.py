"""The one exception of the expression language, its stable error codes and hint helpers."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "CONSTRUCT_NOT_ALLOWED",
    "ERROR_CODES",
    "ExpressionError",
    "SYNTAX_ERROR",
    "TOO_COMPLEX",
    "TYPE_MISMATCH",
    "UNKNOWN_ENUM_VALUE",
    "UNKNOWN_FUNCTION",
    "UNKNOWN_NAME",
    "WRONG_ARITY",
    "did_you_mean",
]

SYNTAX_ERROR = "syntax_error"
CONSTRUCT_NOT_ALLOWED = "construct_not_allowed"
UNKNOWN_NAME = "unknown_name"
UNKNOWN_FUNCTION = "unknown_function"
WRONG_ARITY = "wrong_arity"
TYPE_MISMATCH = "type_mismatch"
UNKNOWN_ENUM_VALUE = "unknown_enum_value"
TOO_COMPLEX = "too_complex"

ERROR_CODES = (
    SYNTAX_ERROR,
    CONSTRUCT_NOT_ALLOWED,
    UNKNOWN_NAME,
    UNKNOWN_FUNCTION,
    WRONG_ARITY,
    TYPE_MISMATCH,
    UNKNOWN_ENUM_VALUE,
    TOO_COMPLEX,
)


class ExpressionError(Exception):
    """An expression that cannot be accepted, with a stable code and where the problem is.

    ``offset`` is the 0-based character offset in the source text of the offending part
    (0 when no better place is known); the pack loader turns it into line:column.
    """

    def __init__(self, code: str, message: str, *, hint: str | None = None, offset: int = 0):
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.offset = offset

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} (hint: {self.hint})"
        return self.message

    def __repr__(self) -> str:
        return f"ExpressionError({self.code!r}, {self.message!r}, offset={self.offset})"


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """Suggest the closest candidate to a misspelt word, or None when nothing is close.

    Case is ignored when comparing ("t4" suggests "T4"), as clinical codes differ mostly in case.
    """
    by_lower: dict[str, str] = {}
    for candidate in sorted(set(candidates)):
        by_lower.setdefault(candidate.lower(), candidate)
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return f"did you mean '{by_lower[matches[0]]}'?" if matches else None
