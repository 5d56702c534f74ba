"""Every bad input of the corpus gives an error line and exit 1 on the command line; the good
case beside it is still evaluated; nothing crashes (exit 3)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "cli"))
from cli_helpers import invoke, run_process  # noqa: E402
from corpus_files import GOOD_CASE, corpus_files, expected_code, read_text  # noqa: E402

AS_OF = ["--as-of", "2026-01-01"]


def _with_good_case(path: Path, tmp_path: Path) -> Path:
    if path.suffix == ".csv":
        return path
    target = tmp_path / path.name
    target.write_text(read_text(path) + GOOD_CASE + "\n", encoding="utf-8")
    return target


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_a_bad_input_is_an_error_line_and_exit_1(path: Path, tmp_path: Path) -> None:
    given = _with_good_case(path, tmp_path)
    run = invoke("evaluate", str(given), *AS_OF)
    assert run.exit_code == 1, run.output
    lines = run.json_lines()
    assert lines[0]["error"]["code"] == expected_code(path), lines[0]
    if path.suffix != ".csv":
        assert lines[-1]["case_id"] == "GOOD-1" and "error" not in lines[-1]
    text = invoke("evaluate", str(given), *AS_OF, "--format", "text")
    assert text.exit_code == 1, text.output


def test_the_whole_corpus_in_one_real_process(tmp_path: Path) -> None:
    lines = [read_text(p).strip() for p in corpus_files() if p.suffix == ".jsonl"]
    given = tmp_path / "all.jsonl"
    given.write_text("\n".join([*lines, GOOD_CASE]) + "\n", encoding="utf-8")
    run = run_process("evaluate", str(given), *AS_OF)
    assert run.exit_code == 1, run.stderr
    out = run.json_lines()
    assert [o.get("error", {}).get("code") for o in out[:-1]] == [
        expected_code(p) for p in corpus_files() if p.suffix == ".jsonl"]
    assert out[-1]["case_id"] == "GOOD-1"
    triage = run_process("triage", str(given), *AS_OF)
    assert triage.exit_code == 1 and "internal error" not in triage.stderr
