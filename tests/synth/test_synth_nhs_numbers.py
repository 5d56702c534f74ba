"""Synthetic NHS numbers: our modulus-11 check digit agrees with the nhs_number package."""

import random

import nhs_number
import pytest

from openmdt.synth.nhs_numbers import check_digit, is_valid_nhs_number, synthetic_nhs_number


def test_check_digit_agrees_with_the_nhs_number_package() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        body = f"{rng.randrange(10**9):09d}"
        theirs = nhs_number.calculate_checksum(body)
        assert check_digit(body) == (None if theirs == 10 else theirs), body


def test_known_published_example_is_valid() -> None:
    # 943 476 5919 is the worked example of the NHS Data Dictionary.
    assert check_digit("943476591") == 9
    assert is_valid_nhs_number("9434765919")
    assert not is_valid_nhs_number("9434765918")


def test_nine_digits_that_give_check_value_ten_have_no_valid_number() -> None:
    bodies = [f"999{n:06d}" for n in range(2000)]
    impossible = [body for body in bodies if nhs_number.calculate_checksum(body) == 10]
    assert impossible, "expected some bodies whose check value is 10"
    assert all(check_digit(body) is None for body in impossible)


def test_check_digit_rejects_wrong_length() -> None:
    with pytest.raises(ValueError, match="nine digits"):
        check_digit("12345")


def test_synthetic_numbers_are_valid_unique_and_in_the_999_range() -> None:
    rng = random.Random(5)
    taken: set[str] = set()
    numbers = [synthetic_nhs_number(rng, taken) for _ in range(2000)]
    assert len(set(numbers)) == len(numbers) == len(taken)
    for number in numbers:
        assert number.startswith("999")
        assert nhs_number.is_valid(number)
        assert nhs_number.is_valid(number, for_region=nhs_number.REGION_SYNTHETIC)
