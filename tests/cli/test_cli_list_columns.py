"""The command line checks a CSV list's header once: a misspelled column is one message with
"did you mean", not one refused row per case; case and surrounding spaces are ignored."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from openmdt.cli import app

HEADER_TYPO = ("case_id,site,psa,ages,pathway_point\n"
               "A1,prostate,5,70,new_diagnosis\nA2,prostate,7,71,new_diagnosis\n")
SPACED = "case_id,site, PSA ,Age,pathway_point\nA1,prostate,5,70,new_diagnosis\n"


def _run(tmp_path: Path, text: str, *args: str):
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(app, [*args, str(path), "--as-of", "2026-01-01"])


def test_a_misspelled_column_is_said_once_and_nothing_is_evaluated(tmp_path: Path) -> None:
    for command in ("evaluate", "triage"):
        result = _run(tmp_path, HEADER_TYPO, command)
        assert result.exit_code == 1, result.output
        assert result.stderr.count("'ages'") == 1
        assert "did you mean 'age'?" in result.stderr
        assert '"case_id"' not in result.stdout


def test_columns_match_ignoring_case_and_surrounding_spaces(tmp_path: Path) -> None:
    result = _run(tmp_path, SPACED, "evaluate", "--pack", "prostate-nice-ng131")
    assert result.exit_code == 0, result.output
    assert '"psa"' not in result.stdout.split('"data_requests"')[1].split("]")[0]
