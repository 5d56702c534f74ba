"""The conformance corpus, run against the Python kernel's code and the SQL backend."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from sqlglot import exp

from openmdt.backends.sqlexpr import ExpressionWriter as SqlWriter
from openmdt.knowledge.kernel import _namespace
from openmdt.knowledge.pycode import ExpressionWriter as PythonWriter
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
    body = PythonWriter(lambda name: name).write(expression.tree)
    module = ast.fix_missing_locations(ast.Module(body=[ast.Assign(
        targets=[ast.Name(id="result", ctx=ast.Store())], value=body)], type_ignores=[]))
    namespace = _namespace()
    namespace.update({n: UNKNOWN if row.get(n) is None else row[n] for n in SYMBOLS})
    exec(compile(module, "<conformance>", "exec"), namespace)  # a tree built from the corpus
    return None if namespace["result"] is UNKNOWN else namespace["result"]


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
    closures = expression.evaluate({n: UNKNOWN if row.get(n) is None else row[n]
                                    for n in SYMBOLS})
    assert (None if closures is UNKNOWN else closures) == expected
    assert _python_kernel(expression, row) == expected
    assert _sql(expression, row) == expected


def test_corpus_covers_every_library_function() -> None:
    from openmdt.language.library import FUNCTIONS
    text = " ".join(c["expression"] for c in CORPUS["cases"])
    assert [f for f in FUNCTIONS if f"{f}(" not in text] == []
