"""`openmdt demo --site breast` runs the main job on a synthetic breast list (issue 13)."""

from __future__ import annotations

import csv
from pathlib import Path

from cli_helpers import invoke


def test_demo_runs_a_breast_list_with_the_breast_pack(tmp_path: Path) -> None:
    run = invoke("demo", "--site", "breast", "--n", "15", "--seed", "4", "--no-serve",
                 "--output-dir", str(tmp_path))
    assert run.exit_code == 0, run.output
    rows = list(csv.DictReader((tmp_path / "breast-mdt-15.csv").open(encoding="utf-8")))
    assert len(rows) == 15 and {row["site"] for row in rows} == {"breast"}
    agenda = (tmp_path / "agenda.html").read_text(encoding="utf-8")
    assert "Synthetic breast MDT" in agenda
    assert "15 cases" in run.stdout


def test_demo_refuses_a_site_without_a_pack(tmp_path: Path) -> None:
    run = invoke("demo", "--site", "lung", "--no-serve", "--output-dir", str(tmp_path))
    assert run.exit_code == 2
    assert not list(tmp_path.iterdir())
