"""Smoke tests of the engine benchmark: it runs end to end on a few cases and cannot rot.

No timing is asserted anywhere: the figures depend on the machine. What is checked is that
every pass runs, the results file keeps other sections, and the hand-written baseline still
agrees with the prostate pack (if the pack's localised_treatment decision changes,
bench/baseline.py must be changed to mirror it).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from bench.baseline import baseline_evaluate, cambridge_prognostic_group, localised_recommended
from bench.bench_engine import check_agreement, measure_in_process, percentile, profile_engine

from bench import run
from openmdt.knowledge import load_pack
from openmdt.synth import generate_prostate_list

AS_OF = date(2026, 11, 27)


@pytest.mark.parametrize(("psa", "grade_group", "t_stage", "cpg"), [
    (9.99, 1, "T2", 1),
    (10, 1, "T2", 2),  # PSA exactly 10 is in the 10-20 band
    (15, 1, "T2", 2),
    (10, 2, "T1c", 3),
    (20, 2, "T2", 3),  # PSA exactly 20 is still in the band, not a CPG 4 factor
    (20.01, 1, "T2", 4),
    (4, 3, "T2", 3),
    (25, 3, "T2", 4),
    (5, 2, "T3b", 4),
    (5, 4, "T3a", 5),
    (5, 1, "T4", 5),
    (5, 5, "T1", 5),
    (25, 4, "T2", 5),
    (5, 1, "TX", None),
    (None, 1, "T2", None),
])
def test_baseline_cpg_follows_ng131_table_1(psa, grade_group, t_stage, cpg) -> None:
    assert cambridge_prognostic_group(psa, grade_group, t_stage) == cpg


def test_baseline_recommendations_for_complete_cases() -> None:
    wishes = {"declines": False, "unacceptable": False, "n_stage": "N0"}
    assert localised_recommended(1, fit=True, **wishes) == ("active_surveillance",)
    assert localised_recommended(1, fit=True, **wishes | {"unacceptable": True}) == (
        "radical_prostatectomy", "radical_radiotherapy")
    assert localised_recommended(4, fit=False, **wishes) == ("watchful_waiting", "primary_adt")
    assert "active_surveillance" not in localised_recommended(5, fit=True, **wishes)
    assert localised_recommended(2, fit=True, **wishes | {"n_stage": "N1"}) == (
        "radical_prostatectomy", "radical_radiotherapy")


def test_baseline_leaves_incomplete_cases_undecided() -> None:
    facts = {"pathway_point": "new_diagnosis", "psa": 5.0, "grade_group": 1, "t_stage": "T2",
             "n_stage": "N0", "m_stage": "M0", "declines_radical_treatment": False,
             "active_surveillance_unacceptable": False}
    assert baseline_evaluate({"case_id": "X", "facts": facts}) == (1, None)  # fitness unknown
    facts["fit_for_radical_treatment"] = True
    assert baseline_evaluate({"case_id": "X", "facts": facts}) == (1, ("active_surveillance",))
    del facts["declines_radical_treatment"]  # no default: watchful waiting turns on it
    assert baseline_evaluate({"case_id": "X", "facts": facts}) == (1, None)


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.99) == 99
    assert percentile([7], 0.99) == 7


def test_baseline_agrees_with_the_prostate_pack() -> None:
    pack = load_pack(run.PACK)
    agreement = check_agreement(pack, generate_prostate_list(400, seed=11), AS_OF)
    assert agreement.complete_m0 > 100
    assert agreement.disagreements == [], "bench/baseline.py no longer mirrors the pack"
    assert agreement.cpg_rate == 1.0


def test_in_process_passes_and_profile_run_on_a_few_cases() -> None:
    pack = load_pack(run.PACK)
    cases = generate_prostate_list(20, seed=3)
    timing = measure_in_process(pack, cases, AS_OF)
    assert {t.cases for t in (timing.engine, timing.engine_to_dict, timing.baseline)} == {20}
    profile = profile_engine(pack, cases, AS_OF, top=5)
    assert len(profile.by_own_time) == 5
    assert any("evaluate" in spot.function for spot in profile.by_cumulative)


def test_results_file_keeps_other_sections() -> None:
    old = "# OpenMDT benchmarks\n\n## Web and API\n\nkept as is\n"
    once = run.replace_section(old, "## Engine\n\nfirst")
    twice = run.replace_section(once, "## Engine\n\nsecond")
    assert "## Web and API\n\nkept as is\n" in twice
    assert "second" in twice and "first" not in twice
    assert twice.startswith("# OpenMDT benchmarks\n")
    assert twice.count(run.START) == 1


def test_whole_benchmark_runs_and_writes_its_section(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    output.write_text("# OpenMDT benchmarks\n\n## Web and API\n\nother engineer\n")
    assert run.main(["--quick", "--n", "12", "--date", "2026-11-27",
                     "--output", str(output)]) == 0
    text = output.read_text()
    assert "Quick run (not for comparison) of 2026-11-27: 12 synthetic" in text
    assert "## Web and API\n\nother engineer\n" in text
    for heading in ("### Targets", "### In-process, per case", "### Command line",
                    "### Where the time goes (cProfile)", "### Engine and baseline agree?"):
        assert heading in text
