"""Synthetic breast lists: reproducible, consistent with the breast pack, documented."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import openmdt.synth.breast as breast
from openmdt.cases import read_cases
from openmdt.engine import evaluate
from openmdt.knowledge import load_pack
from openmdt.synth import BREAST_FACT_NAMES, generate_breast_list, write_csv, write_jsonl
from openmdt.synth.breast_tumour import t_stage_for_size
from openmdt.synth.cli import synth_app

AS_OF = date(2026, 11, 27)
DISTRIBUTIONS = Path(breast.__file__).with_name("DISTRIBUTIONS.md").read_text(encoding="utf-8")


def test_same_seed_same_list_and_another_seed_another() -> None:
    assert generate_breast_list(40, 7) == generate_breast_list(40, 7)
    assert generate_breast_list(40, 7) != generate_breast_list(40, 8)


def test_every_fact_is_an_item_of_the_breast_pack() -> None:
    pack = load_pack("breast-nice-ng101")
    assert set(BREAST_FACT_NAMES) <= set(pack.items)
    for case in generate_breast_list(200, 3):
        assert case["site"] == "breast" and case["case_id"].startswith("BR-")
        assert set(case["facts"]) <= set(pack.items)
        assert case["patient"]["name"].startswith("SYNTHETIC ")
        assert case["patient"]["nhs_number"].startswith("999")


def test_size_and_t_stage_agree_and_nodes_match_the_n_stage() -> None:
    for case in generate_breast_list(400, 5):
        facts = case["facts"]
        size, t_stage = facts.get("invasive_size_mm"), facts.get("t_stage")
        if size is not None and t_stage and not t_stage.startswith("T4"):
            assert t_stage == t_stage_for_size(size), facts
        nodes = facts.get("nodes_positive")
        if nodes is not None:
            assert (nodes == 0) == (facts["n_stage"] in ("N0", "N0i+")), facts


@pytest.mark.parametrize(("size", "t_stage"), [(1.0, "T1mi"), (1.1, "T1a"), (5.0, "T1a"),
                                                (10.0, "T1b"), (10.1, "T1c"), (20.0, "T1c"),
                                                (20.1, "T2"), (50.0, "T2"), (50.1, "T3")])
def test_t_stage_follows_the_tnm_size_bands(size: float, t_stage: str) -> None:
    assert t_stage_for_size(size) == t_stage


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_case_readers_accept_every_generated_case(fmt: str) -> None:
    cases = generate_breast_list(200, 21)
    stream = io.StringIO()
    if fmt == "csv":
        write_csv(cases, stream, BREAST_FACT_NAMES)
    else:
        write_jsonl(cases, stream)
    records = read_cases(stream.getvalue(), fmt=fmt, source=f"synthetic.{fmt}")
    assert [r.error for r in records if r.error] == []
    assert [r.case_id for r in records] == [c["case_id"] for c in cases]


def test_a_missing_item_makes_a_case_not_ready_and_complete_cases_are_routed() -> None:
    pack = load_pack("breast-nice-ng101")
    routes = Counter()
    for case in generate_breast_list(300, 22):
        lacks_an_item = any(value is None for value in case["facts"].values())
        route = evaluate(pack, case, as_of=AS_OF).route
        routes[route] += 1
        assert (route == "not_ready") == lacks_an_item, (case["case_id"], route)
    assert set(routes) == {"standard_of_care", "full_discussion", "not_ready"}


def test_the_list_mix_and_missing_share_are_documented() -> None:
    for share in breast.BREAST_PATHWAY_SHARES.values():
        assert f"| {share}% |" in DISTRIBUTIONS
    missing = f"{breast.BREAST_MISSING_ITEM_SHARE * 100:g}% of the cases that have an item"
    assert missing in DISTRIBUTIONS


def test_synth_breast_command_writes_the_list() -> None:
    app = typer.Typer()
    app.add_typer(synth_app, name="synth")
    result = CliRunner().invoke(app, ["synth", "breast", "--n", "12", "--seed", "4"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].split(",")[:2] == ["case_id", "site"] and len(lines) == 13
    assert lines[1].startswith("BR-0001,breast,")


def test_writing_a_breast_list_with_prostate_columns_is_refused_not_truncated() -> None:
    with pytest.raises(ValueError, match="BR-0001: facts .* have no column"):
        write_csv(generate_breast_list(2, 1), io.StringIO())
