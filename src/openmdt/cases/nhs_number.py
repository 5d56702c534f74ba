"""NHS numbers: ten digits whose last is a modulus-11 check digit (NHS Data Dictionary).

Used wherever a person enters or imports one, and by the synthetic lists (999 range).
"""

from __future__ import annotations

__all__ = ["check_digit", "is_valid_nhs_number", "normalised_nhs_number"]

_BODY_DIGITS = 9


def check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit for nine digits, or None when no valid digit exists.

    Weights run 10 down to 2; the digit is 11 minus the remainder, 11 becomes 0, and a
    result of 10 means the nine digits can never form a valid NHS number.
    """
    if len(first_nine) != _BODY_DIGITS or not (first_nine.isascii() and first_nine.isdigit()):
        raise ValueError(f"expected nine digits, got {first_nine!r}")
    weights = range(10, 1, -1)
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, weights, strict=True))
    digit = 11 - total % 11
    if digit == 11:
        return 0
    return None if digit == 10 else digit


def normalised_nhs_number(value: object) -> str:
    """The number without the spaces or hyphens people write in it ("999 403 0140")."""
    return "".join(str(value).split()).replace("-", "")


def is_valid_nhs_number(number: str) -> bool:
    """Whether a ten-digit string carries the right check digit."""
    if len(number) != 10 or not (number.isascii() and number.isdigit()):
        return False
    return check_digit(number[:_BODY_DIGITS]) == int(number[-1])
