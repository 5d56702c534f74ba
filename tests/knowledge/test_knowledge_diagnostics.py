"""Pack diagnostics: every problem of a broken pack comes back at once, precisely placed.

The expected output is kept in golden files (``golden/*.txt``: ``Diagnostic.format()`` lines
with the pack folder replaced by ``<PACK>``). After a deliberate change of wording, rewrite
them with ``OPENMDT_UPDATE_GOLDEN=1 pytest tests/knowledge`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from knowledge_helpers import GOLDEN, formatted, pack_from_mini

from openmdt.knowledge import Diagnostic, PackLoadError, check_pack, load_pack

BROKEN_DECISION = """\
id: plan
title: Plan
applies_when: not spread
candidates:
  - id: watch
    title: Watch
    arguments:
      - {id: watch_low, polarity: for, weight: 2, when: gorup == 1, text: Low, source: T1 1.1}
      - {id: watch_unfit, polarity: for, when: not fit, text: Not fit, source: T1 1.2}
      - {id: watch_high, polarity: excluding, when: group == 3, text: High, source: T1 1.3}
  - id: treat
    title: Treat
    arguments:
      - {id: treat_mid, polarity: for, when: group >= 2, text: Mid or high, source: T1 2.1}
      - {id: treat_mid, polarity: against, when: "stage > 2", text: Unfit, source: T1 2.2}
      - id: treat_c
        polarity: agianst
        when: stage == "C" and fit
        text: Stage C fit
        source: T1 2.3
  - id: treat
    title: Treat again
    arguments:
      - id: treat_again
        polarity: for
        wieght: 2
        when: fit
        text: Fit
  - id: never
    title: Never
    arguments:
      - {id: never_against, polarity: against, when: fit, text: Fit, source: T1 3.1}
  - id: torn
    title: Torn
    arguments:
      - {id: torn_yes, polarity: confirming, when: fit, text: Fit, source: T1 4.1}
      - {id: torn_no, polarity: excluding, when: fit, text: Fit, source: T1 4.2}
"""
DERIVED_LOOP = """\
  loop_a:
    type: integer
    expr: loop_b + 1
  loop_b:
    type: integer
    expr: loop_a + 1
"""
BROKEN_STANDARDS = """\
standards:
  - id: low_watch
    title: Low group - watch
    decision: plan
    option: watch
    when: group == 1
    source: local policy
  - id: low_watch
    title: The same id again
    decision: plan
    option: watch
    source: local policy
  - id: no_decision
    decision: plna
    option: watch
    source: local policy
  - id: no_option
    decision: plan
    option: wach
    source: local policy
never_streamline:
  - id: spread
    when: spread
    reason: Spread disease is always discussed
    source: T1 9
"""
BAD_YAML_DATA = """\
items:
  score:
    type: number
   min: 0
"""
BAD_YAML_STANDARDS = """\
standards: [
  {id: a, decision: plan
"""


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Diagnostic]]:
    root = pack_from_mini(tmp_path_factory.mktemp("broken") / "broken",
                          replace={"decisions/plan.yaml": BROKEN_DECISION,
                                   "standards.yaml": BROKEN_STANDARDS},
                          append={"derive.yaml": DERIVED_LOOP})
    pack, diagnostics = check_pack(root)
    assert pack is None
    return root, diagnostics


@pytest.fixture(scope="module")
def bad_yaml(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Diagnostic]]:
    root = pack_from_mini(tmp_path_factory.mktemp("yaml") / "bad-yaml",
                          replace={"data.yaml": BAD_YAML_DATA,
                                   "standards.yaml": BAD_YAML_STANDARDS})
    pack, diagnostics = check_pack(root)
    assert pack is None
    return root, diagnostics


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("OPENMDT_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def find(diagnostics: list[Diagnostic], code: str, path: str) -> Diagnostic:
    matches = [d for d in diagnostics if d.code == code and d.path == path]
    assert len(matches) == 1, [d.format() for d in diagnostics]
    return matches[0]


def test_broken_pack_matches_golden(broken: tuple[Path, list[Diagnostic]]) -> None:
    root, diagnostics = broken
    assert_golden("broken_pack.txt", formatted(diagnostics, root))


def test_invalid_yaml_matches_golden(bad_yaml: tuple[Path, list[Diagnostic]]) -> None:
    root, diagnostics = bad_yaml
    assert_golden("invalid_yaml.txt", formatted(diagnostics, root))


def test_every_problem_comes_back_at_once(broken: tuple[Path, list[Diagnostic]]) -> None:
    _, diagnostics = broken
    codes = {d.code for d in diagnostics}
    assert codes >= {"unknown_name", "type_mismatch", "derived_cycle", "duplicate_id",
                     "candidate_never_recommended", "unknown_decision", "unknown_option",
                     "missing_source", "unknown_key", "value_not_allowed", "argument_conflict"}
    duplicates = sorted(d.path for d in diagnostics if d.code == "duplicate_id")
    assert duplicates == ["plan.candidates[1].arguments[1].id", "plan.candidates[2].id",
                          "standards[1].id"]


def test_unknown_name_has_place_and_did_you_mean(broken: tuple[Path, list[Diagnostic]]) -> None:
    root, diagnostics = broken
    found = find(diagnostics, "unknown_name", "plan.candidates[0].arguments[0].when")
    assert Path(found.file) == root / "decisions" / "plan.yaml"
    # Line 8; 'gorup' starts at column 57 of that line.
    assert (found.line, found.column) == (8, 57)
    assert found.hint == "did you mean 'group'?"
    assert found.severity == "error"


def test_type_error_in_quoted_expression_points_inside_the_quotes(
        broken: tuple[Path, list[Diagnostic]]) -> None:
    _, diagnostics = broken
    found = find(diagnostics, "type_mismatch", "plan.candidates[1].arguments[1].when")
    line = BROKEN_DECISION.splitlines()[found.line - 1]
    assert found.line == 15
    assert line[found.column - 1:].startswith("stage > 2")


def test_wrong_polarity_suggests_the_right_one(broken: tuple[Path, list[Diagnostic]]) -> None:
    _, diagnostics = broken
    found = find(diagnostics, "value_not_allowed", "plan.candidates[1].arguments[2].polarity")
    assert (found.line, found.column) == (17, 19)
    assert found.hint == "did you mean 'against'?"


def test_typo_key_is_an_unknown_key_with_a_hint(broken: tuple[Path, list[Diagnostic]]) -> None:
    _, diagnostics = broken
    found = find(diagnostics, "unknown_key", "plan.candidates[2].arguments[0].wieght")
    assert (found.line, found.column) == (26, 17)
    assert found.hint == "did you mean 'weight'?"


def test_standard_of_care_naming_what_does_not_exist(
        broken: tuple[Path, list[Diagnostic]]) -> None:
    root, diagnostics = broken
    decision = find(diagnostics, "unknown_decision", "standards[2].decision")
    assert Path(decision.file) == root / "standards.yaml"
    assert (decision.line, decision.column, decision.hint) == (14, 15, "did you mean 'plan'?")
    option = find(diagnostics, "unknown_option", "standards[3].option")
    assert (option.line, option.column, option.hint) == (19, 13, "did you mean 'watch'?")


def test_cycle_names_the_facts_in_it(broken: tuple[Path, list[Diagnostic]]) -> None:
    root, diagnostics = broken
    cycle = [d for d in diagnostics if d.code == "derived_cycle"]
    assert len(cycle) == 1
    assert Path(cycle[0].file) == root / "derive.yaml"
    assert "loop_a -> loop_b -> loop_a" in cycle[0].message


def test_conflicting_forcing_arguments_are_a_warning(
        broken: tuple[Path, list[Diagnostic]]) -> None:
    _, diagnostics = broken
    found = find(diagnostics, "argument_conflict", "plan.candidates[4]")
    assert found.severity == "warning"


def test_invalid_yaml_in_several_files_is_all_reported(
        bad_yaml: tuple[Path, list[Diagnostic]]) -> None:
    root, diagnostics = bad_yaml
    assert [d.code for d in diagnostics] == ["invalid_yaml", "invalid_yaml"]
    assert [Path(d.file).name for d in diagnostics] == ["data.yaml", "standards.yaml"]
    assert (diagnostics[0].line, diagnostics[0].column) == (4, 4)


def test_load_pack_raises_with_the_same_diagnostics(
        broken: tuple[Path, list[Diagnostic]]) -> None:
    root, diagnostics = broken
    with pytest.raises(PackLoadError) as caught:
        load_pack(root)
    assert caught.value.diagnostics == diagnostics
    errors = sum(1 for d in diagnostics if d.severity == "error")
    assert str(caught.value) == f"pack {root} has {errors} error(s)"


def test_unknown_pack_is_one_diagnostic(tmp_path: Path) -> None:
    pack, diagnostics = check_pack(tmp_path / "nowhere")
    assert pack is None
    assert [d.code for d in diagnostics] == ["pack_not_found"]


def test_diagnostic_format_and_dict() -> None:
    diagnostic = Diagnostic("p/data.yaml", "data.items.x", 3, 7, "unknown_key", "bad", "fix it")
    assert diagnostic.format() == ("p/data.yaml:3:7: error[unknown_key] data.items.x: bad "
                                   "(hint: fix it)")
    assert diagnostic.to_dict() == {"file": "p/data.yaml", "path": "data.items.x", "line": 3,
                                    "column": 7, "code": "unknown_key", "message": "bad",
                                    "hint": "fix it", "severity": "error"}


def test_diagnostic_without_a_yaml_path_formats_without_one() -> None:
    diagnostic = Diagnostic("p/pack.yaml", "", 1, 1, "invalid_yaml", "invalid YAML: x")
    assert diagnostic.format() == "p/pack.yaml:1:1: error[invalid_yaml] invalid YAML: x"


def test_standard_of_care_codes_must_be_cosd_codes(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "mini"
    shutil.copytree(Path(__file__).resolve().parent.parent / "engine" / "packs" / "mini", root)
    standards = root / "standards.yaml"
    standards.write_text(standards.read_text(encoding="utf-8").replace(
        'care_plan_intent: C', 'care_plan_intent: Q').replace('["11"]', '["11", "42"]'),
        encoding="utf-8")
    _, diagnostics = check_pack(root)
    intent = find(diagnostics, "value_not_allowed", "standards[0].care_plan_intent")
    assert "not a COSD CR0460 code" in intent.message and "C (Curative)" in intent.message
    types = find(diagnostics, "value_not_allowed", "standards[0].planned_treatment_types")
    assert "'42' is not a COSD CR0470 code" in types.message


def test_agenda_filters_name_items_or_derived_facts(tmp_path: Path) -> None:
    folder = pack_from_mini(tmp_path / "pack", append={"pack.yaml": "agenda_filters: [grop]\n"})
    with pytest.raises(PackLoadError) as caught:
        load_pack(str(folder))
    messages = [d.format() for d in caught.value.diagnostics]
    assert any("agenda_filters" in m and "'grop' is not an item or derived fact" in m
               for m in messages), messages


def test_shipped_prostate_pack_filters_the_agenda_by_its_risk_group() -> None:
    assert load_pack("prostate-nice-ng131").agenda_filters == ("cpg",)
    assert load_pack("example-alliance-prostate").agenda_filters == ("cpg",)  # inherited
