"""`openmdt evaluate --jobs N` gives exactly the output of one process, in input order."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openmdt.cli import app
from openmdt.cli import parallel as cli_parallel
from openmdt.knowledge import load_pack
from openmdt.synth import generate_prostate_list

AS_OF = date(2026, 11, 27)


def _list_with_bad_lines(count: int = 60) -> list[str]:
    lines = [json.dumps(case) for case in generate_prostate_list(count, seed=4)]
    lines[5] = '{"case_id": "broken",'  # malformed JSON
    lines[20] = json.dumps({"case_id": "bad-psa", "facts": {"psa": -3}})
    lines[33] = lines[2]  # a case_id used before, in another chunk
    lines[34] = lines[33]  # and again, in the same chunk
    lines[40] = "[1, 2]"  # not an object
    lines[41] = ""  # a blank line is skipped
    lines[50] = json.dumps({"facts": {}})  # no case_id
    return lines


def _serial(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["evaluate", str(path), "--pack", "prostate-nice-ng131",
                                      "--as-of", AS_OF.isoformat(), "--jobs", "1"])
    return result.exit_code, result.stdout


@pytest.mark.parametrize("jobs", [2, 3])
def test_workers_write_exactly_the_serial_output(tmp_path: Path, monkeypatch,
                                                 jobs: int) -> None:
    monkeypatch.setattr(cli_parallel, "CHUNK", 7)  # many chunk boundaries and turns
    lines = _list_with_bad_lines()
    path = tmp_path / "list.jsonl"
    path.write_text("\n".join(lines) + "\n")
    serial_code, serial = _serial(path)
    output = tmp_path / "out.jsonl"
    with output.open("wb") as handle:
        rejected = cli_parallel.evaluate_jsonl_in_parallel(
            path.read_text(), str(path), load_pack("prostate-nice-ng131"), AS_OF, jobs,
            handle.fileno())
    assert serial_code == 1 and rejected
    assert output.read_text() == serial
    outputs = [json.loads(line) for line in serial.splitlines()]
    assert len(outputs) == 59  # the blank line gives nothing
    errors = {o["line"]: o["error"]["code"] for o in outputs if "error" in o}
    assert errors == {6: "invalid_json", 21: "value_out_of_range", 34: "duplicate_case_id",
                      35: "duplicate_case_id", 41: "wrong_shape", 51: "missing_case_id"}
    assert "already used on line 3" in outputs[33]["error"]["message"]


def test_the_command_with_jobs_writes_the_serial_output(tmp_path: Path) -> None:
    path = tmp_path / "list.jsonl"
    path.write_text("\n".join(_list_with_bad_lines(300)) + "\n")
    serial_code, serial = _serial(path)
    command = [sys.executable, "-c", "from openmdt.cli import main; main()", "evaluate",
               str(path), "--pack", "prostate-nice-ng131", "--as-of", AS_OF.isoformat(),
               "--jobs", "2"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == serial_code == 1, run.stderr
    assert run.stdout == serial
    assert run.stderr == ""


def test_default_jobs_stay_serial_for_short_lists() -> None:
    assert cli_parallel.default_jobs(10) == 1


def _never_finishes(task: object) -> bool:
    import time

    time.sleep(30)  # stands for a worker that was killed: its chunk never comes back
    return False


def test_a_worker_that_never_finishes_is_an_error_not_a_hang(tmp_path: Path,
                                                            monkeypatch) -> None:
    monkeypatch.setattr(cli_parallel, "_evaluate_and_write", _never_finishes)
    monkeypatch.setattr(cli_parallel, "CHUNK_TIMEOUT_S", 0.5)
    output = tmp_path / "out.jsonl"
    with output.open("wb") as handle, pytest.raises(RuntimeError, match="worker"):
        cli_parallel.evaluate_jsonl_in_parallel(
            "\n".join(_list_with_bad_lines()), "list.jsonl", load_pack("prostate-nice-ng131"),
            AS_OF, 2, handle.fileno())


def test_other_formats_and_standard_input_give_the_serial_output_with_jobs(
        tmp_path: Path) -> None:
    """A CSV list stays in one process; JSONL on standard input is spread like a file."""
    cases = generate_prostate_list(40, seed=6)
    jsonl = "\n".join(json.dumps(case) for case in cases) + "\n"
    csv_path = tmp_path / "list.csv"
    names = sorted({name for case in cases for name in case["facts"]})
    def cell(value: object) -> str:
        return "" if value is None else str(value).lower()

    rows = ["case_id," + ",".join(names)] + [
        case["case_id"] + "," + ",".join(cell(case["facts"].get(n)) for n in names)
        for case in cases]
    csv_path.write_text("\n".join(rows) + "\n")
    base = [sys.executable, "-c", "from openmdt.cli import main; main()", "evaluate"]
    options = ["--pack", "prostate-nice-ng131", "--as-of", AS_OF.isoformat()]
    for source, stdin in ((str(csv_path), None), ("-", jsonl)):
        outputs = [subprocess.run([*base, source, *options, "--jobs", jobs], input=stdin,
                                  capture_output=True, text=True, timeout=120, check=False)
                   for jobs in ("1", "2")]
        assert outputs[0].returncode == outputs[1].returncode == 0, outputs[1].stderr
        assert outputs[0].stdout == outputs[1].stdout
        assert len(outputs[0].stdout.splitlines()) == 40
