"""Shared symbol table, Hypothesis settings and helpers for the expression-language tests."""

from __future__ import annotations

import datetime
from typing import Any

from hypothesis import HealthCheck, settings

from openmdt.knowledge.kernel import expression_function
from openmdt.language import UNKNOWN, Symbol, ValueType, compile_expression

T_STAGES = ("T1", "T2", "T3", "T3a", "T3b", "T4")

SYMBOLS = {
    symbol.name: symbol
    for symbol in (
        Symbol("psa", ValueType.NUMBER),
        Symbol("psa_high_risk", ValueType.NUMBER),
        Symbol("grade_group", ValueType.INTEGER),
        Symbol("t_stage", ValueType.ENUM, T_STAGES),
        Symbol("m_stage", ValueType.ENUM, ("M0", "M1", "M1a")),
        Symbol("fit", ValueType.BOOLEAN),
        Symbol("frail", ValueType.BOOLEAN),
        Symbol("nodes", ValueType.BOOLEAN),
        Symbol("birth_date", ValueType.DATE),
        Symbol("diagnosis_date", ValueType.DATE),
        Symbol("as_of", ValueType.DATE),
        Symbol("comment", ValueType.TEXT),
    )
}

BASE_ENV: dict[str, Any] = {
    "psa": 12.5,
    "psa_high_risk": 20,
    "grade_group": 2,
    "t_stage": "T2",
    "m_stage": "M0",
    "fit": True,
    "frail": False,
    "nodes": False,
    "birth_date": datetime.date(1950, 6, 15),
    "diagnosis_date": datetime.date(2025, 3, 1),
    "as_of": datetime.date(2026, 1, 1),
    "comment": "none",
}

PROPERTY_SETTINGS = settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
"""Modest, repeatable Hypothesis runs so the suite stays fast and never flaky."""


def run(source: str, **values: Any) -> Any:
    """Evaluate source with BASE_ENV overridden by values, by the reference semantics and by
    the Python backend (the expression as the pack kernel writes it), which must agree."""
    env = {**BASE_ENV, **values}
    expression = compile_expression(source, SYMBOLS)
    reference, generated = expression.evaluate(env), expression_function(expression)(env)
    assert same_value(reference, generated), (source, reference, generated)
    return reference


def same_value(left: Any, right: Any) -> bool:
    """Equal values of the same type (so True is not 1 and 1 is not 1.0)."""
    if left is UNKNOWN or right is UNKNOWN:
        return left is right
    return type(left) is type(right) and left == right
