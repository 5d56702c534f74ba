"""Write synthetic case lists as CSV meeting lists or JSON Lines, in the case contract's shape."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from openmdt.synth.prostate import PROSTATE_FACT_NAMES

__all__ = ["CSV_IDENTITY_COLUMNS", "csv_columns", "write_csv", "write_jsonl"]

CSV_IDENTITY_COLUMNS = ("case_id", "site", "nhs_number", "patient_name", "date_of_birth")


def csv_columns(fact_names: Iterable[str] = PROSTATE_FACT_NAMES) -> list[str]:
    """Return the CSV header: identity columns, then one column per fact."""
    return [*CSV_IDENTITY_COLUMNS, *fact_names]


def write_csv(cases: Iterable[Mapping[str, Any]], stream: TextIO,
              fact_names: Iterable[str] = PROSTATE_FACT_NAMES) -> None:
    """Write cases as a CSV meeting list: empty cell = unknown, booleans true/false."""
    names = list(fact_names)
    known = set(names)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(csv_columns(names))
    for case in cases:
        dropped = sorted(set(case["facts"]) - known)
        if dropped:  # never lose a fact silently (e.g. a breast case with prostate columns)
            raise ValueError(f"case {case['case_id']}: facts {', '.join(dropped)} have no "
                             "column; give the fact names of the case's site")
        patient = case["patient"]
        identity = [case["case_id"], case["site"], patient["nhs_number"], patient["name"],
                    patient["date_of_birth"]]
        writer.writerow(identity + [_cell(case["facts"].get(name)) for name in names])


def write_jsonl(cases: Iterable[Mapping[str, Any]], stream: TextIO) -> None:
    """Write cases as JSON Lines, one case per line; unknown facts are null."""
    for case in cases:
        stream.write(json.dumps(case, ensure_ascii=False, default=_iso_date))
        stream.write("\n")


def _cell(value: Any) -> str:
    """Render one fact for CSV: '' for unknown, true/false for booleans, ISO for dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _iso_date(value: Any) -> str:
    """Let json write date values (should a caller add some) as ISO strings."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
