"""`openmdt triage` (text, JSON, HTML agenda), `openmdt pack ...`, and --help everywhere."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from cli_helpers import (
    AS_OF,
    EXCLUDED,
    LOW_FIT,
    MINI,
    NOT_READY,
    case,
    invoke,
    run_process,
    write_jsonl,
)

from openmdt.cli import app
from openmdt.knowledge import shipped_pack_ids

SUMMARY = ("3 cases: 1 for full discussion, 1 not ready, 1 standard of care; estimated "
           "discussion time 4 minutes (4 min per case)")


@pytest.fixture()
def meeting(tmp_path: Path) -> Path:
    """One case per route, listed in the reverse of the agenda's order."""
    return write_jsonl(tmp_path / "meeting.jsonl", [
        case("soc-1", LOW_FIT), case("ready-1", NOT_READY), case("full-1", EXCLUDED)])


def test_triage_text_lists_sections_in_order_with_a_summary(meeting: Path) -> None:
    run = invoke("triage", str(meeting), "--pack", MINI, *AS_OF)
    assert run.exit_code == 0
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert lines == [
        "For full discussion (1)",
        "  full-1: Low group - watch: not used because not fit",
        "Not ready: data needed (1)",
        "  ready-1: needs score",
        "Standard of care: listed, not discussed (1)",
        "  soc-1: Low group - watch",
        SUMMARY]


def test_triage_minutes_per_case_changes_the_estimate(meeting: Path) -> None:
    run = invoke("triage", str(meeting), "--pack", MINI, *AS_OF, "--minutes-per-case", "7.5")
    assert run.stdout.splitlines()[-1].endswith(
        "estimated discussion time 7.5 minutes (7.5 min per case)")


def test_triage_json_is_the_agenda(meeting: Path) -> None:
    run = invoke("triage", str(meeting), "--pack", MINI, *AS_OF, "--format", "json")
    assert run.exit_code == 0
    agenda = json.loads(run.stdout)
    assert agenda["summary"] == SUMMARY
    assert agenda["counts"] == {"full_discussion": 1, "not_ready": 1, "standard_of_care": 1,
                                "rejected": 0}
    assert (agenda["minutes_per_case"], agenda["discussion_minutes"]) == (4, 4)
    assert list(agenda["sections"]) == ["full_discussion", "not_ready", "standard_of_care"]
    assert agenda["sections"]["not_ready"][0]["triage"]["data_requests"] == ["score"]
    assert agenda["rejected"] == []


def test_triage_rejected_cases_are_listed_and_exit_1(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "m.jsonl", [case("ok", LOW_FIT), "not json",
                                              case("bad", {"stage": "Z"})])
    run = invoke("triage", str(path), "--pack", MINI, *AS_OF)
    assert run.exit_code == 1
    assert "Rejected input (2)" in run.stdout
    assert "line 3: case bad: stage = 'Z' is not allowed" in run.stdout
    assert run.stdout.splitlines()[-1].endswith("; 2 rejected input(s)")


def test_triage_html_to_a_file_escapes_case_ids(tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>"
    path = write_jsonl(tmp_path / "m.jsonl", [case(evil, EXCLUDED), case("p&q", LOW_FIT)])
    target = tmp_path / "agenda.html"
    run = invoke("triage", str(path), "--pack", MINI, *AS_OF, "--format", "html",
                 "--output", str(target))
    assert run.exit_code == 0
    assert f"agenda written to {target}" in run.stdout
    html = target.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert evil not in html and "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "p&amp;q" in html
    assert "For full discussion (1)" in html and SUMMARY.replace("3 cases", "2 cases").replace(
        "1 not ready", "0 not ready") in html


def test_triage_as_a_process_from_stdin(meeting: Path) -> None:
    run = run_process("triage", "-", "--pack", MINI, *AS_OF,
                      stdin=meeting.read_text(encoding="utf-8"))
    assert run.exit_code == 0
    assert run.stdout.splitlines()[-1] == SUMMARY
    assert "Traceback" not in run.output


# -- pack list / check / test ---------------------------------------------------------------

def test_pack_list_shows_every_shipped_pack() -> None:
    # A child process with a wide terminal: at 80 columns the table wraps long ids.
    run = run_process("pack", "list")
    assert run.exit_code == 0
    for pack_id in shipped_pack_ids():
        assert pack_id in run.stdout


def test_pack_check_of_a_good_pack() -> None:
    run = invoke("pack", "check", MINI)
    assert run.exit_code == 0
    assert run.stdout.startswith("pack mini-test 0.1.0 (sha256:")
    assert run.stdout.rstrip().endswith("ok - 9 items, 2 derived facts, 1 decisions, "
                                        "1 Standards of Care, 0 conflict checks, 5 tests")


def _broken_copy(tmp_path: Path) -> Path:
    root = tmp_path / "broken"
    shutil.copytree(MINI, root)
    derive = root / "derive.yaml"
    derive.write_text(derive.read_text(encoding="utf-8").replace("score > high_score",
                                                                 "score > high_scor"))
    return root


def test_pack_check_of_a_broken_pack(tmp_path: Path) -> None:
    root = _broken_copy(tmp_path)
    run = invoke("pack", "check", str(root))
    assert run.exit_code == 2
    assert f"{root}/derive.yaml:16:23: error[unknown_name] derive.derived.group.table[1].when" \
           in run.stderr
    assert "(hint: did you mean 'high_score'?)" in run.stderr
    assert f"pack {root}: 1 error(s)" in run.stderr
    assert run.stdout == ""


def test_pack_test_passes_and_lists_with_verbose() -> None:
    run = invoke("pack", "test", MINI, "-v")
    assert run.exit_code == 0
    assert run.stdout.count("PASS ") == 5
    assert run.stdout.rstrip().endswith("5 passed, 0 failed")


def test_pack_test_exits_1_when_a_pack_test_fails(tmp_path: Path) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    (root / "tests" / "wrong.yaml").write_text(
        "tests:\n"
        "  - name: wrong expectation\n"
        "    facts: {score: 5, grade: 1, stage: A, fit: true, spread: false}\n"
        "    expect: {route: full_discussion, derived: {group: 2}}\n", encoding="utf-8")
    run = invoke("pack", "test", str(root))
    assert run.exit_code == 1
    assert "FAIL " in run.stdout and "wrong expectation" in run.stdout
    assert "route: expected 'full_discussion', got 'standard_of_care'" in run.stdout
    assert "derived.group: expected 2, got 1" in run.stdout
    assert run.stdout.count("PASS ") == 0  # passing tests are listed only with -v
    assert run.stdout.rstrip().endswith("5 passed, 1 failed")


def test_pack_test_of_a_broken_pack_exits_2(tmp_path: Path) -> None:
    run = invoke("pack", "test", str(_broken_copy(tmp_path)))
    assert run.exit_code == 2
    assert "error[unknown_name]" in run.stderr


# -- --help on every command ----------------------------------------------------------------

def _command_paths(command: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    subcommands = getattr(command, "commands", None)  # a group (Typer vendors its click)
    if subcommands:
        for name, sub in sorted(subcommands.items()):
            paths += _command_paths(sub, (*prefix, name))
    return paths


COMMAND_PATHS = _command_paths(typer.main.get_command(app))


def test_core_commands_exist() -> None:
    assert {("evaluate",), ("triage",), ("pack",), ("pack", "list"), ("pack", "check"),
            ("pack", "test")} <= set(COMMAND_PATHS)


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=lambda p: " ".join(p) or "openmdt")
def test_help_works_on_every_command(path: tuple[str, ...]) -> None:
    run = invoke(*path, "--help")
    assert run.exit_code == 0
    assert "Usage:" in run.stdout and "Traceback" not in run.output
