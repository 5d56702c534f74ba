"""CSV and JSON Lines writers: both round-trip through the standard library readers."""

import csv
import io
import json
from datetime import date

from openmdt.synth import PROSTATE_FACT_NAMES, generate_prostate_list, write_csv, write_jsonl
from openmdt.synth.writers import CSV_IDENTITY_COLUMNS

BOOLEAN_CELLS = {"true": True, "false": False}


def _parse_cell(cell: str, original: object) -> object:
    """Read a CSV cell back into the type of the original fact."""
    if cell == "":
        return None
    if isinstance(original, bool):
        return BOOLEAN_CELLS[cell]
    if isinstance(original, int):
        return int(cell)
    if isinstance(original, float):
        return float(cell)
    return cell


def test_csv_round_trip() -> None:
    cases = generate_prostate_list(400, seed=9)
    stream = io.StringIO()
    write_csv(cases, stream)
    stream.seek(0)
    reader = csv.DictReader(stream)
    assert reader.fieldnames == [*CSV_IDENTITY_COLUMNS, *PROSTATE_FACT_NAMES]
    rows = list(reader)
    assert len(rows) == len(cases)
    for case, row in zip(cases, rows, strict=True):
        assert row["case_id"] == case["case_id"] and row["site"] == "prostate"
        assert row["nhs_number"] == case["patient"]["nhs_number"]
        assert row["patient_name"] == case["patient"]["name"]
        assert row["date_of_birth"] == case["patient"]["date_of_birth"]
        for name in PROSTATE_FACT_NAMES:
            original = case["facts"].get(name)
            assert _parse_cell(row[name], original) == original, (case["case_id"], name)


def test_csv_writes_booleans_as_true_false_and_unknown_as_empty() -> None:
    cases = generate_prostate_list(200, seed=4)
    stream = io.StringIO()
    write_csv(cases, stream)
    stream.seek(0)
    rows = list(csv.DictReader(stream))
    assert {row["biopsy_done"] for row in rows} <= {"true", "false"}
    assert any(row["m_stage"] == "" for row in rows)
    for row in rows:
        if row["adt_start_date"]:
            date.fromisoformat(row["adt_start_date"])


def test_csv_writes_python_dates_as_iso() -> None:
    case = {"case_id": "PR-0001", "site": "prostate",
            "patient": {"name": "SYNTHETIC Oak Test", "nhs_number": "9990000018",
                        "date_of_birth": "1950-01-01"},
            "facts": {"adt_start_date": date(2026, 1, 2), "psa": 12.5}}
    stream = io.StringIO()
    write_csv([case], stream)
    row = next(csv.DictReader(io.StringIO(stream.getvalue())))
    assert row["adt_start_date"] == "2026-01-02" and row["psa"] == "12.5"


def test_jsonl_round_trip() -> None:
    cases = generate_prostate_list(400, seed=9)
    stream = io.StringIO()
    write_jsonl(cases, stream)
    lines = stream.getvalue().splitlines()
    assert len(lines) == len(cases)
    assert [json.loads(line) for line in lines] == cases


def test_empty_list_writes_only_the_csv_header() -> None:
    stream = io.StringIO()
    write_csv([], stream)
    assert stream.getvalue().count("\n") == 1
    jsonl = io.StringIO()
    write_jsonl([], jsonl)
    assert jsonl.getvalue() == ""
