"""The conformance corpus, run against the reference semantics, the Python kernel's code and
the SQL backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from sqlglot import exp

from openmdt.backends.sqlexpr import ExpressionWriter as SqlWriter
from openmdt.knowledge.kernel import expression_function
from openmdt.language import UNKNOWN, Expression, Symbol, ValueType, compile_expression

CORPUS = yaml.safe_load((Path(__file__).parent / "expressions.yaml").read_text())
_SQL_TYPES = {"number": "DOUBLE", "integer": "BIGINT", "boolean": "BOOLEAN",
              "enum": "VARCHAR", "date": "DATE"}
SYMBOLS = {name: Symbol(name, ValueType(kind), tuple(CORPUS["enum_values"])
                        if kind == "enum" else None)
           for name, kind in CORPUS["symbols"].items()}
CASES = [(c["expression"], row, expected) for c in CORPUS["cases"]
         for row, expected in c["rows"]]


def _python_kernel(expression: Expression, row: dict[str, Any]) -> Any:
    """The expression as the generated kernel writes it, run on the row."""
    value = expression_function(expression)(_env(row))
    return None if value is UNKNOWN else value


def _env(row: dict[str, Any]) -> dict[str, Any]:
    return {n: UNKNOWN if row.get(n) is None else row[n] for n in SYMBOLS}


def _sql(expression: Expression, row: dict[str, Any]) -> Any:
    columns = [exp.alias_(exp.Cast(this=exp.Null() if row.get(n) is None else exp.Literal.string(
        str(row[n])), to=exp.DataType.build(_SQL_TYPES[kind])), n)
        for n, kind in CORPUS["symbols"].items()]
    value = SqlWriter(lambda name: exp.column(name)).write(expression.tree)
    query = exp.select(exp.alias_(value, "result")).from_(
        exp.Subquery(this=exp.select(*columns), alias=exp.TableAlias(this=exp.to_identifier("t"))))
    return duckdb.connect().execute(query.sql(dialect="duckdb")).fetchall()[0][0]


@pytest.mark.parametrize(("source", "row", "expected"), CASES,
                         ids=[f"{s} {r}" for s, r, _ in CASES])
def test_every_backend_gives_the_expected_value(source: str, row: dict, expected: Any) -> None:
    expression = compile_expression(source, SYMBOLS)
    reference = expression.evaluate(_env(row))  # the reference semantics
    assert (None if reference is UNKNOWN else reference) == expected
    assert _python_kernel(expression, row) == expected
    assert _sql(expression, row) == expected


def test_corpus_covers_every_library_function() -> None:
    from openmdt.language.library import FUNCTIONS
    text = " ".join(c["expression"] for c in CORPUS["cases"])
    assert [f for f in FUNCTIONS if f"{f}(" not in text] == []
