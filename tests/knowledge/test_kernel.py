"""The generated pack kernel must agree, value for value, with the reference semantics."""

from __future__ import annotations

import ast
import functools
import json
import shutil
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openmdt.engine import evaluate, validate_case
from openmdt.engine.evaluate import case_environment
from openmdt.knowledge import load_pack
from openmdt.knowledge.kernel import (
    SKIPPED,
    _Writer,
    compile_kernel,
    decision_kernel,
    pack_conditions,
    reference_kernel,
)
from openmdt.knowledge.recorded import recorded_only_pack
from openmdt.language import UNKNOWN
from openmdt.synth import generate_prostate_list
from openmdt.synth.breast import generate_breast_list

MINI = Path(__file__).resolve().parents[1] / "engine" / "packs" / "mini"
AS_OF = date(2026, 11, 27)

MINI_VALUES = {
    "score": [0, 5, 19.99, 20, 20.01, 100],
    "grade": [1, 2, 3],
    "part_a": [1, 2],
    "part_b": [1, 2],
    "stage": ["A", "B", "C"],
    "fit": [True, False],
    "spread": [True, False],
}


def _kernel_values(pack, facts, kernel):
    case = validate_case(pack, {"case_id": "k", "facts": facts})
    env = case_environment(pack, case, AS_OF)
    return kernel.run(env), env


def _same(left, right) -> bool:
    return all(a is b if a is UNKNOWN or a is SKIPPED else a == b
               for a, b in zip(left, right, strict=True))


partial_mini_case = st.fixed_dictionaries(
    {}, optional={name: st.sampled_from(values) for name, values in MINI_VALUES.items()})


@settings(max_examples=300, deadline=None, derandomize=True)
@given(partial_mini_case)
def test_generated_kernel_agrees_with_the_reference_semantics_on_partial_cases(facts: dict) -> None:
    pack = load_pack(MINI)
    generated, generated_env = _kernel_values(pack, facts, pack.kernel)
    reference, reference_env = _kernel_values(pack, facts, reference_kernel(pack))
    assert _same(generated, reference)
    assert generated_env == reference_env


def test_generated_kernel_agrees_with_the_reference_semantics_on_synthetic_prostate_cases() -> None:
    pack = load_pack("prostate-nice-ng131")
    reference = reference_kernel(pack)
    for raw in generate_prostate_list(600, seed=11):
        case = validate_case(pack, raw)
        env_a = case_environment(pack, case, AS_OF)
        env_b = dict(env_a)
        assert _same(pack.kernel.run(env_a), reference.run(env_b)), raw["case_id"]
        assert env_a == env_b


def test_evaluations_are_identical_with_either_kernel() -> None:
    pack = load_pack("prostate-nice-ng131")
    reference = reference_kernel(pack)
    for raw in generate_prostate_list(150, seed=5):
        fast = evaluate(pack, raw, as_of=AS_OF).to_dict()
        slow = evaluate(pack, raw, as_of=AS_OF, kernel=reference).to_dict()
        assert json.dumps(fast, sort_keys=True) == json.dumps(slow, sort_keys=True)


def test_arguments_of_a_decision_that_does_not_apply_are_skipped_then_explained() -> None:
    pack = load_pack(MINI)
    values, _ = _kernel_values(pack, {"spread": True, "score": 5}, pack.kernel)
    assert values[0] is False  # applies_when: not spread
    assert all(v is SKIPPED for v in values[1:7])
    output = evaluate(pack, {"case_id": "s", "facts": {"spread": True, "score": 5}}).to_dict()
    plan = output["decisions"][0]
    assert plan["status"] == "not_applicable"
    holds = [a["holds"] for c in plan["candidates"] for a in c["arguments"]]
    assert holds == [None, None, None, None, None, None]  # worked out: all unknown here
    assert all(c["recommended"] is False for c in plan["candidates"])


def test_pack_text_only_ever_becomes_constants_in_the_kernel() -> None:
    pack = load_pack("prostate-nice-ng131")
    tree = _Writer(pack).function()
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    calls = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Name)}
    assert not any(isinstance(node, (ast.Attribute, ast.Import, ast.ImportFrom, ast.Lambda))
                   and not (isinstance(node, ast.Attribute) and node.attr == "append")
                   for node in ast.walk(tree))
    helpers = {"_possible", "_chain", "_arithmetic"}
    assert calls <= helpers | {n for n in names if n.startswith("_f_")}
    assert "__import__" not in names and "eval" not in names
    texts = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
             and isinstance(node.value, str)}
    assert "T4" in texts  # an enum literal from the pack is data, not code


def test_every_condition_has_its_own_slot() -> None:
    pack = load_pack("prostate-nice-ng131")
    conditions = list(pack_conditions(pack))
    assert len({pack.kernel.slot(c) for c in conditions}) == len(conditions)


_LIBRARY_FACTS = """
  lib_coalesce:
    type: integer
    expr: coalesce(grade, part_a + 1)
  lib_between:
    type: boolean
    expr: between(score, 5, high_score)
  lib_at_least_two:
    type: boolean
    expr: at_least(2, fit, spread, score > 10, stage == "B")
  lib_at_least_one:
    type: boolean
    expr: at_least(1, fit, not spread)
  lib_at_least_none:
    type: boolean
    expr: at_least(0, fit, spread)
"""


@functools.cache
def _mini_with_library_functions() -> Path:
    """The mini pack plus derived facts using the functions the kernel writes inline."""
    folder = Path(tempfile.mkdtemp(prefix="openmdt-kernel-")) / "mini"
    shutil.copytree(MINI, folder)
    with (folder / "derive.yaml").open("a", encoding="utf-8") as handle:
        handle.write(_LIBRARY_FACTS)
    return folder


@settings(max_examples=400, deadline=None, derandomize=True)
@given(partial_mini_case)
def test_inline_library_functions_agree_with_the_reference_semantics(facts: dict) -> None:
    """coalesce, between and at_least are written inline (no call): Kleene results must be
    the library's, with any mix of unknown inputs."""
    pack = load_pack(_mini_with_library_functions())
    generated, generated_env = _kernel_values(pack, facts, pack.kernel)
    reference, reference_env = _kernel_values(pack, facts, reference_kernel(pack))
    assert _same(generated, reference)
    assert generated_env == reference_env
    for name in ("lib_coalesce", "lib_between", "lib_at_least_two", "lib_at_least_one",
                 "lib_at_least_none"):
        assert type(generated_env[name]) is type(reference_env[name]), name


def test_the_library_functions_are_written_inline() -> None:
    tree = _Writer(load_pack(_mini_with_library_functions())).function()
    calls = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Name)}
    assert not calls & {"_f_coalesce", "_f_between", "_f_at_least"}


def _decision_parts_agree(pack, env: dict) -> None:
    whole = pack.kernel.run(dict(env))
    for decision in pack.decisions:
        part = decision_kernel(pack, decision)
        values = part.run(dict(env))
        steps = pack.kernel.program.steps_of(decision)
        assert [s.id for s in steps] == [pack.kernel.program.steps[part.first + i].id
                                        for i in range(len(values))]
        assert _same(values, whole[part.first:part.first + len(values)]), decision.id


@settings(max_examples=200, deadline=None, derandomize=True)
@given(partial_mini_case)
def test_a_decision_s_own_kernel_gives_the_whole_kernel_s_values(facts: dict) -> None:
    """The completions of the exact status run one decision's part of the kernel; it must
    give exactly the values the whole kernel gives in that decision's slots."""
    pack = load_pack(MINI)
    _decision_parts_agree(pack, _kernel_values(pack, facts, pack.kernel)[1])


@pytest.mark.parametrize(("pack_id", "generate"), [
    ("prostate-nice-ng131", generate_prostate_list),
    ("example-alliance-prostate", generate_prostate_list),
    ("breast-nice-ng101", generate_breast_list),
    ("example-alliance-breast", generate_breast_list)])
def test_decision_kernels_agree_on_synthetic_cases_also_on_recorded_facts(
        pack_id: str, generate) -> None:
    pack = load_pack(pack_id)
    recorded = recorded_only_pack(pack)
    recorded = replace(recorded, kernel=compile_kernel(recorded))
    for raw in generate(150, seed=12):
        case = validate_case(pack, raw)
        env = case_environment(pack, case, AS_OF)
        _decision_parts_agree(pack, env)
        _decision_parts_agree(recorded, env)
