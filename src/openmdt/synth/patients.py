"""Synthetic patient identity: obviously fictional names and dates of birth that match an age."""

from __future__ import annotations

import random
from datetime import date, timedelta

__all__ = ["age_on", "date_of_birth_for_age", "synthetic_name"]

NAME_MARKER = "SYNTHETIC"
# Tree names read as first names yet nobody mistakes "SYNTHETIC Alder Test" for a real person.
_GIVEN_NAMES = (
    "Alder", "Ash", "Aspen", "Beech", "Birch", "Cedar", "Elm", "Fir", "Hawthorn", "Hazel",
    "Holly", "Juniper", "Larch", "Linden", "Maple", "Oak", "Pine", "Rowan", "Spruce", "Willow",
    "Yew", "Hornbeam", "Poplar", "Sycamore",
)
_FAMILY_NAMES = (
    "Test", "Example", "Sample", "Dummy", "Fixture", "Mock", "Placeholder", "Specimen",
    "Demo", "Trial",
)


def synthetic_name(rng: random.Random) -> str:
    """Return a name like "SYNTHETIC Alder Test" from small fixed word lists."""
    return f"{NAME_MARKER} {rng.choice(_GIVEN_NAMES)} {rng.choice(_FAMILY_NAMES)}"


def age_on(date_of_birth: date, on: date) -> int:
    """Return age in whole years on a given day."""
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - int(before_birthday)


def date_of_birth_for_age(rng: random.Random, age: int, as_of: date) -> date:
    """Draw a date of birth that gives exactly `age` whole years on `as_of`."""
    latest = _years_before(as_of, age)
    earliest = _years_before(as_of, age + 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))


def _years_before(day: date, years: int) -> date:
    """Return the same calendar day `years` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
