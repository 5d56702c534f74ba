"""Soundness of the shipped prostate pack: a definitive decision never changes when the
missing items are filled in (any values), and a known CPG stays the same.

Items with a pack default are not missing (their assumed value is reported), so only items
without a default are completed. The completions are random but seeded, and include the
boundary values of every rule (PSA 10 and 20, grade groups, T2c/T3a/T4).
"""

from __future__ import annotations

import random
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from openmdt.engine import evaluate
from openmdt.knowledge import load_pack

AS_OF = date(2026, 11, 27)
DOMAINS: dict[str, list] = {
    "psa": [3.5, 9.99, 10, 15, 20, 20.01, 45],
    "grade_group": [1, 2, 3, 4, 5],
    "t_stage": ["T1c", "T2a", "T2c", "T3a", "T3b", "T4", "TX"],
    "n_stage": ["N0", "N1", "NX"],
    "m_stage": ["M0", "M1b", "MX"],
    "fit_for_radical_treatment": [True, False],
    "mri_biopsy_concordant": [True, False],
    "who_performance_status": [0, 1, 2, 3],
    "docetaxel_suitable": [True, False],
    "mri_likert": [1, 2, 3, 4, 5],
    "age": [55, 70, 85],
}
DEFAULTED = {"castration_resistant": [True, False], "declines_radical_treatment": [True, False]}
COMPLETIONS = 40


def _recommended(pack, facts: dict) -> tuple[dict, object]:
    output = evaluate(pack, {"case_id": "s", "facts": facts}, as_of=AS_OF).to_dict()
    decisions = {d["id"]: (d["status"], frozenset(d["recommended"])) for d in output["decisions"]}
    return decisions, output["derived"]["cpg"]


partial_case = st.fixed_dictionaries(
    {}, optional={name: st.sampled_from(values)
                  for name, values in {**DOMAINS, **DEFAULTED}.items()})


@settings(max_examples=120, deadline=None, derandomize=True)
@given(partial_case, st.integers(min_value=0, max_value=2**16))
def test_definitive_decisions_hold_for_every_completion(facts: dict, seed: int) -> None:
    pack = load_pack("prostate-nice-ng131")
    decisions, cpg = _recommended(pack, facts)
    missing = [name for name in DOMAINS if name not in facts]
    rng = random.Random(seed)
    for _ in range(COMPLETIONS if missing else 1):
        completed = {**facts, **{name: rng.choice(DOMAINS[name]) for name in missing}}
        filled, filled_cpg = _recommended(pack, completed)
        for decision_id, (status, recommended) in decisions.items():
            if status != "provisional":
                assert filled[decision_id][1] == recommended, (decision_id, facts, completed)
        if cpg is not None:
            assert filled_cpg == cpg, (facts, completed)
