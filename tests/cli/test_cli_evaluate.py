"""`openmdt evaluate`: one JSON object per case, errors in line, exit statuses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
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


@pytest.fixture()
def mixed_list(tmp_path: Path) -> Path:
    """Five lines: good, bad value, malformed JSON, good, unknown item."""
    return write_jsonl(tmp_path / "list.jsonl", [
        case("a", LOW_FIT), case("b", {"score": "sixty"}), '{"case_id": "c", ',
        case("d", NOT_READY), case("e", {"scroe": 5})])


def test_single_json_case_gives_exactly_one_json_object(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case("a", LOW_FIT), indent=2), encoding="utf-8")
    run = invoke("evaluate", str(path), "--pack", MINI, *AS_OF)
    assert run.exit_code == 0
    assert len(run.stdout.splitlines()) == 1
    [output] = run.json_lines()
    assert output["case_id"] == "a" and output["triage"]["route"] == "standard_of_care"
    assert output["as_of"] == "2026-01-01"
    assert run.stderr == ""


def test_jsonl_gives_one_line_per_case_in_input_order_with_errors_in_place(
        mixed_list: Path) -> None:
    run = invoke("evaluate", str(mixed_list), "--pack", MINI, *AS_OF)
    assert run.exit_code == 1
    lines = run.json_lines()
    assert [line.get("case_id") for line in lines] == ["a", "b", None, "d", "e"]
    assert [line["triage"]["route"] for line in lines if "triage" in line] == [
        "standard_of_care", "not_ready"]
    bad, malformed, unknown = lines[1], lines[2], lines[4]
    assert set(bad) == {"case_id", "line", "error"}
    assert bad["line"] == 2
    assert {"code", "message", "path"} <= set(bad["error"])
    assert (bad["error"]["code"], bad["error"]["path"]) == ("wrong_type", "facts.score")
    assert (malformed["line"], malformed["error"]["code"]) == (3, "invalid_json")
    assert (unknown["line"], unknown["error"]["code"]) == (5, "unknown_item")
    assert "did you mean 'score'?" in unknown["error"]["message"]


def test_csv_gives_one_line_per_row_in_input_order(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("case_id,score,grade,stage,fit,spread\n"
                    "r1,5,1,A,yes,no\n"
                    "r2,,1,A,yes,no\n"
                    "r3,5,1,A,no,no\n", encoding="utf-8")
    run = invoke("evaluate", str(path), "--pack", MINI, *AS_OF)
    assert run.exit_code == 0
    routes = [(line["case_id"], line["triage"]["route"]) for line in run.json_lines()]
    assert routes == [("r1", "standard_of_care"), ("r2", "not_ready"),
                      ("r3", "full_discussion")]


def test_dash_reads_standard_input() -> None:
    text = json.dumps(case("s1", LOW_FIT)) + "\n" + json.dumps(case("s2", EXCLUDED)) + "\n"
    run = invoke("evaluate", "-", "--pack", MINI, *AS_OF, stdin=text)
    assert run.exit_code == 0
    assert [line["case_id"] for line in run.json_lines()] == ["s1", "s2"]


def test_text_format_is_readable(mixed_list: Path) -> None:
    run = invoke("evaluate", str(mixed_list), "--pack", MINI, *AS_OF, "--format", "text")
    assert run.exit_code == 1
    assert "a  route: standard of care (Low group - watch)" in run.stdout
    assert "Plan [provisional]: none; missing: score" in run.stdout
    assert "line 2: case b: score = 'sixty' is not a number" in run.stdout
    assert "{" not in run.stdout.split("line 3")[0].splitlines()[0]


def test_broken_pack_prints_every_diagnostic_on_stderr(tmp_path: Path, mixed_list: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(MINI, broken)
    plan = broken / "decisions" / "plan.yaml"
    text = plan.read_text(encoding="utf-8").replace("group == 1", "gorup == 1")
    plan.write_text(text.replace("polarity: against", "polarity: agianst"), encoding="utf-8")
    run = invoke("evaluate", str(mixed_list), "--pack", str(broken), *AS_OF)
    assert run.exit_code == 2
    assert run.stdout == ""
    assert "error[unknown_name]" in run.stderr and "did you mean 'group'?" in run.stderr
    assert "error[value_not_allowed]" in run.stderr and "plan.yaml:15:" in run.stderr
    assert "has 2 error(s)" in run.stderr


def test_unknown_pack_is_a_clear_error() -> None:
    run = invoke("evaluate", "-", "--pack", "no-such-pack", stdin="{}")
    assert run.exit_code == 2
    assert "error[pack_not_found]" in run.stderr


def test_bad_as_of_is_a_clear_error(mixed_list: Path) -> None:
    run = invoke("evaluate", str(mixed_list), "--pack", MINI, "--as-of", "2026-13-01")
    assert run.exit_code == 2
    assert "--as-of '2026-13-01' is not a date (YYYY-MM-DD)" in run.stderr
    assert run.stdout == ""


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    run = invoke("evaluate", str(tmp_path / "absent.jsonl"), "--pack", MINI, *AS_OF)
    assert run.exit_code == 2
    assert "cannot read" in run.stderr


def test_case_without_site_uses_the_only_shipped_guideline(monkeypatch) -> None:
    # one base pack shipped: a list with no site column means that guideline
    from openmdt.engine import batch
    from openmdt.knowledge import load_pack

    monkeypatch.setattr(batch, "_only_base_pack", lambda: load_pack("prostate-nice-ng131"))
    facts = {"psa": 10, "grade_group": 1, "t_stage": "T2"}
    run = invoke("evaluate", "-", *AS_OF, stdin=json.dumps({"case_id": "x", "facts": facts}))
    assert run.exit_code == 0
    [line] = run.json_lines()
    assert (line["pack"]["id"], line["derived"]["cpg"]) == ("prostate-nice-ng131", 2)


def test_case_without_site_is_rejected_now_that_two_sites_are_shipped() -> None:
    # prostate and breast are shipped: a case without a site is never guessed into one
    facts = {"psa": 10, "grade_group": 1, "t_stage": "T2"}
    run = invoke("evaluate", "-", *AS_OF, stdin=json.dumps({"case_id": "x", "facts": facts}))
    assert run.exit_code == 1
    [line] = run.json_lines()
    assert line["error"]["code"] == "no_pack"


def test_each_case_of_a_mixed_list_goes_to_its_own_site_pack() -> None:
    lines = [{"case_id": "p", "site": "prostate", "facts": {"psa": 10, "grade_group": 1,
                                                              "t_stage": "T2"}},
             {"case_id": "b", "site": "breast", "facts": {"t_stage": "T2", "n_stage": "N0",
                                                            "m_stage": "M0"}}]
    run = invoke("evaluate", "-", *AS_OF, stdin="\n".join(json.dumps(x) for x in lines))
    out = {line["case_id"]: line for line in run.json_lines()}
    assert out["p"]["pack"]["id"] == "prostate-nice-ng131"
    assert (out["b"]["pack"]["id"], out["b"]["derived"]["stage_group"]) == (
        "breast-nice-ng101", "IIA")


def test_a_breast_case_given_to_the_prostate_pack_is_refused() -> None:
    data = {"case_id": "b", "site": "breast", "facts": {"age": 60}}
    run = invoke("evaluate", "-", "--pack", "prostate-nice-ng131", *AS_OF,
                 stdin=json.dumps(data))
    assert run.exit_code == 1
    assert run.json_lines()[0]["error"]["code"] == "site_mismatch"


def test_case_without_site_is_rejected_when_several_guidelines_are_shipped(
        monkeypatch) -> None:
    from openmdt.engine import batch

    monkeypatch.setattr(batch, "_only_base_pack", lambda: None)
    run = invoke("evaluate", "-", *AS_OF, stdin=json.dumps(case("x", LOW_FIT)))
    assert run.exit_code == 1
    [line] = run.json_lines()
    assert line["error"]["code"] == "no_pack"


def test_case_with_unknown_site_is_rejected() -> None:
    data = {**case("x", LOW_FIT), "site": "nowhere"}
    run = invoke("evaluate", "-", *AS_OF, stdin=json.dumps(data))
    assert run.exit_code == 1
    assert run.json_lines()[0]["error"]["code"] == "unknown_site"


# -- as a user runs it: a child process, no traceback ever ----------------------------------

def test_process_evaluate_jsonl_from_stdin(mixed_list: Path) -> None:
    run = run_process("evaluate", "-", "--pack", MINI, *AS_OF,
                      stdin=mixed_list.read_text(encoding="utf-8"))
    assert run.exit_code == 1
    lines = run.json_lines()
    assert [line.get("line") for line in lines] == [None, 2, 3, None, 5]
    assert "Traceback" not in run.output


# Each child process costs seconds (imports), so only a few representative failures run here;
# the same failures run in-process above, where an escaping exception fails the test.
@pytest.mark.parametrize("args", [
    ["evaluate", "-", "--pack", MINI, "--as-of", "yesterday"],
    ["evaluate", "-", "--pack", "/nonexistent/pack"],
    ["no-such-command"],
], ids=["bad-as-of", "missing-pack", "unknown-command"])
def test_process_bad_invocations_never_show_a_traceback(args: list[str]) -> None:
    run = run_process(*args, stdin='{"case_id": "x", "facts": {}}\n')
    assert run.exit_code == 2, run.output
    assert "Traceback" not in run.output
    assert run.stderr.strip()


@pytest.mark.parametrize("args", [
    ["evaluate", "-", "--pack", MINI, "--format", "pdf"],
    ["triage", "-", "--pack", MINI, "--minutes-per-case", "0"],
    ["evaluate"],
], ids=["bad-format", "bad-minutes", "no-file"])
def test_bad_options_are_usage_errors(args: list[str]) -> None:
    run = invoke(*args, stdin="")
    assert run.exit_code == 2
    assert "Usage" in run.output and "Traceback" not in run.output


def test_text_output_uses_the_packs_words_not_ids(tmp_path) -> None:
    import json as _json

    from openmdt.synth import generate_prostate_list

    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(_json.dumps(c) for c in generate_prostate_list(40, seed=3)),
                    encoding="utf-8")
    run = invoke("evaluate", str(path), "--as-of", "2026-11-27", "--format", "text")
    assert "Cambridge Prognostic Group:" in run.stdout
    for raw in ("cpg=", "metastatic=", "=False", "=True", "needs_cpg", "localised_treatment [",
                "acinar_adenocarcinoma", "route: full_discussion"):
        assert raw not in run.stdout, raw
    agenda = invoke("triage", str(path), "--as-of", "2026-11-27")
    assert "needs m_stage" not in agenda.stdout and "fit_for_radical_treatment" not in agenda.stdout
