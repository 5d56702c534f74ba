"""The pack as a program: steps with stable ids, one layout every kernel follows."""

from __future__ import annotations

from datetime import date

import pytest

from openmdt.engine.evaluate import case_environment
from openmdt.engine.normalise import validate_case
from openmdt.engine.plan import engine_plan
from openmdt.knowledge import load_pack, shipped_pack_ids
from openmdt.knowledge.kernel import reference_kernel
from openmdt.knowledge.program import build_program
from openmdt.knowledge.recorded import recorded_only_kernel


def test_every_step_has_a_unique_stable_id_and_guards_come_first() -> None:
    for pack_id in shipped_pack_ids():
        program = build_program(load_pack(pack_id))
        assert len(program.layout) == len(program.steps)
        for index, step in enumerate(program.steps):
            assert program.slot(step.id) == index
            if step.skip is not None and step.skip.unless_false is not None:
                assert program.slot(step.skip.unless_false) < index


def test_prostate_step_ids_read_as_the_pack_names_things() -> None:
    program = build_program(load_pack("prostate-nice-ng131"))
    kinds = {step.id.split(":")[0] for step in program.steps}
    assert kinds == {"applies", "arg", "soc", "exclusion", "never", "conflict", "triage"}
    assert "applies:localised_treatment" in program.layout
    assert any(i.startswith("arg:localised_treatment/active_surveillance/") for i in program.layout)


def test_every_kernel_reads_its_values_by_the_programs_layout() -> None:
    pack = load_pack("prostate-nice-ng131")
    program = pack.kernel.program
    assert program is build_program(pack)
    for step in program.steps:
        assert pack.kernel.slot(step.expression) == program.slot(step.id)
    recorded = recorded_only_kernel(pack)
    assert [s.id for s in recorded.program.steps] == [s.id for s in program.steps]
    case = {"case_id": "p1", "facts": {"age": 71, "psa": 8.2, "gleason_primary": 3,
                                       "gleason_secondary": 4, "t_stage": "T2a",
                                       "m_stage": "M0", "n_stage": "N0"}}
    env = dict(engine_plan(pack).base_env)
    env.update(validate_case(pack, case).facts)
    env["as_of"] = date(2026, 1, 1)
    generated = pack.kernel.run_all(dict(env))
    reference = reference_kernel(pack).run_all(dict(env))
    assert generated == reference
    trace = program.trace(generated)
    assert list(trace) == [s.id for s in program.steps]
    assert set(trace.values()) <= {True, False, None}



def test_a_trace_reads_values_by_slot_and_unknown_flags_by_name() -> None:
    pack = load_pack("prostate-nice-ng131")
    plan = engine_plan(pack)
    case = validate_case(pack, {"case_id": "t", "facts": {"psa": 8.2}})
    values = pack.kernel.run(case_environment(pack, case, date(2026, 11, 27)))
    trace = plan.trace(values)
    assert trace.values is values
    assert trace[0] is values[0] and trace[1:3] == values[1:3]
    assert trace.unknown("psa") is False
    assert trace.unknown("grade_group") is True
    assert trace.unknown("as_of") is False
    assert trace.unknown(next(iter(pack.parameters))) is False  # a parameter: never unknown
    with pytest.raises(KeyError):  # a name the run does not report never passes for known
        trace.unknown("no_such_item")
