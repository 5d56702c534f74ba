"""Soundness of the shipped breast pack: a decision that is not provisional never changes its
recommended set when the missing items are filled in (any values), and a known NPI group,
stage group or receptor summary stays the same.

The completions are random but seeded, and include the boundary values of every rule (NPI
2.4 / 3.4 / 5.4 through size, nodes and grade; PREDICT 3 and 5; margin 1 mm; age 40, 50, 65;
recurrence scores 10 / 11 / 16 / 25 / 26; bisphosphonate benefit 2 and 3).
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
    "age": [39, 40, 49, 50, 51, 64, 65, 80],
    "sex": ["female", "male"],
    "menopausal_status": ["pre", "peri", "post"],
    "er_status": ["positive", "negative"],
    "pr_status": ["positive", "negative"],
    "her2_status": ["positive", "negative"],
    "grade": [1, 2, 3],
    "invasive_size_mm": [1, 10, 20, 20.5, 21, 25, 70, 75, 175],
    "t_stage": ["Tis", "T0", "T1mi", "T1a", "T1b", "T1c", "T2", "T3", "T4b", "T4d", "TX"],
    "n_stage": ["N0", "N0i+", "N1mi", "N1", "N2", "N3", "NX"],
    "m_stage": ["M0", "M1", "MX"],
    "nodes_positive": [0, 1, 3, 4, 10],
    "histology": ["ductal_nst", "lobular", "other_special", "dcis"],
    "surgery": ["none", "bcs", "mastectomy"],
    "radial_margin_mm": [0, 0.5, 0.99, 1, 3],
    "axillary_ultrasound": ["normal", "abnormal"],
    "axillary_biopsy": ["positive", "negative", "not_done"],
    "slnb_result": ["negative", "itc", "micromet", "macromet", "not_done"],
    "predict_chemo_benefit_pct": [1, 2.99, 3, 5, 5.01, 9],
    "predict_bisphosphonate_benefit_pct": [1.99, 2, 3, 3.01],
    "tumour_profiling_test": ["oncotype_dx", "not_done"],
    "oncotype_rs": [10, 11, 16, 25, 26],
    "brca_status": ["germline_mutation", "no_mutation", "not_tested"],
    "neoadjuvant_given": [True, False],
    "residual_invasive_disease": [True, False],
    "fit_for_chemotherapy": [True, False],
    "accepts_endocrine_5y": [True, False],
    "aromatase_inhibitor_unsuitable": [True, False],
    "on_ovarian_suppression": [True, False],
    "pregnant": [True, False],
    "patient_preference_recorded": [True, False],
}
DERIVED = ("npi_group", "stage_group", "hormone_receptor_positive", "triple_negative")
COMPLETIONS = 15


def _outcome(pack, facts: dict) -> tuple[dict, dict]:
    output = evaluate(pack, {"case_id": "s", "facts": facts}, as_of=AS_OF).to_dict()
    decisions = {d["id"]: (d["status"], frozenset(d["recommended"])) for d in output["decisions"]}
    return decisions, {name: output["derived"][name] for name in DERIVED}


partial_case = st.fixed_dictionaries(
    {}, optional={name: st.sampled_from(values) for name, values in DOMAINS.items()})


@settings(max_examples=80, deadline=None, derandomize=True)
@given(partial_case, st.integers(min_value=0, max_value=2**16))
def test_definitive_decisions_hold_for_every_completion(facts: dict, seed: int) -> None:
    pack = load_pack("breast-nice-ng101")
    decisions, derived = _outcome(pack, facts)
    missing = [name for name in DOMAINS if name not in facts]
    rng = random.Random(seed)
    for _ in range(COMPLETIONS if missing else 1):
        completed = {**facts, **{name: rng.choice(DOMAINS[name]) for name in missing}}
        filled, filled_derived = _outcome(pack, completed)
        for decision_id, (status, recommended) in decisions.items():
            if status != "provisional":
                assert filled[decision_id][1] == recommended, (decision_id, facts, completed)
        for name, value in derived.items():
            if value is not None:
                assert filled_derived[name] == value, (name, facts, completed)


def test_the_completions_reach_every_route() -> None:
    """The domains are wide enough to exercise the whole pack (not a vacuous test)."""
    pack = load_pack("breast-nice-ng101")
    rng = random.Random(13)
    routes = set()
    for _ in range(300):
        facts = {name: rng.choice(values) for name, values in DOMAINS.items()}
        facts.update({"histology": "ductal_nst", "m_stage": "M0"} if rng.random() < 0.7 else {})
        output = evaluate(pack, {"case_id": "r", "facts": facts}, as_of=AS_OF).to_dict()
        routes.add(output["triage"]["route"])
    assert {"full_discussion", "not_ready"} <= routes
