"""`openmdt evaluate --jobs N` gives exactly the output of one process, in input order."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from openmdt import cli_parallel
from openmdt.cli import app
from openmdt.synth import generate_prostate_list


def _run(path: Path, jobs: int) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["evaluate", str(path), "--pack", "prostate-nice-ng131",
                                      "--as-of", "2026-11-27", "--jobs", str(jobs)])
    return result.exit_code, result.stdout


def test_parallel_output_equals_serial_output_with_bad_lines(tmp_path: Path,
                                                             monkeypatch) -> None:
    monkeypatch.setattr(cli_parallel, "CHUNK", 7)  # many chunk boundaries
    lines = [json.dumps(case) for case in generate_prostate_list(60, seed=4)]
    lines[5] = '{"case_id": "broken",'  # malformed JSON
    lines[20] = json.dumps({"case_id": "bad-psa", "facts": {"psa": -3}})
    lines[33] = lines[2]  # a duplicate case_id
    path = tmp_path / "list.jsonl"
    path.write_text("\n".join(lines) + "\n")
    serial_code, serial = _run(path, 1)
    parallel_code, parallel = _run(path, 3)
    assert serial_code == parallel_code == 1
    assert parallel == serial
    outputs = [json.loads(line) for line in parallel.splitlines()]
    assert len(outputs) == 60
    assert [o.get("line") for o in outputs if "error" in o] == [6, 21, 34]
    assert outputs[20]["error"]["code"] == "value_out_of_range"


def test_default_jobs_stay_serial_for_short_lists() -> None:
    assert cli_parallel.default_jobs(10) == 1
