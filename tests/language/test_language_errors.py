"""Every error code, with its exact message, hint and the offset of the offending part."""

from __future__ import annotations

import pytest
from language_helpers import SYMBOLS

from openmdt.language import ExpressionError, ValueType, compile_expression
from openmdt.language.errors import ERROR_CODES
from openmdt.language.limits import MAX_DEPTH, MAX_NODES, MAX_SOURCE_LENGTH

NULL_HINT = "use known(x) to test for a missing value"
T_STAGE_VALUES = "T1, T2, T3, T3a, T3b, T4"

# (source, code, message, hint, offset)
GOLDEN = [
    ("psa >", "syntax_error", "syntax error: invalid syntax", None, 5),
    ("", "syntax_error", "syntax error: the expression is empty", None, 0),
    ("  # only a comment", "syntax_error", "syntax error: the expression is empty", None, 0),
    ("fit) or (frail", "syntax_error", "syntax error: unbalanced parentheses", None, 0),
    ("psa.real > 1", "construct_not_allowed",
     "not allowed in an expression: attribute access (x.y)", None, 0),
    ("t_stage[0] == 'T'", "construct_not_allowed",
     "not allowed in an expression: subscripts (x[...])", None, 0),
    ("(lambda: 1)()", "construct_not_allowed",
     "not allowed in an expression: calling anything but a library function by name",
     "call a function by its name, e.g. known(psa)", 1),
    ("fit or (lambda: 1)", "construct_not_allowed", "not allowed in an expression: lambda",
     None, 8),
    ("[x for x in [1]]", "construct_not_allowed", "not allowed in an expression: comprehensions",
     None, 0),
    ('f"{psa}" == "1"', "construct_not_allowed", "not allowed in an expression: f-strings",
     None, 0),
    ("(n := 1) > 0", "construct_not_allowed",
     "not allowed in an expression: assignment expressions (:=)", None, 1),
    ("min(psa, psa_high_risk, key=1) > 0", "construct_not_allowed",
     "not allowed in an expression: keyword arguments", "pass arguments by position", 24),
    ("count_true(*fit) > 0", "construct_not_allowed",
     "not allowed in an expression: starred arguments (*x)", None, 11),
    ("psa ** 2 > 1", "construct_not_allowed", "not allowed in an expression: the operator '**'",
     None, 0),
    ("psa is None", "construct_not_allowed", "not allowed in an expression: 'is' / 'is not'",
     "use == or known(x)", 7),
    ("psa == None", "construct_not_allowed",
     "not allowed in an expression: None (there is no null value)", NULL_HINT, 7),
    ("psa != null", "construct_not_allowed",
     "not allowed in an expression: null (there is no null value)", NULL_HINT, 7),
    ('t_stage in ("T3", "T4")', "construct_not_allowed",
     "not allowed in an expression: 'in' without a list literal",
     'write the values as a list, e.g. t_stage in ["T3", "T4"]', 11),
    ("psa in [1, psa_high_risk]", "construct_not_allowed",
     "not allowed in an expression: list items other than literal values", None, 11),
    ("{1: 2}", "construct_not_allowed", "not allowed in an expression: dictionaries", None, 0),
    ("1 if fit else 2", "construct_not_allowed",
     "not allowed in an expression: conditional expressions (x if c else y)", None, 0),
    ("psa, fit", "construct_not_allowed", "not allowed in an expression: tuples", None, 0),
    ("b'x' == 1", "construct_not_allowed", "not allowed in an expression: bytes literals",
     None, 0),
    ("psa > 1e999", "construct_not_allowed",
     "not allowed in an expression: a number too large to represent", None, 6),
    ("psq > 10", "unknown_name", "unknown name 'psq'", "did you mean 'psa'?", 0),
    ("fit and zzz", "unknown_name", "unknown name 'zzz'", None, 8),
    ("known and fit", "unknown_name", "unknown name 'known'",
     "known is a function: call it, e.g. known(...)", 0),
    ("fit or at_lest(1, fit)", "unknown_function", "unknown function 'at_lest'",
     "did you mean 'at_least'?", 7),
    ("eval(psa)", "unknown_function", "unknown function 'eval'",
     "available functions: abs, at_least, between, coalesce, count_true, days_between, known, "
     "max, min, unknown, years_between", 0),
    ("between(psa, 1) or fit", "wrong_arity", "between() takes 3 arguments, found 2", None, 0),
    ("known(psa, fit)", "wrong_arity", "known() takes 1 argument, found 2", None, 0),
    ("min(psa) > 1", "wrong_arity", "min() takes at least 2 arguments, found 1", None, 0),
    ("at_least(3, fit, frail)", "wrong_arity", "at_least(3, ...) has only 2 conditions",
     None, 0),
    ("psa and fit", "type_mismatch", "'and' wants boolean, found number", None, 0),
    ("not t_stage", "type_mismatch", "'not' wants boolean, found enum (t_stage)", None, 4),
    ('t_stage < "T3"', "type_mismatch", "'<' wants number or date, found enum (t_stage)",
     None, 0),
    ("psa < birth_date", "type_mismatch", "'<' wants number, found date", None, 6),
    ("psa == fit", "type_mismatch", "'==' wants two values of the same type, found number and "
     "boolean", None, 7),
    ("comment == t_stage", "type_mismatch", "'==' wants two values of the same type, found "
     "text and enum (t_stage)", None, 11),
    ('psa + "1" > 0', "type_mismatch", "'+' wants number, found text", None, 6),
    ("grade_group in [1, true]", "type_mismatch",
     "the list after 'in' wants integer values, found boolean", None, 19),
    ("at_least(grade_group, fit)", "type_mismatch",
     "at_least() wants a whole number >= 0 written as a literal first, found an expression",
     None, 9),
    ("at_least(-1, fit)", "type_mismatch",
     "at_least() wants a whole number >= 0 written as a literal first, found -1", None, 9),
    ("between(psa, 1, as_of)", "type_mismatch", "between() wants number, found date", None, 16),
    ("years_between(psa, as_of) > 1", "type_mismatch", "years_between() wants date, found "
     "number", None, 14),
    ("count_true(fit, psa) > 1", "type_mismatch", "count_true() wants boolean conditions, found "
     "number", None, 16),
    ("[1, 2] == psa", "type_mismatch", "this place wants a single value, found a list",
     "a list can only follow 'in' or 'not in'", 0),
    ('t_stage == "T5"', "unknown_enum_value",
     f"'T5' is not an allowed value of t_stage; allowed values: {T_STAGE_VALUES}", None, 11),
    ('t_stage in ["T3", "t4"]', "unknown_enum_value",
     f"'t4' is not an allowed value of t_stage; allowed values: {T_STAGE_VALUES}",
     "did you mean 'T4'?", 18),
    ('"T3x" != t_stage', "unknown_enum_value",
     f"'T3x' is not an allowed value of t_stage; allowed values: {T_STAGE_VALUES}",
     "did you mean 'T3'?", 0),
    ('coalesce(m_stage, "MX") == "M0"', "unknown_enum_value",
     "'MX' is not an allowed value of m_stage; allowed values: M0, M1, M1a", None, 18),
]


@pytest.mark.parametrize(("source", "code", "message", "hint", "offset"), GOLDEN)
def test_error_code_message_hint_and_offset(
    source: str, code: str, message: str, hint: str | None, offset: int
) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source, SYMBOLS)
    error = caught.value
    assert (error.code, error.message, error.hint, error.offset) == (code, message, hint, offset)


def test_every_error_code_has_a_golden_case() -> None:
    assert {case[1] for case in GOLDEN} | {"too_complex"} == set(ERROR_CODES)


def test_too_long() -> None:
    source = "fit or " * (MAX_SOURCE_LENGTH // 7 + 1) + "fit"
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source, SYMBOLS)
    assert caught.value.code == "too_complex"
    assert caught.value.message == (
        f"expression is too long: {len(source)} characters, the limit is {MAX_SOURCE_LENGTH}"
    )


def test_too_deep() -> None:
    source = "not " * MAX_DEPTH + "fit"
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source, SYMBOLS)
    assert caught.value.code == "too_complex"
    assert caught.value.message == (
        f"expression is too deeply nested (the limit is {MAX_DEPTH} levels)"
    )
    assert caught.value.offset == len("not ") * (MAX_DEPTH - 1) + 4  # the name at the bottom


def test_just_deep_enough_is_accepted() -> None:
    expression = compile_expression("not " * (MAX_DEPTH - 1) + "fit", SYMBOLS)
    assert expression.evaluate({"fit": True}) is ((MAX_DEPTH - 1) % 2 == 0)


def test_too_large() -> None:
    source = "max(" + ",".join(["1"] * MAX_NODES) + ") > 0"
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source, SYMBOLS)
    assert caught.value.code == "too_complex"
    assert caught.value.message == f"expression is too large (the limit is {MAX_NODES} parts)"


def test_nesting_beyond_pythons_own_parser_is_too_complex_not_a_crash() -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression("-" * 3000 + "psa > 0", SYMBOLS)
    assert caught.value.code == "too_complex"


def test_expect_boolean_refuses_a_number() -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression("psa + 1", SYMBOLS, expect=ValueType.BOOLEAN)
    assert caught.value.code == "type_mismatch"
    assert caught.value.message == "this expression wants a boolean result, found number"


def test_offsets_count_characters_not_bytes_and_span_lines() -> None:
    source = 'comment == "é" and\n  fit and\r\n  zzz'
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source, SYMBOLS)
    assert caught.value.offset == source.index("zzz")


def test_syntax_error_offset_on_a_later_line() -> None:
    source = "fit and\nfrail and and"
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source, SYMBOLS)
    assert caught.value.code == "syntax_error"
    assert caught.value.offset == source.index("and and") + 4


@pytest.mark.parametrize("source", ["fit \x00", "'\ud800' == comment"])
def test_unparseable_characters_are_syntax_errors(source: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source, SYMBOLS)
    assert caught.value.code == "syntax_error"


def test_error_text_includes_the_hint() -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression("psq > 1", SYMBOLS)
    assert str(caught.value) == "unknown name 'psq' (hint: did you mean 'psa'?)"
    assert repr(caught.value) == "ExpressionError('unknown_name', \"unknown name 'psq'\", offset=0)"
