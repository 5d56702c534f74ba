"""The agreement check catches a planted change in the SQL backend's operators."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from sqlglot import exp

from openmdt.backends import sqlexpr
from openmdt.knowledge import load_pack

from .agreement import disagreements
from .strategies import AS_OF

MINI = load_pack(str(Path(__file__).parents[1] / "engine" / "packs" / "mini"))


def _boundary_cases() -> pa.Table:
    scores = [19.0, 20.0, 21.0]
    return pa.table({"case_id": [f"S{s}" for s in scores], "score": scores,
                     "grade": [1, 1, 1], "stage": ["A", "A", "A"], "fit": [True] * 3,
                     "spread": [False] * 3})


def test_unchanged_backend_agrees() -> None:
    assert disagreements(MINI, _boundary_cases(), AS_OF) == []


@pytest.mark.parametrize(("operator", "planted"), [(">", exp.GTE), ("<=", exp.LT)])
def test_planted_operator_change_is_caught(monkeypatch: pytest.MonkeyPatch, operator: str,
                                           planted: type[exp.Binary]) -> None:
    monkeypatch.setitem(sqlexpr._COMPARISONS, operator, planted)
    found = disagreements(MINI, _boundary_cases(), AS_OF)
    assert found, f"compiling {operator!r} as {planted.__name__} went unnoticed"
    assert any("S20.0" in line for line in found)
