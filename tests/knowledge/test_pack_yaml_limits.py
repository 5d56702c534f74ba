"""Hostile pack YAML: alias bombs, self-referencing aliases, huge and non-finite numbers give
a diagnostic and exit 2 from `pack check`, quickly, never a hang or an internal error."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from knowledge_helpers import MINI, pack_from_mini

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "cli"))
from cli_helpers import run_process  # noqa: E402


def _alias_bomb(levels: int = 12) -> str:
    text = 'bomb0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for level in range(1, levels):
        text += f"bomb{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]\n"
    return text


def _with_parameter(value: str) -> str:
    text = (MINI / "pack.yaml").read_text(encoding="utf-8")
    return text.replace("  high_score: 20", f"  high_score: {value}")


CASES = {
    "alias_bomb": ({"append": {"pack.yaml": _alias_bomb()}}, "aliases are used more than"),
    "self_alias": ({"append": {"pack.yaml": "loop: &me\n  - *me\n"}}, "refers to a node"),
    "huge_literal": ({"replace": {"pack.yaml": _with_parameter("9" * 400)}}, "more than 30"),
    "nan": ({"replace": {"pack.yaml": _with_parameter(".nan")}}, "not finite"),
    "inf": ({"replace": {"pack.yaml": _with_parameter("-.inf")}}, "not finite"),
    "float_overflow": ({"replace": {"pack.yaml": _with_parameter("1.0e+999")}}, "not finite"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_yaml_is_a_diagnostic_and_exit_2(name: str, tmp_path: Path) -> None:
    changes, message = CASES[name]
    pack = pack_from_mini(tmp_path / name, **changes)
    run = run_process("pack", "check", str(pack))
    assert run.exit_code == 2, run.output
    assert "invalid_yaml" in run.output and message in run.output, run.output
    assert "internal error" not in run.output


def test_a_few_aliases_are_still_fine(tmp_path: Path) -> None:
    pack = pack_from_mini(tmp_path / "aliases", append={
        "pack.yaml": "x-shared: &shared {a: 1}\nx-use: [*shared, *shared]\n"})
    run = run_process("pack", "check", str(pack))
    assert "aliases are used" not in run.output
