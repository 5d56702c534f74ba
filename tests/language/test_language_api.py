"""The public surface of openmdt.language: __all__, immutability and the Expression object."""

from __future__ import annotations

import dataclasses

import pytest
from language_helpers import SYMBOLS

import openmdt.language as language
from openmdt.language import (
    UNKNOWN,
    Expression,
    ExpressionError,
    Symbol,
    ValueType,
    compile_expression,
)

PUBLIC_API = {
    "UNKNOWN",
    "Unknown",
    "is_unknown",
    "ValueType",
    "Symbol",
    "ExpressionError",
    "Expression",
    "compile_expression",
    "kleene_and",
    "kleene_or",
    "kleene_not",
}


def test_all_is_exactly_the_public_api() -> None:
    assert set(language.__all__) == PUBLIC_API
    assert len(language.__all__) == len(PUBLIC_API)
    for name in PUBLIC_API:
        assert hasattr(language, name)


def test_value_types() -> None:
    assert [member.name for member in ValueType] == [
        "NUMBER", "INTEGER", "BOOLEAN", "ENUM", "DATE", "TEXT", "LIST",
    ]
    assert ValueType("enum") is ValueType.ENUM  # data.yaml type names map straight across


def test_symbol_is_frozen_and_keeps_enum_values_as_a_tuple() -> None:
    symbol = Symbol("t_stage", ValueType.ENUM, ["T1", "T2"])  # type: ignore[arg-type]
    assert symbol.values == ("T1", "T2")
    assert Symbol("psa", ValueType.NUMBER).values is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        symbol.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Symbol("psa", "number")  # type: ignore[arg-type]


def test_expression_attributes() -> None:
    expression = compile_expression(
        "psa > psa_high_risk and known(t_stage)", SYMBOLS, expect=ValueType.BOOLEAN
    )
    assert isinstance(expression, Expression)
    assert expression.source == "psa > psa_high_risk and known(t_stage)"
    assert expression.type is ValueType.BOOLEAN
    assert expression.names == frozenset({"psa", "psa_high_risk", "t_stage"})
    assert expression.to_text() == "psa > psa_high_risk and known(t_stage)"
    assert repr(expression) == (
        "Expression('psa > psa_high_risk and known(t_stage)', type=BOOLEAN)"
    )


def test_expression_is_immutable() -> None:
    expression = compile_expression("fit", SYMBOLS)
    with pytest.raises(AttributeError):
        expression.source = "frail"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del expression.type


def test_expression_error_attributes() -> None:
    error = ExpressionError("unknown_name", "unknown name 'x'", hint="h", offset=3)
    assert isinstance(error, Exception)
    assert (error.code, error.message, error.hint, error.offset) == (
        "unknown_name", "unknown name 'x'", "h", 3,
    )
    assert ExpressionError("syntax_error", "m").offset == 0


def test_source_must_be_text() -> None:
    with pytest.raises(TypeError):
        compile_expression(5, SYMBOLS)  # type: ignore[arg-type]


def test_symbols_may_be_any_mapping_keyed_by_name() -> None:
    from types import MappingProxyType

    expression = compile_expression("x + 1", MappingProxyType({"x": Symbol("x", ValueType.NUMBER)}))
    assert expression.evaluate({"x": UNKNOWN}) is UNKNOWN
    assert expression.evaluate({"x": 1}) == 2


@pytest.mark.parametrize(
    ("source", "canonical"),
    [
        ("psa>1", "psa > 1"),
        ("(fit and frail) and nodes", "(fit and frail) and nodes"),
        ("fit and (frail or nodes)", "fit and (frail or nodes)"),
        ("(fit and frail) or nodes", "fit and frail or nodes"),
        ("not (fit and frail)", "not (fit and frail)"),
        ("not psa > 1", "not psa > 1"),
        ("(not fit) == frail", "(not fit) == frail"),
        ("(psa > 1) == fit", "(psa > 1) == fit"),
        ("10 - (4 - psa)", "10 - (4 - psa)"),
        ("(10 - 4) - psa", "10 - 4 - psa"),
        ("-(psa + 1)", "-(psa + 1)"),
        ("- -psa", "--psa"),
        ("psa - -1", "psa - -1"),
        ("True or False", "true or false"),
        ("comment == 'it\\'s \"x\"\\n'", 'comment == "it\'s \\"x\\"\\n"'),
        ("t_stage in ['T3','T4']", 't_stage in ["T3", "T4"]'),
        ("at_least( 2 ,fit,frail )", "at_least(2, fit, frail)"),
        ("psa\n  > 1", "psa > 1"),
    ],
)
def test_canonical_text(source: str, canonical: str) -> None:
    expression = compile_expression(source, SYMBOLS)
    assert expression.to_text() == canonical
    again = compile_expression(canonical, SYMBOLS)
    assert again.tree == expression.tree
    assert again.to_text() == canonical
