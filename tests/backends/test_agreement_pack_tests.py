"""DuckDB agrees with the Python backend on every pack test case of every shipped pack."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from openmdt.knowledge import load_pack, shipped_pack_ids

from .agreement import case_table, disagreements

MINI = Path(__file__).parents[1] / "engine" / "packs" / "mini"


@pytest.mark.parametrize("pack_id", [*shipped_pack_ids(), str(MINI)])
def test_duckdb_agrees_on_every_pack_test(pack_id: str) -> None:
    pack = load_pack(pack_id)
    by_date = defaultdict(list)
    for test in pack.tests:
        as_of = test.as_of
        by_date[date.fromisoformat(as_of) if isinstance(as_of, str) else as_of].append(
            test.case)
    assert by_date, "the pack has tests"
    for as_of, cases in by_date.items():
        table = case_table(pack, cases)
        assert disagreements(pack, table, as_of) == []
