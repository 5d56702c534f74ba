"""Shared helpers for the engine tests: the mini test pack, pack variants and evaluation."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from openmdt.engine import evaluate
from openmdt.knowledge import Pack, load_pack

PACKS = Path(__file__).resolve().parent / "packs"
MINI = PACKS / "mini"
AS_OF = date(2026, 1, 1)

# A complete, unremarkable case of the mini pack: low group, fit, no spread -> watch (SoC).
LOW_FIT = {"score": 5, "grade": 1, "stage": "A", "fit": True, "spread": False}


def mini() -> Pack:
    """The mini test pack (compiled once per folder content, so cheap to call)."""
    return load_pack(MINI)


def evaluate_facts(pack: Pack, facts: Mapping[str, Any], case_id: str = "c1") -> dict[str, Any]:
    """The output contract of one case with these facts, on a fixed date."""
    return evaluate(pack, {"case_id": case_id, "facts": dict(facts)}, as_of=AS_OF).to_dict()


def decision(output: Mapping[str, Any], decision_id: str = "plan") -> dict[str, Any]:
    """One decision of an evaluation output, by id."""
    return next(d for d in output["decisions"] if d["id"] == decision_id)


def candidate(output: Mapping[str, Any], candidate_id: str, decision_id: str = "plan"
              ) -> dict[str, Any]:
    """One candidate of a decision of an evaluation output, by id."""
    return next(c for c in decision(output, decision_id)["candidates"]
                if c["id"] == candidate_id)


def copy_mini(target: Path, append: Mapping[str, str] | None = None,
              replace: Mapping[str, str] | None = None) -> Path:
    """A copy of the mini pack at ``target``, with text appended to or replacing files.

    ``append`` and ``replace`` map a file path inside the pack (e.g. ``derive.yaml``) to text.
    """
    shutil.copytree(MINI, target)
    for name, text in (replace or {}).items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, text in (append or {}).items():
        with (target / name).open("a", encoding="utf-8") as handle:
            handle.write(text)
    return target
