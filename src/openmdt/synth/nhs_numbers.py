"""Synthetic NHS numbers: the 999 range, with a valid modulus-11 check digit.

NHS Digital never issues numbers beginning 999 to real people, so they are safe in test data.
The check digit is computed here (not taken from a library) so the generator has no runtime
dependency beyond the standard library; the tests compare it with the `nhs_number` package.
"""

from __future__ import annotations

import random

__all__ = ["SYNTHETIC_PREFIX", "check_digit", "is_valid_nhs_number", "synthetic_nhs_number"]

SYNTHETIC_PREFIX = "999"
_BODY_DIGITS = 9
_FREE_DIGITS = _BODY_DIGITS - len(SYNTHETIC_PREFIX)
_MAX_ATTEMPTS = 10_000


def check_digit(first_nine: str) -> int | None:
    """Return the modulus-11 check digit for nine digits, or None when no valid digit exists.

    Weights run 10 down to 2; the digit is 11 minus the remainder, 11 becomes 0, and a
    result of 10 means the nine digits can never form a valid NHS number.
    """
    if len(first_nine) != _BODY_DIGITS or not first_nine.isdigit():
        raise ValueError(f"expected nine digits, got {first_nine!r}")
    weights = range(10, 1, -1)
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, weights, strict=True))
    digit = 11 - total % 11
    if digit == 11:
        return 0
    return None if digit == 10 else digit


def is_valid_nhs_number(number: str) -> bool:
    """Say whether a ten-digit string carries the right check digit."""
    if len(number) != 10 or not number.isdigit():
        return False
    return check_digit(number[:_BODY_DIGITS]) == int(number[-1])


def synthetic_nhs_number(rng: random.Random, taken: set[str]) -> str:
    """Draw a valid 999-range NHS number not already in `taken`, and add it to `taken`."""
    for _ in range(_MAX_ATTEMPTS):
        body = SYNTHETIC_PREFIX + f"{rng.randrange(10**_FREE_DIGITS):0{_FREE_DIGITS}d}"
        digit = check_digit(body)
        number = f"{body}{digit}"
        if digit is not None and number not in taken:
            taken.add(number)
            return number
    raise ValueError("the synthetic NHS number range is exhausted for this list")
