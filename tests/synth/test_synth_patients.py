"""Synthetic patient identity: names are obviously fictional; date of birth matches the age."""

import random
from datetime import date

import pytest

from openmdt.synth.patients import age_on, date_of_birth_for_age, synthetic_name


def test_names_are_marked_synthetic() -> None:
    rng = random.Random(1)
    for _ in range(200):
        marker, given, family = synthetic_name(rng).split(" ")
        assert marker == "SYNTHETIC"
        assert given.isalpha() and family.isalpha()


@pytest.mark.parametrize(
    "as_of", [date(2026, 11, 27), date(2024, 2, 29), date(2025, 3, 1), date(2025, 1, 1)]
)
def test_date_of_birth_gives_exactly_the_age(as_of: date) -> None:
    rng = random.Random(3)
    for age in range(45, 96):
        for _ in range(20):
            assert age_on(date_of_birth_for_age(rng, age, as_of), as_of) == age


def test_age_on_counts_the_birthday_itself() -> None:
    assert age_on(date(1950, 11, 27), date(2026, 11, 27)) == 76
    assert age_on(date(1950, 11, 28), date(2026, 11, 27)) == 75
