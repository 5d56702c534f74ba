"""Helpers: one table of cases through the DuckDB and the Python backend, compared."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import pyarrow as pa

from openmdt.backends import evaluate_cohort
from openmdt.knowledge.model import Pack


def case_table(pack: Pack, cases: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Cases ({case_id, facts}) as one table with a column per item; a column whose values
    mix types is written as text (as a CSV list gives it)."""
    rows = [{"case_id": c.get("case_id"), **dict(c.get("facts") or {})} for c in cases]
    names: list[str] = ["case_id"]
    for row in rows:
        names += [n for n in row if n not in names]
    columns = {}
    for name in names:
        values = [row.get(name) for row in rows]
        try:
            columns[name] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            columns[name] = pa.array([None if v is None else _text(v) for v in values])
    return pa.table(columns)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, date) else str(value)


def disagreements(pack: Pack, table: pa.Table, as_of: date | None,
                  engine: str = "duckdb", **options: str) -> list[str]:
    """Every difference between ``engine`` and the Python backend on the table."""
    sql = evaluate_cohort(pack, table, as_of, engine, **options)
    reference = evaluate_cohort(pack, table, as_of, "python")
    found = [f"error {a} != {b}" for a, b in zip(sql.errors, reference.errors, strict=False)
             if a != b]
    if len(sql.errors) != len(reference.errors):
        found.append(f"{len(sql.errors)} errors != {len(reference.errors)}")
    ours, theirs = sql.cases.to_pylist(), reference.cases.to_pylist()
    if len(ours) != len(theirs):
        found.append(f"{len(ours)} cases != {len(theirs)}")
    for mine, expected in zip(ours, theirs, strict=False):
        if mine != expected:
            found.append(f"{expected['case_id']}: " + ", ".join(
                f"{k}: {mine.get(k)!r} != {expected[k]!r}" for k in expected
                if mine.get(k) != expected[k]))
    return found


def rows_checked(tables: Sequence[pa.Table]) -> int:
    return sum(t.num_rows for t in tables)
