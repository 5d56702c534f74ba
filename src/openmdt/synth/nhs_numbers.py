"""Synthetic NHS numbers: the 999 range, with a valid modulus-11 check digit.

NHS Digital never issues numbers beginning 999 to real people, so they are safe in test data.
The check digit comes from openmdt.cases.nhs_number (the same check imports use); the tests
compare it with the `nhs_number` package.
"""

from __future__ import annotations

import random

from openmdt.cases.nhs_number import check_digit, is_valid_nhs_number

__all__ = ["SYNTHETIC_PREFIX", "check_digit", "is_valid_nhs_number", "synthetic_nhs_number"]

SYNTHETIC_PREFIX = "999"
_BODY_DIGITS = 9
_FREE_DIGITS = _BODY_DIGITS - len(SYNTHETIC_PREFIX)
_MAX_ATTEMPTS = 10_000


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
