"""`openmdt evaluate/triage --input-format fhir` on the external fixtures."""

from __future__ import annotations

import json

from fhir_builders import FHIR, bundle, ecog, patient, prostate_cancer
from typer.testing import CliRunner

from openmdt.cli import app

ANDY = FHIR / "synthea-r4-bundles" / "Andy_Schaden_d630c6ca-046c-470a-8f3a-4dbc3850e7ae.json"


def _run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, list(args), input=stdin)


def test_evaluate_a_synthea_bundle() -> None:
    result = _run("evaluate", str(ANDY), "--input-format", "fhir", "--as-of", "2026-12-05")
    assert result.exit_code == 0, result.output
    [line] = [ln for ln in result.stdout.splitlines() if ln.startswith("{")]
    data = json.loads(line)
    assert data["pack"]["id"] == "prostate-nice-ng131"
    assert data["triage"]["route"] == "not_ready"
    assert "psa" in data["triage"]["data_requests"]
    assert data["fhir"]["not_mapped"]


def test_evaluate_text_reports_the_conflict() -> None:
    text = bundle(patient(), prostate_cancer(), ecog("e1", 0, "2026-01-02"),
                  ecog("e2", 2, "2025-01-02"))
    result = _run("evaluate", "-", "--input-format", "fhir", "--format", "text",
                  "--as-of", "2026-12-05", stdin=text)
    assert result.exit_code == 0, result.output
    assert "FHIR CONFLICT: WHO performance status" in result.stdout


def test_invalid_fhir_exits_1_naming_the_entry() -> None:
    broken = ecog("e1", 1, "2026-01-02") | {"valueInteger": "x"}
    result = _run("evaluate", "-", "--input-format", "fhir", "--as-of", "2026-12-05",
                  stdin=bundle(patient(), prostate_cancer(), broken))
    assert result.exit_code == 1
    assert "entry[2].resource" in result.stderr


def test_triage_a_fhir_record() -> None:
    result = _run("triage", str(ANDY), "--input-format", "fhir", "--as-of", "2026-12-05",
                  "--format", "json")
    assert result.exit_code == 0, result.output
    agenda = json.loads(result.stdout)
    assert agenda["counts"]["not_ready"] == 1 and agenda["rejected"] == []
