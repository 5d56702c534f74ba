"""`pack check` foresees a confirming and an excluding argument that can hold together."""

from __future__ import annotations

import re
from pathlib import Path

from knowledge_helpers import MINI, pack_from_mini

from openmdt.knowledge import check_pack


def _conflicts(root: Path) -> list:
    pack, diagnostics = check_pack(root)
    assert pack is not None  # a warning does not stop the pack loading
    return [d for d in diagnostics if d.code == "argument_conflict"]


def test_the_mini_pack_has_no_foreseeable_conflict() -> None:
    assert _conflicts(MINI) == []


def test_overlapping_conditions_are_found_with_an_example_case(tmp_path: Path) -> None:
    # "treat" is confirmed for stage C and fit; excluding it above score 20 overlaps with that
    root = pack_from_mini(tmp_path / "overlap", append={"decisions/plan.yaml": (
        "      - {id: treat_high_score, polarity: excluding, when: score > high_score,\n"
        "         text: High score, source: T1 2.4}\n")})
    [warning] = _conflicts(root)
    assert warning.severity == "warning"
    assert "'treat_c' (confirming) and 'treat_high_score' (excluding)" in warning.message
    assert "stage='C'" in warning.message and "fit=True" in warning.message
    score = float(re.search(r"score=([0-9.]+)", warning.message).group(1))
    assert score > 20  # the example really makes both arguments hold
    assert warning.file.endswith("plan.yaml") and warning.line > 1
    assert warning.path == "plan.candidates[1]"


def test_exclusive_conditions_are_not_reported(tmp_path: Path) -> None:
    root = pack_from_mini(tmp_path / "exclusive", append={"decisions/plan.yaml": (
        "      - {id: treat_stage_a, polarity: excluding, when: stage == \"A\",\n"
        "         text: Stage A, source: T1 2.5}\n")})
    assert _conflicts(root) == []
