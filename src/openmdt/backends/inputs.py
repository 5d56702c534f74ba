"""Reading a cohort into DuckDB: Parquet, CSV or JSONL files (or a glob), or an Arrow table.

The rows are kept in input order and numbered from 1 (``__row``). CSV is read as text, as
the Python path reads a CSV meeting list; Parquet and JSONL keep their column types. JSONL
case records with nested ``facts`` (as `openmdt synth` and the case readers use) are read
as one column per fact.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from openmdt.backends.sqlexpr import SqlBackendError
from openmdt.backends.validation import InputColumn

__all__ = ["SOURCE", "column_kind", "input_format", "load_input"]

SOURCE = "__source"
_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER",
             "UBIGINT", "HUGEINT")
_NUMBERS = ("FLOAT", "DOUBLE", "REAL")


def input_format(path: str) -> str:
    """parquet, csv or jsonl, from the file name."""
    lowered = path.lower()
    for suffix, fmt in ((".parquet", "parquet"), (".csv", "csv"), (".jsonl", "jsonl"),
                        (".ndjson", "jsonl"), (".json", "jsonl")):
        if lowered.endswith(suffix):
            return fmt
    raise SqlBackendError(f"{path}: the input must be .parquet, .csv or .jsonl")


def _reader(path: str) -> str:
    fmt = input_format(path)
    quoted = "'" + path.replace("'", "''") + "'"
    if fmt == "parquet":
        return f"read_parquet({quoted}, union_by_name = true)"
    if fmt == "csv":
        return f"read_csv({quoted}, all_varchar = true, header = true, union_by_name = true)"
    return f"read_json({quoted}, format = 'newline_delimited', union_by_name = true)"


def load_input(con: duckdb.DuckDBPyConnection, source: str | Path | pa.Table) -> None:
    """Load the cohort into a table and number its rows (view ``__source``)."""
    if isinstance(source, pa.Table):
        con.register("__arrow_input", source)
        con.execute("CREATE OR REPLACE TEMP TABLE __input AS SELECT * FROM __arrow_input")
        con.unregister("__arrow_input")
    else:
        # The path is the user's own file name, quoted as a SQL string literal.
        con.execute(f"CREATE OR REPLACE TEMP TABLE __input AS SELECT * FROM {_reader(str(source))}")
    _flatten_case_records(con)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {SOURCE} AS "
                "SELECT rowid + 1 AS __row, * FROM __input")


def _flatten_case_records(con: duckdb.DuckDBPyConnection) -> None:
    """Case records as the case readers write them ({case_id, site, patient, facts}) become
    one column per fact; the patient's identifiers are not needed for a cohort and are left
    out."""
    described = dict(con.execute(
        "SELECT column_name, column_type FROM (DESCRIBE __input)").fetchall())
    if not str(described.get("facts", "")).upper().startswith("STRUCT"):
        return
    kept = [f'"{name}"' for name in described if name not in ("facts", "patient")]
    columns = ", ".join([*kept, "facts.*"])
    con.execute(f"CREATE OR REPLACE TEMP TABLE __input AS SELECT {columns} FROM __input")


def column_kind(sql_type: str) -> str:
    """The kind of values a column of this DuckDB type holds, for validation."""
    base = sql_type.upper().split("(")[0]
    if base in ("VARCHAR", '"NULL"', "NULL"):
        return "text"
    if base in _INTEGERS:
        return "integer"
    if base in _NUMBERS or base == "DECIMAL":
        return "number"
    if base == "BOOLEAN":
        return "boolean"
    if base == "DATE":
        return "date"
    raise SqlBackendError(f"a column of type {sql_type} cannot be read as a fact")


def input_columns(con: duckdb.DuckDBPyConnection) -> list[InputColumn]:
    """The input's columns (not the row number) and the kind of each."""
    described = con.execute("SELECT column_name, column_type FROM (DESCRIBE __input)").fetchall()
    return [InputColumn(name, column_kind(sql_type) if name != "case_id" else "text")
            for name, sql_type in described]
