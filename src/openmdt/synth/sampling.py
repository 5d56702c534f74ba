"""Small sampling helpers shared by the synthetic list generators."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import TypeVar

__all__ = ["rounded_within", "weighted_choice"]

_Choice = TypeVar("_Choice")


def weighted_choice(rng: random.Random, weights: Mapping[_Choice, float]) -> _Choice:
    """Pick one key of a weight table (weights need not sum to 1)."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def rounded_within(value: float, low: float, high: float) -> float:
    """Round to 2 decimals, then keep inside [low, high] so rounding never leaves a band."""
    return min(max(round(value, 2), low), high)
