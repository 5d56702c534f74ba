"""The `synth` Typer sub-app, mounted here on a local app as the main CLI will mount it."""

import csv
import io
import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from openmdt.synth.cli import synth_app


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(synth_app, name="synth")
    return app


def test_default_list_is_90_csv_rows_on_stdout() -> None:
    result = CliRunner().invoke(_app(), ["synth", "prostate"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 90
    assert rows[0]["case_id"] == "PR-0001"


def test_same_seed_same_output_different_seed_different() -> None:
    runner = CliRunner()
    first = runner.invoke(_app(), ["synth", "prostate", "--n", "30", "--seed", "7"]).stdout
    again = runner.invoke(_app(), ["synth", "prostate", "--n", "30", "--seed", "7"]).stdout
    other = runner.invoke(_app(), ["synth", "prostate", "--n", "30", "--seed", "8"]).stdout
    assert first == again != other


def test_jsonl_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "list.jsonl"
    result = CliRunner().invoke(
        _app(), ["synth", "prostate", "--n", "12", "--seed", "3", "--format", "jsonl",
                 "--output", str(target), "--as-of", "2025-06-30"])
    assert result.exit_code == 0, result.output
    cases = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [case["case_id"] for case in cases] == [f"PR-{i:04d}" for i in range(1, 13)]
    assert all(case["site"] == "prostate" for case in cases)


def test_bad_format_and_negative_n_are_refused() -> None:
    runner = CliRunner()
    assert runner.invoke(_app(), ["synth", "prostate", "--format", "xml"]).exit_code != 0
    assert runner.invoke(_app(), ["synth", "prostate", "--n", "-1"]).exit_code != 0
