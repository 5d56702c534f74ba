"""DuckDB, the embedded engine: the compiled query run in process, output written by COPY."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from openmdt.backends.inputs import input_columns, load_input
from openmdt.backends.sqlcohort import SqlCohort, run_sql_cohort
from openmdt.backends.validation import InputColumn
from openmdt.knowledge.model import Pack

__all__ = ["DuckEngine", "duckdb_cohort"]


class DuckEngine:
    """A DuckDB connection holding one cohort as ``__source``."""

    dialect = "duckdb"

    def __init__(self, source: str | Path | pa.Table, *, memory_limit: str | None = None,
                 threads: int | None = None) -> None:
        self.con = duckdb.connect()
        if memory_limit:
            try:
                self.con.execute(f"SET memory_limit = '{_setting(memory_limit)}'")
            except duckdb.Error:
                raise ValueError(f"--memory-limit {memory_limit!r} is not a memory size: give "
                                 "a number and a unit, e.g. 3GB or 500MB") from None
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        load_input(self.con, source)

    def columns(self) -> list[InputColumn]:
        return input_columns(self.con)

    def rows(self, query: exp.Select) -> list[dict[str, Any]]:
        cursor = self.con.execute(query.sql(dialect=self.dialect))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def source_batches(self, size: int = 10_000) -> Iterator[list[dict[str, Any]]]:
        """The input rows in order, as dictionaries (for the Python backend)."""
        cursor = self.con.execute('SELECT * FROM "__source" ORDER BY "__row"')
        names = [d[0] for d in cursor.description]
        while batch := cursor.fetchmany(size):
            yield [dict(zip(names, row, strict=True)) for row in batch]

    def register(self, name: str, table: pa.Table) -> None:
        self.con.register(f"{name}_arrow", table)
        self.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT * FROM "{name}_arrow"')
        self.con.unregister(f"{name}_arrow")

    def materialize(self, name: str, query: exp.Select) -> None:
        self.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS '
                         f"{query.sql(dialect=self.dialect)}")

    def arrow(self, query: exp.Select) -> pa.Table:
        return self.con.sql(query.sql(dialect=self.dialect)).to_arrow_table()

    def write(self, query: exp.Select, path: Path, fmt: str) -> None:
        """COPY the query to a file (sqlglot does not transpile COPY: it is written here)."""
        select = query
        if fmt == "csv":
            select = _lists_joined(query)
        options = {"parquet": "FORMAT parquet", "csv": "FORMAT csv, HEADER true",
                   "jsonl": "FORMAT json"}[fmt]
        target = "'" + str(path).replace("'", "''") + "'"
        self.con.execute(f"COPY ({select.sql(dialect=self.dialect)}) TO {target} ({options})")

    def close(self) -> None:
        self.con.close()


def _setting(value: str) -> str:
    if not value.replace(" ", "").replace(".", "").isalnum():
        raise ValueError(f"--memory-limit {value!r} is not a memory size: give a number and "
                         "a unit, e.g. 3GB or 500MB")
    return value


def _lists_joined(query: exp.Select) -> exp.Select:
    """The output with its list columns ';'-joined (CSV has no lists)."""
    lists = ("data_requests", "__recommended", "__missing")
    outer = []
    for column in query.selects:
        name = column.alias_or_name
        ref = exp.column(name, quoted=True)
        if name.endswith(lists):
            ref = exp.alias_(exp.ArrayToString(this=ref, expression=exp.Literal.string(";")),
                             name, quoted=True)
        outer.append(ref)
    return exp.select(*outer).from_(exp.alias_(exp.Subquery(this=query), "o", table=True))


def duckdb_cohort(pack: Pack, engine: DuckEngine, as_of: date | None) -> SqlCohort:
    return run_sql_cohort(pack, engine, as_of)
