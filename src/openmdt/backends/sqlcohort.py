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
from openmdt.backends.patterns import PatternResult, decode, settle_case, settle_words
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
NEEDS_FACTS = "__needs_facts"  # the patterns whose cases are settled one by one
BY_CASE = "__by_case"  # those cases' results, by row
GROUPS = "__groups"  # those cases, each with the first row of its group (same pattern, cells)
BY_FIRST = "__by_first"  # each group's result, by its first row
FIRST = "__first"
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


def _result_names(pack: Pack) -> list[str]:
    names = ["__route", "__standard_of_care", "__data_requests"]
    for index in range(len(pack.decisions)):
        names += [f"__d{index}_status", f"__d{index}_recommended", f"__d{index}_missing"]
    return names


def _result_values(result: PatternResult) -> list[Any]:
    values: list[Any] = [result.route, result.standard_of_care, list(result.data_requests)]
    for outcome in result.decisions:
        values += [outcome.status, list(outcome.recommended), list(outcome.missing)]
    return values


def _results_table(keys: dict[str, list[Any]], names: list[str],
                   results: Sequence[PatternResult]) -> pa.Table:
    columns: dict[str, list[Any]] = {**keys, **{n: [] for n in names}}
    for result in results:
        for name, value in zip(names, _result_values(result), strict=True):
            columns[name].append(value)
    strings = pa.list_(pa.string())
    types = {k: pa.int64() for k in keys}
    types.update({n: strings if n.endswith(("_requests", "_recommended", "_missing"))
                  else pa.string() for n in names})
    return pa.table({n: pa.array(v, type=types[n]) for n, v in columns.items()})


def pattern_table(pack: Pack, compiled: CompiledQuery,
                  results: Sequence[tuple[tuple[int, ...], PatternResult]]) -> pa.Table:
    """The settled patterns as a table keyed by the words."""
    keys: dict[str, list[Any]] = {k: [w[i] for w, _ in results]
                                  for i, k in enumerate(compiled.key_columns)}
    return _results_table(keys, _result_names(pack), [r for _, r in results])


def case_results(pack: Pack, engine: SqlEngine, compiled: CompiledQuery,
                 results: Sequence[tuple[tuple[int, ...], PatternResult]],
                 as_of: date | None) -> None:
    """``__by_case``: the cases of patterns that need their facts (a provisional decision,
    whose exact status depends on the case), keyed by row. An exact status depends only on
    the pattern and the cells of the items the decisions read (``fact_cells``), so the cases
    that agree on both form a group: its first case is settled with its own facts and every
    case of the group gets that result."""
    needing = [words for words, result in results if result.needs_facts]
    names = _result_names(pack)
    if not needing:
        engine.register(BY_CASE, _results_table({ROW: []}, names, []))
        return
    engine.register(NEEDS_FACTS, pa.table({
        k: pa.array([w[i] for w in needing], type=pa.int64())
        for i, k in enumerate(compiled.key_columns)}))
    e, n = "e", "n"
    group = [_col(k, e) for k in (*compiled.key_columns, *compiled.cell_columns)]
    first = exp.Window(this=exp.Min(this=_col(ROW, e)), partition_by=group)
    engine.materialize(GROUPS, exp.select(
        exp.alias_(_col(ROW, e), ROW, quoted=True), exp.alias_(first, FIRST, quoted=True),
        *(exp.alias_(_col(k, e), k, quoted=True) for k in compiled.key_columns)
    ).from_(_table(EVALUATED, e)).join(_table(NEEDS_FACTS, n), on=exp.and_(*(
        exp.EQ(this=_col(k, e), expression=_col(k, n)) for k in compiled.key_columns))
    ).where(exp.Is(this=_col(ERROR_CODE, e), expression=exp.Null())))
    s, g = "s", "g"
    firsts = exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier(s)),
                        *(exp.alias_(_col(k, g), f"__key_{i}", quoted=True)
                          for i, k in enumerate(compiled.key_columns))
                        ).from_(_table(SOURCE, s)).join(
        _table(GROUPS, g), on=exp.EQ(this=_col(ROW, s), expression=_col(ROW, g))
    ).where(exp.EQ(this=_col(ROW, g), expression=_col(FIRST, g)))
    rows: list[int] = []
    settled: list[PatternResult] = []
    decoded: dict[tuple[int, ...], tuple[tuple[object, ...], tuple[object, ...]]] = {}
    for raw in engine.rows(firsts):
        words = tuple(raw[f"__key_{i}"] for i in range(len(compiled.key_columns)))
        if words not in decoded:
            decoded[words] = decode(compiled, words)
        case = validate_case(pack, case_data(raw))
        rows.append(raw[ROW])
        settled.append(settle_case(pack, decoded[words], case, as_of))
    engine.register(BY_FIRST, _results_table({FIRST: rows}, names, settled))
    f = "f"
    engine.materialize(BY_CASE, exp.select(
        exp.alias_(_col(ROW, g), ROW, quoted=True), *(_col(name, f) for name in names)
    ).from_(_table(GROUPS, g)).join(
        _table(BY_FIRST, f), on=exp.EQ(this=_col(FIRST, g), expression=_col(FIRST, f))))


def output_query(pack: Pack, compiled: CompiledQuery) -> exp.Select:
    """One row per valid case, in input order, with its pattern's results joined on (reads
    the materialized ``__evaluated`` table: joining on computed keys is very slow)."""
    e, p = "e", "p"
    c = "c"

    def result(name: str, alias: str) -> exp.Expression:
        # A case settled with its own facts (``__by_case``) overrides its pattern's result.
        chosen = exp.Case(ifs=[exp.If(this=exp.Is(this=_col(ROW, c), expression=exp.Null()),
                                      true=_col(name, p))], default=_col(name, c))
        return exp.alias_(chosen, alias, quoted=True)

    columns: list[exp.Expression] = [
        exp.alias_(_col(CASE_ID, e), "case_id", quoted=True),
        result("__route", "route"), result("__standard_of_care", "standard_of_care"),
        result("__data_requests", "data_requests")]
    columns += [exp.alias_(_col(d.column, e), d.name, quoted=True) for d in compiled.derived]
    for index, decision in enumerate(pack.decisions):
        for part in ("status", "recommended", "missing"):
            columns.append(result(f"__d{index}_{part}", f"{decision.id}__{part}"))
    joined = exp.and_(*(exp.EQ(this=_col(k, e), expression=_col(k, p))
                        for k in compiled.key_columns))
    select = exp.select(*columns).from_(_table(EVALUATED, e)).join(
        _table(PATTERNS, p), on=joined).join(
        _table(BY_CASE, c), on=exp.EQ(this=_col(ROW, e), expression=_col(ROW, c)),
        join_type="left").where(
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
    case_results(pack, engine, compiled, results, as_of)
    return SqlCohort(output_query(pack, compiled), errors, len(results))
