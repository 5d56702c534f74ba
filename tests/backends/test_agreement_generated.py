"""DuckDB agrees with the Python backend on generated partial cases and synthetic lists."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings

from openmdt.knowledge import load_pack
from openmdt.synth import generate_prostate_list

from .agreement import case_table, disagreements
from .strategies import AS_OF, case_rows, rows_table

MINI = load_pack(str(Path(__file__).parents[1] / "engine" / "packs" / "mini"))
PROSTATE = load_pack("prostate-nice-ng131")
_SETTINGS = {"deadline": None, "derandomize": True,
             "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


@settings(max_examples=25, **_SETTINGS)
@given(case_rows(MINI))
def test_mini_pack_generated_cases_agree(rows: list[dict]) -> None:
    assert disagreements(MINI, rows_table(MINI, rows), AS_OF) == []


@settings(max_examples=8, **_SETTINGS)
@given(case_rows(PROSTATE, size=150))
def test_prostate_generated_cases_agree(rows: list[dict]) -> None:
    assert disagreements(PROSTATE, rows_table(PROSTATE, rows), AS_OF) == []


@pytest.mark.parametrize("as_of", [AS_OF, None])
def test_prostate_synthetic_list_agrees(as_of: date | None) -> None:
    cases = generate_prostate_list(3000, 9)
    assert disagreements(PROSTATE, case_table(PROSTATE, cases), as_of) == []


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_synthetic_list_files_agree(tmp_path: Path, fmt: str) -> None:
    """Each input format; CSV gives every value as text, so its validation is exercised."""
    table = case_table(PROSTATE, generate_prostate_list(400, 4))
    path = tmp_path / f"cases.{fmt}"
    if fmt == "parquet":
        pq.write_table(table, path)
    elif fmt == "csv":
        pacsv.write_csv(table, path)
    else:
        import json
        rows = table.to_pylist()
        path.write_text("".join(json.dumps(r, default=str) + "\n" for r in rows))
    assert disagreements(PROSTATE, str(path), AS_OF) == []


def test_text_values_are_validated_like_the_python_path() -> None:
    """Text cells: spacing, case, words, underscores, bad numbers, dates and blanks."""
    rows = {"case_id": ["a", "b", "c", "d", "e", "f", "g", " ", "h"],
            "score": [" 12 ", "1_0", "1e1", "abc", "nan", "", "101", "5", "inf"],
            "grade": ["2", "2.0", "2.5", "  ", None, "3", "1", "1", "1"],
            "stage": ["a", " B ", "C", "D", None, "b", "A", "A", "A"],
            "fit": ["Yes", "n", "TRUE", "maybe", " ", "no", "y", "y", "y"],
            "started": ["2026-01-02", "20260102", "2026-02-30", "", "x", None, None, None,
                        None],
            "extra": [None, None, None, None, None, None, "given", None, None]}
    table = pa.table({k: pa.array(v, type=pa.string()) for k, v in rows.items()})
    assert disagreements(MINI, table, AS_OF) == []
