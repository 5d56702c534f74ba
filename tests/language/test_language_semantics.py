"""What each operator and function gives, including Unknown, checked on both backends."""

from __future__ import annotations

import datetime

import pytest
from language_helpers import BASE_ENV, SYMBOLS, run, same_value

from openmdt.knowledge.kernel import expression_function
from openmdt.language import UNKNOWN, ValueType, compile_expression

U = UNKNOWN
D = datetime.date

# (source, overriding values, expected value)
CASES = [
    # literals
    ("1", {}, 1),
    ("2.5", {}, 2.5),
    ("-3", {}, -3),
    ("'single'", {}, "single"),
    ("true", {}, True),
    ("False", {}, False),
    # names
    ("psa", {}, 12.5),
    ("psa", {"psa": U}, U),
    # not
    ("not fit", {}, False),
    ("not fit", {"fit": U}, U),
    # and / or with Kleene short-circuits in both directions
    ("fit and frail", {"fit": U, "frail": False}, False),
    ("frail and fit", {"fit": U, "frail": False}, False),
    ("fit and frail", {"fit": U, "frail": True}, U),
    ("fit or frail", {"fit": U, "frail": True}, True),
    ("frail or fit", {"fit": U, "frail": True}, True),
    ("fit or frail", {"fit": U, "frail": False}, U),
    ("fit and frail and nodes", {"fit": True, "frail": U, "nodes": False}, False),
    ("fit or frail or nodes", {"fit": False, "frail": U, "nodes": True}, True),
    ("fit and psa > 10", {}, True),
    ("psa > 100 and psa / 0 > 1", {}, False),
    # comparisons
    ("psa == 12.5", {}, True),
    ("grade_group == 2.0", {}, True),
    ("psa != 12.5", {}, False),
    ("psa < psa_high_risk", {}, True),
    ("psa <= 12.5", {}, True),
    ("psa > 12.5", {}, False),
    ("psa >= 12.5", {}, True),
    ("psa > 10", {"psa": U}, U),
    ("10 < psa", {"psa": U}, U),
    ("fit == true", {}, True),
    ("fit != frail", {}, True),
    ("comment == 'none'", {}, True),
    ("comment == 'none'", {"comment": U}, U),
    ('t_stage == "T2"', {}, True),
    ('"T2" == t_stage', {}, True),
    ('t_stage != "T2"', {"t_stage": U}, U),
    ("t_stage == t_stage", {}, True),
    ("birth_date < diagnosis_date", {}, True),
    ("diagnosis_date >= as_of", {}, False),
    ("diagnosis_date >= as_of", {"as_of": U}, U),
    # chained comparisons
    ("0 <= psa < 20", {}, True),
    ("0 <= psa < 10", {}, False),
    ("0 <= psa < 10", {"psa": U}, U),
    ("grade_group < psa < psa_high_risk", {"grade_group": U}, U),
    ("psa_high_risk < psa < grade_group", {"grade_group": U}, False),
    ("grade_group < psa_high_risk < psa", {"grade_group": U}, False),
    ("1 < 2 < 3 < 4", {}, True),
    ("1 < 2 == 2.0 != 3", {}, True),
    # in / not in
    ('t_stage in ["T3", "T3a", "T3b"]', {}, False),
    ('t_stage in ["T3", "T3a", "T3b"]', {"t_stage": "T3a"}, True),
    ('t_stage in ["T3", "T3a"]', {"t_stage": U}, U),
    ('t_stage not in ["T3", "T3a"]', {}, True),
    ('t_stage not in ["T3", "T3a"]', {"t_stage": U}, U),
    ("grade_group in [1, 2.0]", {}, True),
    ("psa in [-1, 12.5]", {}, True),
    ("grade_group in []", {}, False),
    ("fit in [true]", {}, True),
    ("comment not in ['none', 'n/a']", {}, False),
    ("(psa > 1) in [true]", {}, True),
    # arithmetic
    ("psa + 1", {}, 13.5),
    ("grade_group + 1", {}, 3),
    ("grade_group - 5", {}, -3),
    ("grade_group * 2", {}, 4),
    ("grade_group / 2", {}, 1.0),
    ("grade_group / 4", {}, 0.5),
    ("-psa", {}, -12.5),
    ("--grade_group", {}, 2),
    ("-psa", {"psa": U}, U),
    ("psa + 1", {"psa": U}, U),
    ("1 - psa * 2", {"psa": U}, U),
    ("psa / 0", {}, U),
    ("psa / grade_group", {"grade_group": 0}, U),
    ("psa * psa_high_risk", {"psa": 1e200, "psa_high_risk": 1e200}, U),
    ("psa - psa_high_risk", {"psa": 1e308, "psa_high_risk": -1e308}, U),
    ("psa / 3", {"psa": 10**400}, U),
    ("2 + 3 * 4", {}, 14),
    ("(2 + 3) * 4", {}, 20),
    ("10 - 4 - 3", {}, 3),
    ("10 - (4 - 3)", {}, 9),
    # known / unknown: never Unknown themselves
    ("known(psa)", {}, True),
    ("known(psa)", {"psa": U}, False),
    ("unknown(psa)", {"psa": U}, True),
    ("unknown(psa + 1)", {}, False),
    ("known(t_stage == 'T2')", {"t_stage": U}, False),
    ("known(psa / 0)", {}, False),
    # at_least
    ("at_least(2, fit, frail, nodes)", {"fit": True, "frail": True, "nodes": U}, True),
    ("at_least(2, fit, frail, nodes)", {"fit": True, "frail": False, "nodes": U}, U),
    ("at_least(2, fit, frail, nodes)", {"fit": True, "frail": False, "nodes": False}, False),
    ("at_least(2, fit, frail, nodes)", {"fit": U, "frail": False, "nodes": False}, False),
    ("at_least(2, fit, frail, nodes)", {"fit": U, "frail": U, "nodes": U}, U),
    ("at_least(0, fit)", {"fit": U}, True),
    ("at_least(1, fit)", {"fit": U}, U),
    ("at_least(3, fit, fit, fit)", {}, True),
    # count_true
    ("count_true(fit, frail, nodes)", {}, 1),
    ("count_true(fit, frail, nodes)", {"nodes": True}, 2),
    ("count_true(fit, frail, nodes)", {"nodes": U}, U),
    ("count_true(fit, frail) >= 1", {"frail": U}, U),
    # between, inclusive, as a Kleene 'and' of its two comparisons
    ("between(psa, 10, 20)", {}, True),
    ("between(psa, 12.5, 12.5)", {}, True),
    ("between(psa, 13, 20)", {}, False),
    ("between(psa, 10, 20)", {"psa": U}, U),
    ("between(psa, psa_high_risk, 20)", {"psa_high_risk": U}, U),
    ("between(psa, psa_high_risk, 10)", {"psa_high_risk": U}, False),
    ("between(as_of, diagnosis_date, as_of)", {}, True),
    # min / max / abs
    ("min(psa, psa_high_risk)", {}, 12.5),
    ("max(psa, psa_high_risk)", {}, 20),
    ("max(grade_group, 1, 5)", {}, 5),
    ("min(psa, 3)", {"psa": U}, U),
    ("max(birth_date, diagnosis_date)", {}, D(2025, 3, 1)),
    ("abs(psa - 20)", {}, 7.5),
    ("abs(grade_group - 5)", {}, 3),
    ("abs(psa)", {"psa": U}, U),
    # dates
    ("years_between(birth_date, as_of)", {}, 75),
    ("years_between(birth_date, as_of)", {"as_of": D(2025, 6, 14)}, 74),
    ("years_between(birth_date, as_of)", {"as_of": D(2025, 6, 15)}, 75),
    ("years_between(as_of, birth_date)", {"as_of": D(2025, 6, 14)}, -74),
    ("years_between(birth_date, as_of)",
     {"birth_date": D(2020, 2, 29), "as_of": D(2021, 2, 28)}, 0),
    ("years_between(birth_date, as_of)",
     {"birth_date": D(2020, 2, 29), "as_of": D(2021, 3, 1)}, 1),
    ("years_between(birth_date, as_of)", {"birth_date": U}, U),
    ("years_between(birth_date, as_of) >= 75", {}, True),
    ("days_between(diagnosis_date, as_of)", {}, 306),
    ("days_between(as_of, diagnosis_date)", {}, -306),
    ("days_between(diagnosis_date, as_of) > 62", {"diagnosis_date": U}, U),
    # coalesce
    ("coalesce(psa, 0)", {}, 12.5),
    ("coalesce(psa, 0)", {"psa": U}, 0),
    ("coalesce(psa, psa_high_risk)", {"psa": U, "psa_high_risk": U}, U),
    ('coalesce(t_stage, "T1") == "T1"', {"t_stage": U}, True),
    ("coalesce(fit, false) or frail", {"fit": U}, False),
]


@pytest.mark.parametrize(("source", "values", "expected"), CASES)
def test_value(source: str, values: dict[str, object], expected: object) -> None:
    assert same_value(run(source, **values), expected)


def test_the_pack_format_example() -> None:
    source = (
        'grade_group == 5 or t_stage == "T4" or at_least(2, grade_group == 4, '
        'psa > psa_high_risk, t_stage in ["T3", "T3a", "T3b"])'
    )
    assert run(source) is False
    assert run(source, grade_group=U) is U
    assert run(source, grade_group=U, t_stage="T4") is True
    assert run(source, grade_group=4, psa=U, t_stage="T3b") is True
    assert run(source, grade_group=4, psa=U, t_stage="T2") is U
    assert run(source, grade_group=3, psa=U, t_stage="T3") is U
    assert run(source, grade_group=3, psa=U, t_stage="T2") is False


@pytest.mark.parametrize(
    ("source", "type_"),
    [
        ("psa", ValueType.NUMBER),
        ("grade_group", ValueType.INTEGER),
        ("grade_group + 1", ValueType.INTEGER),
        ("grade_group + 1.0", ValueType.NUMBER),
        ("grade_group / 1", ValueType.NUMBER),
        ("-grade_group", ValueType.INTEGER),
        ("abs(psa)", ValueType.NUMBER),
        ("min(grade_group, 3)", ValueType.INTEGER),
        ("max(grade_group, psa)", ValueType.NUMBER),
        ("max(as_of, birth_date)", ValueType.DATE),
        ("count_true(fit, frail)", ValueType.INTEGER),
        ("years_between(birth_date, as_of)", ValueType.INTEGER),
        ("days_between(birth_date, as_of)", ValueType.INTEGER),
        ("t_stage", ValueType.ENUM),
        ('coalesce(t_stage, "T1")', ValueType.ENUM),
        ('coalesce("T1", t_stage)', ValueType.ENUM),
        ("coalesce(grade_group, 1)", ValueType.INTEGER),
        ("coalesce(grade_group, psa)", ValueType.NUMBER),
        ("comment", ValueType.TEXT),
        ("'x'", ValueType.TEXT),
        ("known(psa)", ValueType.BOOLEAN),
        ("0 < psa < 1", ValueType.BOOLEAN),
    ],
)
def test_result_type(source: str, type_: ValueType) -> None:
    assert compile_expression(source, SYMBOLS).type is type_


def test_expect_accepts_an_integer_where_a_number_is_wanted() -> None:
    expression = compile_expression("grade_group + 1", SYMBOLS, expect=ValueType.NUMBER)
    assert expression.type is ValueType.INTEGER


def test_expect_enum_accepts_a_text_literal() -> None:
    expression = compile_expression('"T3"', SYMBOLS, expect=ValueType.ENUM)
    assert expression.type is ValueType.ENUM
    assert expression.evaluate({}) == "T3"


def test_expression_text_may_span_lines() -> None:
    source = "at_least(1,\n    fit,\n    frail)\n  and not nodes\n"
    assert run(source) is True


def test_true_and_false_are_literals_even_if_a_symbol_has_the_name() -> None:
    expression = compile_expression("true", {})
    assert expression.evaluate({}) is True
    assert expression.names == frozenset()


def test_a_missing_name_in_env_is_a_caller_error_not_unknown() -> None:
    expression = compile_expression("psa > 1", SYMBOLS)
    with pytest.raises(KeyError):
        expression.evaluate({})
    with pytest.raises(KeyError):
        expression_function(expression)({})


def test_evaluate_does_not_change_env() -> None:
    env = dict(BASE_ENV)
    compile_expression("coalesce(psa, 0) > 1 and known(t_stage)", SYMBOLS).evaluate(env)
    assert env == BASE_ENV
