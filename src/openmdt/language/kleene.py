"""Three-valued (Kleene) logic: the Unknown value and and/or/not over True, False and Unknown.

Missing data is the most common reason an MDT case cannot be decided, so "not known" is a
value of its own (``UNKNOWN``), distinct from ``None`` and never silently falsy.
"""

from __future__ import annotations

from typing import Any

__all__ = ["UNKNOWN", "Unknown", "is_unknown", "kleene_and", "kleene_not", "kleene_or"]


class Unknown:
    """The value of a fact that is not known; ``UNKNOWN`` is its only instance."""

    __slots__ = ()
    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "Unknown"

    def __bool__(self) -> bool:
        # Treating a missing value as False is the failure this type exists to prevent.
        raise TypeError("Unknown has no truth value: use is_unknown(v) or the kleene_* functions")

    def __reduce__(self) -> tuple[type[Unknown], tuple[()]]:
        return (Unknown, ())

    def __copy__(self) -> Unknown:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Unknown:
        return self


UNKNOWN = Unknown()


def is_unknown(value: Any) -> bool:
    """Say whether a value is the Unknown value."""
    return value is UNKNOWN


def _require_truth(value: Any) -> None:
    """Refuse anything but True, False and UNKNOWN, so a stray None or 0 fails loudly."""
    if value is not True and value is not False and value is not UNKNOWN:
        raise TypeError(f"expected True, False or Unknown, got {value!r}")


def kleene_and(left: Any, right: Any) -> bool | Unknown:
    """Three-valued 'and': False wins over Unknown, Unknown wins over True."""
    _require_truth(left)
    _require_truth(right)
    if left is False or right is False:
        return False
    if left is True and right is True:
        return True
    return UNKNOWN


def kleene_or(left: Any, right: Any) -> bool | Unknown:
    """Three-valued 'or': True wins over Unknown, Unknown wins over False."""
    _require_truth(left)
    _require_truth(right)
    if left is True or right is True:
        return True
    if left is False and right is False:
        return False
    return UNKNOWN


def kleene_not(value: Any) -> bool | Unknown:
    """Three-valued 'not': the negation of Unknown is Unknown."""
    _require_truth(value)
    if value is UNKNOWN:
        return UNKNOWN
    return value is False
