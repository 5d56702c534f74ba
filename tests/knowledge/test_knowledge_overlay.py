"""Overlays: a local variation of a base pack, combined at load time."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from knowledge_helpers import MINI, MINI_OVERLAY

from openmdt.engine import evaluate
from openmdt.knowledge import Pack, check_pack, load_pack
from openmdt.knowledge.testing import run_pack_test, run_pack_tests

FACTS = {"score": 25, "grade": 1, "stage": "A", "fit": False, "spread": False}


@pytest.fixture(scope="module")
def overlay() -> Pack:
    return load_pack(MINI_OVERLAY)


def arguments(pack: Pack, option: str) -> dict[str, object]:
    decision = pack.decision("plan")
    assert decision is not None
    found = decision.candidate(option)
    assert found is not None
    return {a.id: a for a in found.arguments}


def test_identity_is_the_overlay_and_names_its_base(overlay: Pack) -> None:
    base = load_pack(MINI)
    assert (overlay.id, overlay.version, overlay.base) == ("mini-overlay-test", "0.2.0", "mini")
    assert overlay.hash != base.hash and overlay.hash.startswith("sha256:")
    assert base.base is None


def test_parameter_is_changed(overlay: Pack) -> None:
    assert overlay.parameters["high_score"] == 30
    assert load_pack(MINI).parameters["high_score"] == 20


def test_standards_are_disabled_and_added(overlay: Pack) -> None:
    enabled = {s.id: s.enabled for s in overlay.standards}
    assert enabled == {"low_watch": False, "mid_treat": True}
    assert {s.id: s.enabled for s in load_pack(MINI).standards} == {"low_watch": True}


def test_arguments_are_added_replaced_and_removed(overlay: Pack) -> None:
    treat = arguments(overlay, "treat")
    assert list(treat) == ["treat_mid", "treat_c", "treat_stage_b"]
    watch = arguments(overlay, "watch")
    assert list(watch) == ["watch_low", "watch_unfit", "watch_high"]
    assert watch["watch_unfit"].weight == 2
    assert watch["watch_unfit"].source == "local policy: L1"
    assert arguments(load_pack(MINI), "watch")["watch_unfit"].weight == 1


def test_base_parts_the_overlay_does_not_touch_are_kept(overlay: Pack) -> None:
    base = load_pack(MINI)
    assert list(overlay.items) == list(base.items)
    assert [f.name for f in overlay.derived] == [f.name for f in base.derived]
    assert [r.id for r in overlay.never_streamline] == ["spread"]
    assert overlay.site == base.site and overlay.minutes_per_case == base.minutes_per_case


def test_same_case_differs_between_base_and_overlay(overlay: Pack) -> None:
    case = {"case_id": "o1", "facts": FACTS}
    base_out = evaluate(load_pack(MINI), case, as_of=date(2026, 1, 1)).to_dict()
    local_out = evaluate(overlay, case, as_of=date(2026, 1, 1)).to_dict()
    assert base_out["derived"]["group"] == 2 and local_out["derived"]["group"] == 1
    assert local_out["pack"] == {"id": "mini-overlay-test", "version": "0.2.0",
                                 "hash": overlay.hash}


def test_overlay_tests_run_against_the_combined_pack(overlay: Pack) -> None:
    results = run_pack_tests(overlay)
    assert [r.test.name for r in results] == [
        "changed threshold keeps score 25 in group 1, whose SoC is disabled",
        "added SoC for group 2", "removed against argument and replaced for argument",
        "added argument"]
    assert all(r.passed for r in results), [r.failures for r in results]
    assert all(Path(r.test.file).resolve().parent.parent == MINI_OVERLAY for r in results)


def test_overlay_tests_would_fail_against_the_base() -> None:
    base = load_pack(MINI)
    overlay_tests = load_pack(MINI_OVERLAY).tests
    assert not all(run_pack_test(base, test).passed for test in overlay_tests)


def _copy_pair(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "mini")
    shutil.copytree(MINI_OVERLAY, tmp_path / "local")
    return tmp_path / "local"


def test_a_change_in_the_base_changes_the_overlay_hash(tmp_path: Path) -> None:
    local = _copy_pair(tmp_path)
    before = load_pack(local).hash
    with (tmp_path / "mini" / "pack.yaml").open("a", encoding="utf-8") as handle:
        handle.write("description: changed\n")
    after, _ = check_pack(local)
    assert after is not None and after.hash != before


def test_diagnostics_in_the_overlay_point_at_the_overlay_file(tmp_path: Path) -> None:
    local = _copy_pair(tmp_path)
    plan = local / "decisions" / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace('stage == "B"', 'stag == "B"'),
                    encoding="utf-8")
    pack, diagnostics = check_pack(local)
    assert pack is None
    [found] = [d for d in diagnostics if d.severity == "error"]
    assert (found.code, found.hint) == ("unknown_name", "did you mean 'stage'?")
    assert Path(found.file).resolve() == plan.resolve()
    assert found.line == 9


def test_unknown_base_is_reported_at_the_overlay_pack_yaml(tmp_path: Path) -> None:
    local = _copy_pair(tmp_path)
    meta = local / "pack.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("base: mini", "base: mnii"),
                    encoding="utf-8")
    pack, diagnostics = check_pack(local)
    assert pack is None
    assert [(d.code, d.path, d.line) for d in diagnostics] == [("unknown_base", "pack.base", 2)]
    assert Path(diagnostics[0].file).resolve() == meta.resolve()
