"""Writing a cohort table (output or errors) as Parquet, CSV or JSONL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

__all__ = ["output_format", "write_table"]


def output_format(path: str | Path) -> str:
    lowered = str(path).lower()
    for suffix, fmt in ((".parquet", "parquet"), (".csv", "csv"), (".jsonl", "jsonl"),
                        (".ndjson", "jsonl")):
        if lowered.endswith(suffix):
            return fmt
    raise ValueError(f"{path}: the output must be .parquet, .csv or .jsonl")


def _joined(table: pa.Table) -> pa.Table:
    """List columns ';'-joined (CSV has no lists)."""
    for index, field in enumerate(table.schema):
        if pa.types.is_list(field.type):
            joined = pc.binary_join(table.column(index), ";")
            table = table.set_column(index, field.name, joined)
    return table


def write_table(table: pa.Table, path: str | Path) -> None:
    fmt = output_format(path)
    if fmt == "parquet":
        pq.write_table(table, path)
    elif fmt == "csv":
        pacsv.write_csv(_joined(table), path)
    else:
        with open(path, "w", encoding="utf-8") as out:
            for row in table.to_pylist():
                out.write(json.dumps(row, default=_iso) + "\n")


def _iso(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
