"""Case validation against the data dictionary: each bad fact gives a precise CaseError."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from engine_helpers import mini

from openmdt.cases import CASE_ERROR_CODES
from openmdt.engine import CaseError, validate_case


def facts_of(facts: dict[str, Any]) -> dict[str, Any]:
    return dict(validate_case(mini(), {"case_id": "c9", "facts": facts}).facts)


def rejection(facts: dict[str, Any]) -> CaseError:
    with pytest.raises(CaseError) as caught:
        validate_case(mini(), {"case_id": "c9", "facts": facts})
    return caught.value


@pytest.mark.parametrize(("item", "value", "code", "allowed"), [
    ("score", "sixty", "wrong_type", "a number from 0 to 100 points"),
    ("score", True, "wrong_type", "a number from 0 to 100 points"),
    ("score", [5], "wrong_type", "a number from 0 to 100 points"),
    ("score", -1, "value_out_of_range", "a number from 0 to 100 points"),
    ("score", 100.5, "value_out_of_range", "a number from 0 to 100 points"),
    ("grade", 2.5, "wrong_type", "a whole number from 1 to 3"),
    ("grade", 4, "value_out_of_range", "a whole number from 1 to 3"),
    ("stage", "D", "value_not_allowed", "one of A, B, C"),
    ("stage", 1, "wrong_type", "one of A, B, C"),
    ("fit", "maybe", "wrong_type", "yes or no"),
    ("fit", 1, "wrong_type", "yes or no"),
    ("started", "2025-13-01", "wrong_type", "a date (YYYY-MM-DD)"),
    ("started", "01/02/2025", "wrong_type", "a date (YYYY-MM-DD)"),
    ("note", 5, "wrong_type", "text"),
])
def test_bad_value_names_case_item_value_and_what_is_allowed(item: str, value: Any, code: str,
                                                             allowed: str) -> None:
    error = rejection({item: value})
    assert error.code == code and code in CASE_ERROR_CODES
    assert (error.case_id, error.item, error.value, error.allowed) == ("c9", item, value, allowed)
    assert error.path == f"facts.{item}"
    assert "c9" in error.message and item in error.message
    assert repr(value) in error.message and allowed in error.message
    assert error.to_dict() == {"code": code, "message": error.message, "path": f"facts.{item}",
                               "item": item, "value": value, "allowed": allowed}


def test_unknown_fact_name_suggests_the_closest_item() -> None:
    error = rejection({"scroe": 5})
    assert (error.code, error.path, error.item, error.value) == ("unknown_item", "facts.scroe",
                                                                "scroe", 5)
    assert "did you mean 'score'?" in error.message
    assert "mini-test" in error.message


def test_unknown_fact_name_without_a_close_item_has_no_suggestion() -> None:
    assert "did you mean" not in rejection({"zzzzzz": 1}).message


def test_value_not_allowed_suggests_a_close_value() -> None:
    error = rejection({"stage": "AA"})
    assert error.code == "value_not_allowed"
    assert "did you mean 'A'?" in error.message
    assert "did you mean" not in rejection({"stage": "D"}).message


def test_enum_value_in_another_case_is_accepted() -> None:
    assert facts_of({"stage": "c"}) == {"stage": "C"}


@pytest.mark.parametrize(("given", "expected"), [
    (True, True), (False, False), ("true", True), ("false", False), ("yes", True),
    ("no", False), ("YES", True), (" No ", False), ("True", True), ("FALSE", False),
])
def test_booleans_accept_true_false_yes_no(given: Any, expected: bool) -> None:
    assert facts_of({"fit": given}) == {"fit": expected}


@pytest.mark.parametrize(("given", "expected"), [
    (2.0, 2), ("2", 2), (" 3 ", 3), ("2.0", 2), (1, 1),
])
def test_integer_given_as_whole_float_or_text_is_an_integer(given: Any, expected: int) -> None:
    value = facts_of({"grade": given})["grade"]
    assert value == expected and type(value) is int


@pytest.mark.parametrize(("given", "expected"), [
    (20, 20), (20.01, 20.01), ("19.99", 19.99), ("0", 0.0), (100, 100),
])
def test_numbers_at_and_inside_the_bounds_are_accepted(given: Any, expected: float) -> None:
    assert facts_of({"score": given})["score"] == expected


def test_dates_are_read_as_iso_dates() -> None:
    assert facts_of({"started": "2025-02-28"}) == {"started": date(2025, 2, 28)}
    assert facts_of({"started": date(2024, 2, 29)}) == {"started": date(2024, 2, 29)}
    assert rejection({"started": "2025-02-30"}).code == "wrong_type"


def test_enum_values_are_trimmed() -> None:
    assert facts_of({"stage": "  B "}) == {"stage": "B"}


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_null_and_blank_values_are_unknown(blank: Any) -> None:
    assert facts_of({"score": blank, "stage": "A"}) == {"stage": "A"}


def test_case_without_case_id_is_rejected() -> None:
    with pytest.raises(CaseError) as caught:
        validate_case(mini(), {"facts": {"score": 1}})
    assert (caught.value.code, caught.value.path) == ("missing_case_id", "case_id")


@pytest.mark.parametrize("case", [["not", "an", "object"], {"case_id": "x", "facts": [1, 2]}])
def test_case_of_the_wrong_shape_is_rejected(case: Any) -> None:
    with pytest.raises(CaseError) as caught:
        validate_case(mini(), case)
    assert caught.value.code == "wrong_shape"


# -- values taken as they are must be exactly the values the converters would give ---------

_PROBES = [None, "", " ", True, False, 0, 1, -1, 3, 7, 10, 20, 20.0, 2.5, -3.0, 1e308,
           float("inf"), float("-inf"), float("nan"), "T1c", " T1c", "t1c", "T9", "M0", "yes",
           "true", "8.4", "2026-01-05", "acinar", [1], {"a": 1}]


def _converted(item, value):
    from openmdt.knowledge.values import FactProblem, convert_fact

    if value is None or (isinstance(value, str) and not value.strip()):
        return ("unknown",)
    try:
        result = convert_fact(item, value)
    except FactProblem as problem:
        return ("error", problem.code)
    return ("value", type(result), result)


def test_values_taken_as_they_are_agree_with_the_converters() -> None:
    """normalise_facts skips the converter for values already of the item's type; for every
    item of the prostate pack and a spread of awkward values, the outcome (value and its type,
    unknown, or the error code) must be the converter's."""
    from openmdt.engine.normalise import normalise_facts
    from openmdt.knowledge import load_pack

    pack = load_pack("prostate-nice-ng131")
    for name, item in pack.items.items():
        for value in [*_PROBES, *(item.values or ()), item.minimum, item.maximum]:
            try:
                facts = normalise_facts(pack, "c1", {name: value})
                got = ("value", type(facts[name]), facts[name]) if name in facts \
                    else ("unknown",)
            except CaseError as error:
                got = ("error", error.code)
            expected = _converted(item, value)
            assert got == expected or (got[0] == expected[0] == "value" and got[1] is float
                                       and got[2] != got[2] and expected[2] != expected[2]), \
                (name, value, got, expected)
