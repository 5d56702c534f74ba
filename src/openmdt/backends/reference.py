"""The Python backend for a cohort: every row through the per-case engine (the reference).

It reads the same input the SQL engines read (so both see the same typed values) and
shapes each evaluation as a cohort row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import pyarrow as pa

from openmdt.backends.cohort import RowError, case_data, output_schema, row_error
from openmdt.cases.errors import CaseError
from openmdt.engine import Evaluation, evaluate
from openmdt.knowledge.model import Pack
from openmdt.language import UNKNOWN

__all__ = ["evaluation_row", "python_cohort"]

def evaluation_row(pack: Pack, evaluation: Evaluation) -> dict[str, Any]:
    """One evaluation as a cohort output row (see cohort.output_schema)."""
    triage = evaluation.triage
    row: dict[str, Any] = {"case_id": evaluation.case_id, "route": triage.route,
                           "standard_of_care": triage.standard_of_care,
                           "data_requests": list(triage.data_requests)}
    env = evaluation.env
    for fact in pack.derived:
        value = env[fact.name]
        row[fact.name] = None if value is UNKNOWN else value
    for decision in evaluation.settled.decisions:
        prefix = decision.decision.id
        row[f"{prefix}__status"] = decision.status
        row[f"{prefix}__recommended"] = list(decision.recommended)
        row[f"{prefix}__missing"] = list(decision.missing)
    return row


def python_rows(pack: Pack, rows: Iterable[dict[str, Any]], as_of: date | None
                ) -> Iterator[dict[str, Any] | RowError]:
    """Each input row evaluated, or the error that refuses it."""
    for raw in rows:
        data = case_data(raw)
        try:
            evaluation = evaluate(pack, data, as_of)
        except CaseError as error:
            yield row_error(raw["__row"], data, error)
            continue
        yield evaluation_row(pack, evaluation)


def python_cohort(pack: Pack, batches: Iterable[list[dict[str, Any]]], as_of: date | None
                  ) -> tuple[pa.Table, tuple[RowError, ...]]:
    """The cohort's output table and errors, by the per-case engine."""
    schema = output_schema(pack)
    tables, errors = [], []
    for batch in batches:
        rows = []
        for result in python_rows(pack, batch, as_of):
            if isinstance(result, RowError):
                errors.append(result)
            else:
                rows.append(result)
        tables.append(pa.Table.from_pylist(rows, schema=schema))
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    return table, tuple(errors)
