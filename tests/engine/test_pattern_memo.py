"""Nothing of one case reaches another through the remembered patterns.

Decisions and triage are remembered by the kernel's values. A decision whose candidate has no
arguments (an information-only option) once gave the decision an empty argument range, so
every case shared one remembered decision: the second case was shown the first case's
recommendations while its triage said otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import AS_OF, LOW_FIT, copy_mini
from hypothesis import given, settings
from hypothesis import strategies as st

from openmdt.engine import evaluate
from openmdt.engine.plan import forget_remembered
from openmdt.knowledge import Pack, load_pack

INFO_LAST = """\
  - id: trial
    title: Clinical trial (information)
    information_only: true
    arguments: []
"""
HIGH_C = {"score": 50, "grade": 3, "stage": "C", "fit": True, "spread": False}
DOMAINS: dict[str, tuple[Any, ...]] = {
    "score": (5, 20, 20.01, 60), "grade": (1, 2, 3), "stage": ("A", "B", "C"),
    "fit": (True, False), "spread": (True, False)}


def _pack_with_info_candidate(root: Path) -> Pack:
    return load_pack(copy_mini(root, append={"decisions/plan.yaml": INFO_LAST}))


@pytest.fixture(scope="module")
def info_pack(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    return _pack_with_info_candidate(tmp_path_factory.mktemp("info") / "mini")


def output(pack: Pack, facts: dict[str, Any]) -> dict[str, Any]:
    return evaluate(pack, {"case_id": "c", "facts": facts}, as_of=AS_OF).to_dict()


def fresh(pack: Pack, facts: dict[str, Any]) -> dict[str, Any]:
    forget_remembered(pack)
    return output(pack, facts)


def test_a_candidate_without_arguments_does_not_share_results_between_cases(
        info_pack: Pack) -> None:
    first = output(info_pack, LOW_FIT)
    second = output(info_pack, HIGH_C)
    assert first["decisions"][0]["recommended"] == ["watch"]
    assert second["decisions"][0]["recommended"] == ["treat"]
    assert second == fresh(info_pack, HIGH_C)


_PACKS: dict[str, Pack] = {}


def _info_pack() -> Pack:
    if "info" not in _PACKS:
        import tempfile

        _PACKS["info"] = _pack_with_info_candidate(
            Path(tempfile.mkdtemp(prefix="openmdt-info-")) / "mini")
    return _PACKS["info"]


cases = st.lists(st.fixed_dictionaries(
    {name: st.one_of(st.none(), st.sampled_from(domain)) for name, domain in DOMAINS.items()}
).map(lambda facts: {k: v for k, v in facts.items() if v is not None}), min_size=2, max_size=6)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(cases)
def test_a_sequence_of_cases_gives_what_each_gives_alone(sequence: list[dict[str, Any]]
                                                        ) -> None:
    pack = _info_pack()
    forget_remembered(pack)
    in_turn = [json.dumps(output(pack, facts), sort_keys=True) for facts in sequence]
    alone = [json.dumps(fresh(pack, facts), sort_keys=True) for facts in sequence]
    assert in_turn == alone


def test_the_engine_remembers_nothing_at_module_level() -> None:
    """Every remembered result lives on a pack's engine plan (engine.memo): no module of the
    engine keeps a dictionary or list of results of its own, except the registry of plans."""
    import ast

    import openmdt.engine as engine_package

    allowed = {("plan.py", "_PLANS")}
    found = []
    for path in Path(engine_package.__file__).parent.glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.AnnAssign):
                target, value = node.target, node.value
            elif isinstance(node, ast.Assign):
                target, value = node.targets[0], node.value
            else:
                continue
            empty = (isinstance(value, ast.Dict) and not value.keys) or (
                isinstance(value, ast.List | ast.Set) and not value.elts)
            if empty and isinstance(target, ast.Name) and (path.name, target.id) not in allowed:
                found.append(f"{path.name}: {target.id}")
    assert not found


def test_one_packs_memory_never_answers_for_another(tmp_path: Path) -> None:
    from openmdt.engine.plan import engine_plan

    first = load_pack(copy_mini(tmp_path / "a"))
    second = load_pack(copy_mini(tmp_path / "b"))
    evaluate(first, {"case_id": "one", "facts": dict(HIGH_C)}, as_of=AS_OF).to_json()
    second_plan = engine_plan(second)
    memories = (second_plan.decision_dicts, second_plan.fragments.candidate_texts,
                second_plan.fragments.decision_texts, *(d.weighed for d in second_plan.decisions))
    assert all(len(memo) == 0 for memo in memories) and not second_plan.settled
    first_plan = engine_plan(first)
    assert any(len(d.weighed) for d in first_plan.decisions)
    assert len(first_plan.fragments.decision_texts) or len(first_plan.fragments.candidate_texts)


def test_a_pack_is_not_kept_alive_by_its_remembered_results() -> None:
    """The engine's plan (and the exact status's memory in it) holds a pack weakly: a pack
    that is dropped, after a case whose exact status was worked out, is freed with its plan."""
    import gc
    import weakref

    from openmdt.engine.plan import _PLANS
    from openmdt.knowledge.loader import check_pack

    pack, _ = check_pack(Path(__file__).parent / "packs" / "mini")  # not the loader's cache
    assert pack is not None
    result = evaluate(pack, {"case_id": "p", "facts": {"grade": 1, "stage": "A", "fit": True,
                                                        "spread": False}})
    assert result.settled.decisions[0].status == "provisional"  # the exact status ran
    key, alive = id(pack), weakref.ref(pack)
    del pack, result
    gc.collect()
    assert alive() is None
    assert key not in _PLANS
