"""Kleene three-valued logic: the full truth tables and the Unknown singleton."""

from __future__ import annotations

import copy
import pickle

import pytest

from openmdt.language import UNKNOWN, Unknown, is_unknown, kleene_and, kleene_not, kleene_or

U = UNKNOWN

AND_TABLE = [
    (True, True, True),
    (True, False, False),
    (True, U, U),
    (False, True, False),
    (False, False, False),
    (False, U, False),
    (U, True, U),
    (U, False, False),
    (U, U, U),
]

OR_TABLE = [
    (True, True, True),
    (True, False, True),
    (True, U, True),
    (False, True, True),
    (False, False, False),
    (False, U, U),
    (U, True, True),
    (U, False, U),
    (U, U, U),
]

NOT_TABLE = [
    (True, False),
    (False, True),
    (U, U),
]


@pytest.mark.parametrize(("left", "right", "expected"), AND_TABLE)
def test_kleene_and_truth_table(left: object, right: object, expected: object) -> None:
    assert kleene_and(left, right) is expected


@pytest.mark.parametrize(("left", "right", "expected"), OR_TABLE)
def test_kleene_or_truth_table(left: object, right: object, expected: object) -> None:
    assert kleene_or(left, right) is expected


@pytest.mark.parametrize(("value", "expected"), NOT_TABLE)
def test_kleene_not_truth_table(value: object, expected: object) -> None:
    assert kleene_not(value) is expected


@pytest.mark.parametrize("stray", [None, 0, 1, "true", 0.0])
def test_kleene_operators_refuse_values_that_are_not_truth_values(stray: object) -> None:
    with pytest.raises(TypeError):
        kleene_and(True, stray)
    with pytest.raises(TypeError):
        kleene_or(stray, False)
    with pytest.raises(TypeError):
        kleene_not(stray)


def test_unknown_is_a_singleton_distinct_from_none() -> None:
    assert Unknown() is UNKNOWN
    assert UNKNOWN is not None
    assert UNKNOWN != None  # noqa: E711 - the point is that they differ
    assert repr(UNKNOWN) == "Unknown"
    assert copy.copy(UNKNOWN) is UNKNOWN
    assert copy.deepcopy([UNKNOWN])[0] is UNKNOWN
    assert pickle.loads(pickle.dumps(UNKNOWN)) is UNKNOWN


def test_unknown_has_no_truth_value() -> None:
    with pytest.raises(TypeError, match="no truth value"):
        bool(UNKNOWN)
    with pytest.raises(TypeError):
        if UNKNOWN:  # pragma: no cover - the condition itself raises
            pass


def test_is_unknown() -> None:
    assert is_unknown(UNKNOWN)
    for value in (None, False, 0, "", "Unknown"):
        assert not is_unknown(value)


TRUTH = (True, False, U)


def test_kleene_laws_hold_for_every_combination() -> None:
    for a in TRUTH:
        assert kleene_not(kleene_not(a)) is a
        assert kleene_and(a, True) is a
        assert kleene_or(a, False) is a
        for b in TRUTH:
            assert kleene_and(a, b) is kleene_and(b, a)
            assert kleene_or(a, b) is kleene_or(b, a)
            assert kleene_not(kleene_and(a, b)) is kleene_or(kleene_not(a), kleene_not(b))
            assert kleene_not(kleene_or(a, b)) is kleene_and(kleene_not(a), kleene_not(b))
            for c in TRUTH:
                assert kleene_and(a, kleene_and(b, c)) is kleene_and(kleene_and(a, b), c)
                assert kleene_or(a, kleene_or(b, c)) is kleene_or(kleene_or(a, b), c)
                assert kleene_and(a, kleene_or(b, c)) is kleene_or(
                    kleene_and(a, b), kleene_and(a, c)
                )
