"""`openmdt cohort evaluate` with FHIR input: one typed row per Patient, every engine."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from fhir_builders import FHIR, bundle, ecog, patient, prostate_cancer, psa
from typer.testing import CliRunner

from openmdt.backends import evaluate_cohort
from openmdt.cli import app
from openmdt.interop.fhir_cases import evaluate_fhir
from openmdt.interop.fhir_cohort import (
    FhirCohort,
    case_table,
    evaluate_fhir_cohort,
    fhir_files,
    read_fhir_cohort,
)
from openmdt.interop.fhir_in import read_fhir_cases

AS_OF = date(2026, 12, 5)
BUNDLES = FHIR / "synthea-r4-bundles"
BULK = FHIR / "synthea-bulk-ndjson"
ANDY_ID = "9afe28dc-7ad5-4e90-b6a6-16123eae98c3"
AUSTIN_ID = "84afbe27-2a55-4f53-b1de-3513e21dae68"


def _cohort(tmp_path: Path, source: str, engine: str, *extra: str) -> tuple[int, str, Path]:
    output = tmp_path / f"{engine}.jsonl"
    result = CliRunner().invoke(app, ["cohort", "evaluate", source, "-o", str(output),
                                      "--engine", engine, "--as-of", AS_OF.isoformat(),
                                      *extra])
    return result.exit_code, result.output, output


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_synthea_bundles_give_one_row_per_patient_as_openmdt_evaluate_does(
        tmp_path, prostate_pack, engine) -> None:
    code, output, path = _cohort(tmp_path, str(BUNDLES / "*.json"), engine)
    assert code == 0, output
    rows = {row["case_id"]: row for row in _rows(path)}
    assert len(rows) == 3 and {ANDY_ID, AUSTIN_ID} <= set(rows)
    for bundle_path in sorted(BUNDLES.glob("*.json")):
        [outcome] = evaluate_fhir(bundle_path.read_text(encoding="utf-8"), prostate_pack,
                                  AS_OF, bundle_path.name).outcomes
        triage = outcome.evaluation.triage
        row = rows[outcome.evaluation.case_id]
        assert (row["route"], row["standard_of_care"], row["data_requests"]) == (
            triage.route, triage.standard_of_care, list(triage.data_requests))
    assert "psa" in rows[ANDY_ID]["data_requests"]  # the prostate patient has no PSA
    assert "psa" not in rows[AUSTIN_ID]["data_requests"]  # serial PSAs: the latest is used
    assert _rows(tmp_path / f"{engine}.errors.jsonl") == []
    # the conflict and what was not mapped are reported, per patient
    assert "FHIR CONFLICT: Diagnostic PSA" in output and f"case {AUSTIN_ID}" in output
    assert "3 patients read; 1 with conflicting values" in output
    report = {r["case_id"]: r for r in _rows(tmp_path / f"{engine}.fhir.jsonl")}
    assert report[AUSTIN_ID]["conflicts"][0]["item"] == "psa"
    assert report[ANDY_ID]["primary_cancer"] and report[ANDY_ID]["not_mapped"]
    assert report[None]["not_mapped"]  # resources about no patient are listed too


def test_a_bulk_export_in_several_ndjson_files_is_read_together(tmp_path) -> None:
    code, output, path = _cohort(tmp_path, str(BULK / "*.ndjson"), "duckdb",
                                 "--fhir-report", str(tmp_path / "read.jsonl"))
    assert code == 0, output
    [row] = _rows(path)
    assert row["case_id"] == "129c6ac7-8d06-89de-ad63-0204a93e76c3"
    [report] = _rows(tmp_path / "read.jsonl")
    # every Condition, Procedure and MedicationRequest in the other files is about the patient
    assert len(report["not_mapped"]) == 49 + 587 + 447
    assert report["warnings"]  # lung and breast cancer: not this pack's


def test_a_resource_that_does_not_validate_is_an_error_the_others_are_evaluated(
        tmp_path) -> None:
    broken = ecog("e1", 1, "2026-01-02") | {"status": 7, "valueInteger": "x"}
    lines = [patient(), prostate_cancer(), broken, psa("o1", 5, "2026-01-02"),
             patient("p2", "9990000026"), prostate_cancer("c2", "p2")]
    source = tmp_path / "cases.ndjson"
    source.write_text("\n".join(json.dumps(r) for r in lines) + "\n", encoding="utf-8")
    code, output, path = _cohort(tmp_path, str(source), "duckdb")
    assert code == 1, output
    assert [row["case_id"] for row in _rows(path)] == ["p1", "p2"]
    [error] = _rows(tmp_path / "duckdb.errors.jsonl")
    assert (error["row"], error["code"]) == (3, "invalid_fhir")
    assert f"{source}:3" in error["message"] and "Observation is not valid" in error["message"]


def test_a_value_outside_the_dictionary_is_refused_by_the_engine_with_the_item(
        tmp_path) -> None:
    source = tmp_path / "cases.json"
    source.write_text(bundle(patient(), prostate_cancer(), ecog("e1", 7, "2026-01-02")),
                      encoding="utf-8")
    code, output, _ = _cohort(tmp_path, str(source), "python")
    [error] = _rows(tmp_path / "python.errors.jsonl")
    assert code == 1 and error["case_id"] == "p1", output
    assert error["item"] == "who_performance_status" and error["value"] == "7"


def test_case_table_is_typed_by_the_data_dictionary(prostate_pack) -> None:
    read = read_fhir_cases(bundle(patient(), prostate_cancer(), psa("o1", 5, "2026-01-02"),
                                  ecog("e1", 1, "2026-01-02")), prostate_pack, AS_OF)
    table = case_table(prostate_pack, read.cases)
    assert table.schema.field("psa").type == pa.float64()
    assert table.schema.field("who_performance_status").type == pa.int64()
    assert table.to_pylist() == [{"case_id": "p1", "site": "prostate", "psa": 5.0,
                                  "who_performance_status": 1, "age": 70}]


def _soc_cohort(pack) -> FhirCohort:
    """A case on a Standard of Care whose WHO performance status the record gave twice."""
    test = next(t for t in pack.tests if t.expect.get("route") == "standard_of_care")
    conflicted = read_fhir_cases(bundle(patient(), prostate_cancer(),
                                        ecog("e1", 0, "2026-01-02"), ecog("e2", 2, "2025-01-02")),
                                 pack, AS_OF)
    [case] = conflicted.cases
    assert case.conflicts
    table = pa.Table.from_pylist([{"case_id": "p1", **test.case["facts"]}])
    return FhirCohort(table, conflicted)


@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_a_conflict_never_leaves_a_case_on_a_standard_of_care(prostate_pack, engine) -> None:
    cohort = _soc_cohort(prostate_pack)
    plain = evaluate_cohort(prostate_pack, cohort.cases, AS_OF, engine)
    assert plain.cases.column("route").to_pylist() == ["standard_of_care"]
    [row] = evaluate_fhir_cohort(prostate_pack, cohort, AS_OF, engine).cases.to_pylist()
    assert (row["route"], row["standard_of_care"]) == ("full_discussion", None)


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java")
def test_spark_reads_the_same_fhir_cases(prostate_pack) -> None:
    pytest.importorskip("pyspark")
    cohort = read_fhir_cohort(prostate_pack, fhir_files(str(BUNDLES / "*.json")), AS_OF)
    spark = evaluate_fhir_cohort(prostate_pack, cohort, AS_OF, "spark", master="local[1]")
    duck = evaluate_fhir_cohort(prostate_pack, cohort, AS_OF, "duckdb")
    key = "case_id"
    assert spark.cases.sort_by(key).to_pylist() == duck.cases.sort_by(key).to_pylist()
    conflicted = _soc_cohort(prostate_pack)
    [row] = evaluate_fhir_cohort(prostate_pack, conflicted, AS_OF, "spark",
                                 master="local[1]").cases.to_pylist()
    assert row["route"] == "full_discussion"


def test_fhir_is_told_apart_from_a_case_list(tmp_path) -> None:
    records = tmp_path / "cases.jsonl"
    records.write_text(json.dumps({"case_id": "A", "facts": {"psa": 5.0}}) + "\n",
                       encoding="utf-8")
    assert fhir_files(str(records)) == []
    assert fhir_files(str(BULK / "*.ndjson")) == sorted(BULK.glob("*.ndjson"))
    assert fhir_files(str(BUNDLES / "Andy*.json")) == sorted(BUNDLES.glob("Andy*.json"))
    code, output, _ = _cohort(tmp_path, str(records), "duckdb", "--input-format", "fhir")
    assert code == 1 and "no FHIR input there" in output
