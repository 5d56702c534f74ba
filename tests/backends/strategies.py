"""Hypothesis strategies: partial cases of a pack, at its boundaries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pyarrow as pa
from hypothesis import strategies as st

from openmdt.knowledge.model import DataItem, Pack

AS_OF = date(2026, 11, 27)
_TYPES = {"number": pa.float64(), "integer": pa.int64(), "boolean": pa.bool_(),
          "enum": pa.string(), "text": pa.string(), "date": pa.date32()}


def _numbers(pack: Pack, item: DataItem) -> list[Any]:
    low = item.minimum if item.minimum is not None else -5
    high = item.maximum if item.maximum is not None else 200
    points = {low, high, (low + high) / 2}
    points |= {p + d for p in pack.parameters.values() if type(p) in (int, float)
               for d in (-1, -0.5, 0, 0.5, 1)}
    inside = sorted(p for p in points if low <= p <= high)
    if item.type == "integer":
        inside = sorted({int(p) for p in inside})
    return [*inside, high + 1]  # one out of range: the row is refused


def item_values(pack: Pack, item: DataItem) -> list[Any]:
    """None (not given), boundary values, and a few the data dictionary refuses."""
    if item.type in ("number", "integer"):
        values = _numbers(pack, item)
    elif item.type == "enum":
        values = [*(item.values or ()), "not_a_value"]
    elif item.type == "boolean":
        values = [True, False]
    elif item.type == "date":
        values = [AS_OF - timedelta(days=d) for d in (0, 1, 83, 84, 85, 365, 366 * 5)]
    else:
        values = ["some text"]
    return [None, None, *values]


def case_rows(pack: Pack, size: int = 60) -> st.SearchStrategy[list[dict[str, Any]]]:
    row = st.fixed_dictionaries({name: st.sampled_from(item_values(pack, item))
                                 for name, item in pack.items.items()})
    return st.lists(row, min_size=1, max_size=size)


def rows_table(pack: Pack, rows: list[dict[str, Any]]) -> pa.Table:
    columns = {"case_id": pa.array([f"C{i}" for i in range(len(rows))])}
    for name, item in pack.items.items():
        columns[name] = pa.array([r[name] for r in rows], type=_TYPES[item.type])
    return pa.table(columns)
