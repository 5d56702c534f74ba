"""A cohort (a table of cases) evaluated by one engine; the output's shape and its errors.

Every engine gives the same table: one row per valid case with ``case_id``, ``route``,
``standard_of_care``, ``data_requests``, each derived fact under its own name and, per
decision, ``<id>__status``, ``<id>__recommended`` and ``<id>__missing``; and the rows that do
not fit the pack's data dictionary, as errors (row, case_id, item, value, code, message).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa

from openmdt.cases.errors import CaseError
from openmdt.cases.readers import PATIENT_COLUMNS, RESERVED_COLUMNS
from openmdt.knowledge.model import Pack
from openmdt.language import ValueType

__all__ = ["RowError", "arrow_type", "case_data", "error_table", "output_schema", "value_text"]

_ARROW_TYPES = {ValueType.NUMBER: pa.float64(), ValueType.INTEGER: pa.int64(),
                ValueType.BOOLEAN: pa.bool_(), ValueType.ENUM: pa.string(),
                ValueType.TEXT: pa.string(), ValueType.DATE: pa.date32()}


@dataclass(frozen=True)
class RowError:
    """A row that does not fit the pack's data dictionary: it is not evaluated."""

    row: int
    case_id: str | None
    item: str | None
    value: str | None
    code: str
    message: str


def arrow_type(item_type: str) -> pa.DataType:
    """The Arrow type of a column holding one data item of this type (as a typed input)."""
    return _ARROW_TYPES[ValueType(item_type)]


def output_schema(pack: Pack) -> pa.Schema:
    """The columns of a cohort's output, in order."""
    strings = pa.list_(pa.string())
    fields = [pa.field("case_id", pa.string()), pa.field("route", pa.string()),
              pa.field("standard_of_care", pa.string()), pa.field("data_requests", strings)]
    fields += [pa.field(f.name, _ARROW_TYPES[f.type]) for f in pack.derived]
    for decision in pack.decisions:
        fields += [pa.field(f"{decision.id}__status", pa.string()),
                   pa.field(f"{decision.id}__recommended", strings),
                   pa.field(f"{decision.id}__missing", strings)]
    return pa.schema(fields)


def error_schema() -> pa.Schema:
    return pa.schema([pa.field("row", pa.int64()), pa.field("case_id", pa.string()),
                      pa.field("item", pa.string()), pa.field("value", pa.string()),
                      pa.field("code", pa.string()), pa.field("message", pa.string())])


def error_table(errors: Iterable[RowError]) -> pa.Table:
    rows = [{"row": e.row, "case_id": e.case_id, "item": e.item, "value": e.value,
             "code": e.code, "message": e.message} for e in errors]
    return pa.Table.from_pylist(rows, schema=error_schema())


def value_text(value: Any) -> str | None:
    """A refused value as text, the same whichever engine read it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def plain(value: Any) -> Any:
    """A value read from a table as the Python path takes it (decimals become floats)."""
    return float(value) if isinstance(value, Decimal) else value


def case_data(row: Mapping[str, Any]) -> dict[str, Any]:
    """A table row as case data: reserved columns name the case, other given values are facts
    (a NULL cell is not given)."""
    case_id = row.get("case_id")
    data: dict[str, Any] = {"case_id": None if case_id is None else str(plain(case_id))}
    if row.get("site") is not None:
        data["site"] = str(row["site"])
    patient = {key: row[col] for col, key in PATIENT_COLUMNS.items() if row.get(col) is not None}
    if patient:
        data["patient"] = patient
    data["facts"] = {k: plain(v) for k, v in row.items()
                     if k not in RESERVED_COLUMNS and not k.startswith("__") and v is not None}
    return data


def row_error(row: int, data: Mapping[str, Any], error: CaseError) -> RowError:
    return RowError(row, data.get("case_id"), error.item, value_text(error.value), error.code,
                    error.message)
