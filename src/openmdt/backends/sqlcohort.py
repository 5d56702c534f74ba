"""A cohort through a SQL engine: the compiled query, its errors, its patterns, its output.

The steps are the same for every SQL engine (DuckDB, Spark): compile the pack against the
input's columns; collect the rows the compiled validation refuses (their messages are written
by the Python path's own validation, which must agree on the code); settle each distinct
pattern once (patterns.py) and join the results back to the cases by their key words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import pyarrow as pa
from sqlglot import exp

from openmdt.backends.cohort import RowError, case_data, row_error
from openmdt.backends.inputs import SOURCE
from openmdt.backends.patterns import PatternResult, settle_words
from openmdt.backends.sqlexpr import SqlBackendError, constant
from openmdt.backends.sqlpack import (
    CASE_ID,
    ERROR_CODE,
    EVALUATED,
    ROW,
    CompiledQuery,
    compile_pack_query,
)
from openmdt.backends.validation import InputColumn
from openmdt.cases.errors import CaseError
from openmdt.engine import validate_case
from openmdt.knowledge.model import Pack

__all__ = ["PATTERNS", "SqlCohort", "SqlEngine", "run_sql_cohort"]

PATTERNS = "__patterns"
_CHUNK = 1000


class SqlEngine(Protocol):
    """What the cohort steps need of a SQL engine holding the input as ``__source``."""

    dialect: str

    def columns(self) -> list[InputColumn]: ...

    def rows(self, query: exp.Select) -> list[dict[str, Any]]: ...

    def register(self, name: str, table: pa.Table) -> None: ...

    def materialize(self, name: str, query: exp.Select) -> None: ...


@dataclass(frozen=True)
class SqlCohort:
    """The output query (reading the registered patterns) and the refused rows."""

    output: exp.Select
    errors: tuple[RowError, ...]
    patterns: int  # distinct patterns settled


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def _table(name: str, alias: str | None = None) -> exp.Expression:
    table = exp.to_table(f'"{name}"')
    return exp.alias_(table, alias, table=True) if alias else table


def refused_rows(pack: Pack, engine: SqlEngine, compiled: CompiledQuery) -> tuple[RowError, ...]:
    """The rows the compiled validation refuses, with the Python path's messages."""
    flagged = engine.rows(exp.select(_col(ROW), _col(ERROR_CODE)).from_(
        _table(EVALUATED)).where(exp.Not(this=exp.Is(this=_col(ERROR_CODE),
                                                        expression=exp.Null()))))
    codes = {row[ROW]: row[ERROR_CODE] for row in flagged}
    errors: list[RowError] = []
    numbers = sorted(codes)
    for start in range(0, len(numbers), _CHUNK):
        chunk = numbers[start:start + _CHUNK]
        query = exp.select(exp.Star()).from_(_table(SOURCE)).where(
            exp.In(this=_col(ROW), expressions=[constant(n) for n in chunk]))
        for raw in engine.rows(query):
            errors.append(_refusal(pack, raw, codes[raw[ROW]]))
    return tuple(sorted(errors, key=lambda e: e.row))


def _refusal(pack: Pack, raw: dict[str, Any], code: str) -> RowError:
    data = case_data(raw)
    try:
        validate_case(pack, data)
    except CaseError as error:
        if error.code != code:
            raise SqlBackendError(f"row {raw[ROW]}: SQL validation says {code}, the Python "
                                  f"path {error.code}: {error.message}") from None
        return row_error(raw[ROW], data, error)
    raise SqlBackendError(f"row {raw[ROW]}: SQL validation says {code}, the Python path "
                          "accepts the row")


def pattern_results(pack: Pack, engine: SqlEngine, compiled: CompiledQuery
                    ) -> list[tuple[tuple[int, ...], PatternResult]]:
    """Each distinct pattern of the valid rows, settled once."""
    keys = [_col(k) for k in compiled.key_columns]
    query = exp.select(*keys).distinct().from_(_table(EVALUATED)).where(
        exp.Is(this=_col(ERROR_CODE), expression=exp.Null()))
    rows = engine.rows(query)
    return [(words, settle_words(pack, compiled, words)) for words in
            (tuple(row[k] for k in compiled.key_columns) for row in rows)]


def pattern_table(pack: Pack, compiled: CompiledQuery,
                  results: Sequence[tuple[tuple[int, ...], PatternResult]]) -> pa.Table:
    """The settled patterns as a table keyed by the words."""
    columns: dict[str, list[Any]] = {k: [] for k in compiled.key_columns}
    names = ["__route", "__standard_of_care", "__data_requests"]
    for index in range(len(pack.decisions)):
        names += [f"__d{index}_status", f"__d{index}_recommended", f"__d{index}_missing"]
    columns.update({n: [] for n in names})
    for words, result in results:
        for key, word in zip(compiled.key_columns, words, strict=True):
            columns[key].append(word)
        values: list[Any] = [result.route, result.standard_of_care, list(result.data_requests)]
        for outcome in result.decisions:
            values += [outcome.status, list(outcome.recommended), list(outcome.missing)]
        for name, value in zip(names, values, strict=True):
            columns[name].append(value)
    strings = pa.list_(pa.string())
    types = {k: pa.int64() for k in compiled.key_columns}
    types.update({n: strings if n.endswith(("_requests", "_recommended", "_missing"))
                  else pa.string() for n in names})
    return pa.table({n: pa.array(v, type=types[n]) for n, v in columns.items()})


def output_query(pack: Pack, compiled: CompiledQuery) -> exp.Select:
    """One row per valid case, in input order, with its pattern's results joined on (reads
    the materialized ``__evaluated`` table: joining on computed keys is very slow)."""
    e, p = "e", "p"
    columns: list[exp.Expression] = [
        exp.alias_(_col(CASE_ID, e), "case_id", quoted=True),
        exp.alias_(_col("__route", p), "route", quoted=True),
        exp.alias_(_col("__standard_of_care", p), "standard_of_care", quoted=True),
        exp.alias_(_col("__data_requests", p), "data_requests", quoted=True)]
    columns += [exp.alias_(_col(d.column, e), d.name, quoted=True) for d in compiled.derived]
    for index, decision in enumerate(pack.decisions):
        for part in ("status", "recommended", "missing"):
            columns.append(exp.alias_(_col(f"__d{index}_{part}", p), f"{decision.id}__{part}",
                                      quoted=True))
    joined = exp.and_(*(exp.EQ(this=_col(k, e), expression=_col(k, p))
                        for k in compiled.key_columns))
    select = exp.select(*columns).from_(_table(EVALUATED, e)).join(
        _table(PATTERNS, p), on=joined).where(
        exp.Is(this=_col(ERROR_CODE, e), expression=exp.Null())).order_by(_col(ROW, e))
    return select


def run_sql_cohort(pack: Pack, engine: SqlEngine, as_of: date | None) -> SqlCohort:
    """Compile, validate, settle the patterns (registered as ``__patterns``): the output
    query is then read or written by the engine."""
    compiled = compile_pack_query(pack, engine.columns(), SOURCE, as_of)
    engine.materialize(EVALUATED, compiled.query)  # computed once, read three times
    errors = refused_rows(pack, engine, compiled)
    results = pattern_results(pack, engine, compiled)
    engine.register(PATTERNS, pattern_table(pack, compiled, results))
    return SqlCohort(output_query(pack, compiled), errors, len(results))
