"""The synthetic prostate list: contract, determinism and a realistic case mix."""

import json
import random
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import nhs_number
import pytest

from openmdt.synth import generate_prostate_list
from openmdt.synth.patients import age_on

AS_OF = date(2026, 11, 27)
METASTATIC = {"M1", "M1a", "M1b", "M1c"}
T1_T2 = {"T1", "T1a", "T1b", "T1c", "T2", "T2a", "T2b", "T2c"}
T3 = {"T3", "T3a", "T3b"}
TRIAGE_ITEMS = ("psa", "grade_group", "t_stage", "m_stage", "mri_biopsy_concordant",
                "fit_for_radical_treatment")
GLEASON_FOR_GRADE_GROUP = {
    1: {(3, 3)}, 2: {(3, 4)}, 3: {(4, 3)}, 4: {(4, 4), (3, 5), (5, 3)}, 5: {(4, 5), (5, 4), (5, 5)},
}
NPCA_CPG_SHARES = {1: 0.177, 2: 0.219, 3: 0.152, 4: 0.207, 5: 0.245}  # Parry et al. 2020 [S80]


def _integer(low: int, high: int) -> Callable[[Any], bool]:
    return lambda v: type(v) is int and low <= v <= high


def _number(low: float, high: float) -> Callable[[Any], bool]:
    return lambda v: type(v) in (int, float) and low <= v <= high


def _one_of(*values: str) -> Callable[[Any], bool]:
    return lambda v: v in values


def _boolean(v: Any) -> bool:
    return type(v) is bool


def _iso_date(v: Any) -> bool:
    return type(v) is str and date.fromisoformat(v).isoformat() == v


# The prostate pack's data dictionary as the brief gives it: name -> accepted value.
FACT_CHECKS: dict[str, Callable[[Any], bool]] = {
    "pathway_point": _one_of("pre_biopsy", "new_diagnosis", "post_prostatectomy",
                             "biochemical_relapse", "active_surveillance_review", "on_adt",
                             "castration_resistant"),
    "age": _integer(45, 95),
    "psa": lambda v: _number(0, 10000)(v) and round(v, 2) == v,
    "grade_group": _integer(1, 5),
    "gleason_primary": _integer(3, 5),
    "gleason_secondary": _integer(3, 5),
    "t_stage": _one_of(*T1_T2, *T3, "T4", "TX"),
    "n_stage": _one_of("N0", "N1", "NX"),
    "m_stage": _one_of("M0", *METASTATIC, "MX"),
    "who_performance_status": _integer(0, 4),
    "fit_for_radical_treatment": _boolean,
    "castration_resistant": _boolean,
    "mri_likert": _integer(1, 5),
    "mri_biopsy_concordant": _boolean,
    "docetaxel_suitable": _boolean,
    "life_expectancy_years": _number(0, 40),
    "declines_radical_treatment": _boolean,
    "significant_comorbidity": _boolean,
    "biopsy_done": _boolean,
    "prior_radical_treatment": _one_of("none", "prostatectomy", "radiotherapy"),
    "biochemical_relapse": _boolean,
    "psa_doubling_time_months": _number(0, 1000),
    "adt_start_date": _iso_date,
    "visceral_metastases": _boolean,
    "bone_metastasis_count": _integer(0, 1000),
    "brca_status": _one_of("pathogenic_variant", "no_variant", "not_tested"),
    "prior_arta": _boolean,
    "prior_docetaxel": _boolean,
    "histology": _one_of("acinar_adenocarcinoma", "other"),
    "family_history_strong": _boolean,
    "african_caribbean_family_background": _boolean,
    "dre_abnormal": _boolean,
    "previous_negative_biopsy": _boolean,
    "active_surveillance_unacceptable": _boolean,
    "long_term_adt_planned": _boolean,
    "radiotherapy_planned": _boolean,
    "metastatic_volume": _one_of("low", "high"),
    "relapse_psa": _number(0, 10000),
}


def cpg(psa: float, grade_group: int, t_stage: str) -> int | None:
    """CPG by NICE NG131 table 1, written independently of the generator."""
    factors = [grade_group == 4, psa > 20, t_stage in T3]
    if grade_group == 5 or t_stage == "T4" or factors.count(True) >= 2:
        return 5
    if any(factors):
        return 4
    if t_stage not in T1_T2:
        return None
    if grade_group == 3 or (grade_group == 2 and 10 <= psa <= 20):
        return 3
    if grade_group == 2 or 10 <= psa <= 20:
        return 2
    return 1


def is_new_diagnosis(facts: dict) -> bool:
    return (facts.get("biopsy_done") is True and facts.get("prior_radical_treatment") == "none"
            and facts.get("castration_resistant") is False
            and facts.get("biochemical_relapse") is False)


def is_new_localised(facts: dict) -> bool:
    return is_new_diagnosis(facts) and "mri_biopsy_concordant" in facts


def share(cases: list[dict], test: Callable[[dict], bool]) -> float:
    return sum(1 for case in cases if test(case["facts"])) / len(cases)


@pytest.fixture(scope="module")
def large_list() -> list[dict]:
    """A large list for distribution checks (read only)."""
    return generate_prostate_list(5000, seed=2026, as_of=AS_OF)


# Contract ---------------------------------------------------------------------------------

def test_same_seed_gives_an_identical_list() -> None:
    first = generate_prostate_list(300, seed=42)
    random.seed(1)  # the generator must not depend on the global random state
    second = generate_prostate_list(300, seed=42)
    assert first == second
    assert json.dumps(first) == json.dumps(second)


def test_a_different_seed_gives_a_different_list() -> None:
    assert generate_prostate_list(50, seed=1) != generate_prostate_list(50, seed=2)


@pytest.mark.parametrize("n", [0, 1, 7, 90])
def test_n_is_respected_and_case_ids_run_in_order(n: int) -> None:
    cases = generate_prostate_list(n, seed=7)
    assert [case["case_id"] for case in cases] == [f"PR-{i:04d}" for i in range(1, n + 1)]


def test_negative_n_is_refused() -> None:
    with pytest.raises(ValueError, match="n must be"):
        generate_prostate_list(-1, seed=7)


def test_case_shape(large_list: list[dict]) -> None:
    for case in large_list:
        assert set(case) == {"case_id", "site", "patient", "facts"}
        assert case["site"] == "prostate"
        assert set(case["patient"]) == {"name", "nhs_number", "date_of_birth"}
        assert case["patient"]["name"].startswith("SYNTHETIC ")


def test_nhs_numbers_valid_synthetic_and_unique(large_list: list[dict]) -> None:
    numbers = [case["patient"]["nhs_number"] for case in large_list]
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        assert number.startswith("999") and len(number) == 10
        assert nhs_number.is_valid(number)


@pytest.mark.parametrize("as_of", [AS_OF, date(2024, 2, 29)])
def test_date_of_birth_matches_age(as_of: date) -> None:
    for case in generate_prostate_list(500, seed=3, as_of=as_of):
        born = date.fromisoformat(case["patient"]["date_of_birth"])
        assert age_on(born, as_of) == case["facts"]["age"]


def test_fact_names_and_values_follow_the_data_dictionary(large_list: list[dict]) -> None:
    for case in large_list:
        for name, value in case["facts"].items():
            assert name in FACT_CHECKS, name
            assert value is None or FACT_CHECKS[name](value), (case["case_id"], name, value)


def test_gleason_patterns_match_grade_group(large_list: list[dict]) -> None:
    for case in large_list:
        facts = case["facts"]
        if facts.get("grade_group") is None:
            assert facts.get("gleason_primary") is None
            continue
        pattern = (facts["gleason_primary"], facts["gleason_secondary"])
        assert pattern in GLEASON_FOR_GRADE_GROUP[facts["grade_group"]], case["case_id"]


def test_cases_carry_only_facts_of_their_pathway(large_list: list[dict]) -> None:
    for case in large_list:
        facts = case["facts"]
        if is_new_localised(facts):
            assert "psa_doubling_time_months" not in facts
            assert "adt_start_date" not in facts
        if facts.get("m_stage") in METASTATIC and is_new_diagnosis(facts):
            assert "mri_likert" not in facts
        if facts.get("biopsy_done") is False:
            assert "grade_group" not in facts and "mri_likert" in facts


# Case mix ---------------------------------------------------------------------------------

def test_metastatic_share(large_list: list[dict]) -> None:
    assert 0.10 <= share(large_list, lambda f: f.get("m_stage") in METASTATIC) <= 0.19
    new = [c for c in large_list if is_new_diagnosis(c["facts"])]
    assert 0.10 <= share(new, lambda f: f.get("m_stage") in METASTATIC) <= 0.17


def test_cpg_shares_of_non_metastatic_new_diagnoses(large_list: list[dict]) -> None:
    groups = Counter(
        cpg(f["psa"], f["grade_group"], f["t_stage"])
        for f in (c["facts"] for c in large_list)
        if is_new_diagnosis(f) and f.get("m_stage") == "M0"
        and None not in (f.get("psa"), f.get("grade_group"), f.get("t_stage"))
    )
    total = sum(groups.values())
    assert None not in groups
    assert total > 3000
    for group, target in NPCA_CPG_SHARES.items():
        assert abs(groups[group] / total - target) < 0.03, (group, groups[group] / total)


def test_psa_boundaries_of_table_1_occur(large_list: list[dict]) -> None:
    psas = Counter(c["facts"].get("psa") for c in large_list if is_new_localised(c["facts"]))
    assert psas[10.0] >= 20 and psas[20.0] >= 20


def test_about_one_in_seven_cases_misses_one_triage_item(large_list: list[dict]) -> None:
    def missing(facts: dict) -> list[str]:
        return [item for item in TRIAGE_ITEMS if item in facts and facts[item] is None]

    counts = Counter(len(missing(c["facts"])) for c in large_list)
    assert set(counts) <= {0, 1}
    for facts in (c["facts"] for c in large_list if missing(c["facts"])):
        # discordance and rare histology send a case to discussion whatever is missing
        assert facts.get("mri_biopsy_concordant") is not False
        assert facts.get("histology") != "other"
    assert 0.10 <= counts[1] / len(large_list) <= 0.20


def test_a_missing_cpg_input_really_leaves_the_cpg_open(large_list: list[dict]) -> None:
    completions = {"psa": (1.0, 9.99, 10.0, 20.0, 20.01, 100.0), "grade_group": (1, 2, 3, 4, 5),
                   "t_stage": ("T1c", "T2", "T3", "T4")}
    checked = 0
    for facts in (c["facts"] for c in large_list):
        if not (is_new_localised(facts) and facts.get("m_stage") == "M0"):
            continue
        for item, values in completions.items():
            if facts.get(item) is None:
                inputs = {k: facts[k] for k in completions if k != item}
                assert len({cpg(**inputs, **{item: v}) for v in values}) > 1, facts
                checked += 1
    assert checked > 100


def test_ages(large_list: list[dict]) -> None:
    ages = [c["facts"]["age"] for c in large_list]
    assert min(ages) >= 45 and max(ages) <= 95
    assert 0.45 <= sum(a >= 70 for a in ages) / len(ages) <= 0.56
    assert sum(60 <= a <= 85 for a in ages) / len(ages) >= 0.80


def test_performance_status_mostly_0_to_1_and_fitness_falls_with_age(
    large_list: list[dict],
) -> None:
    assert share(large_list, lambda f: f["who_performance_status"] <= 1) >= 0.75

    def fit_share(low: int, high: int) -> float:
        known = [c["facts"] for c in large_list
                 if low <= c["facts"]["age"] <= high
                 and c["facts"].get("fit_for_radical_treatment") is not None]
        return sum(f["fit_for_radical_treatment"] for f in known) / len(known)

    assert fit_share(45, 69) > fit_share(80, 95) + 0.3


def test_discordance_and_rare_histology(large_list: list[dict]) -> None:
    localised = [c for c in large_list if is_new_localised(c["facts"])
                 and c["facts"]["mri_biopsy_concordant"] is not None]
    assert 0.05 <= share(localised, lambda f: not f["mri_biopsy_concordant"]) <= 0.08
    assert 0 < share(large_list, lambda f: f.get("histology") == "other") < 0.03


def test_follow_up_pathways_are_present(large_list: list[dict]) -> None:
    crpc = [c["facts"] for c in large_list if c["facts"]["castration_resistant"]]
    assert 0.02 <= len(crpc) / len(large_list) <= 0.08
    assert all(date.fromisoformat(f["adt_start_date"]) < AS_OF for f in crpc)
    assert any(f.get("m_stage") in METASTATIC for f in crpc)
    assert any(f.get("m_stage") == "M0" for f in crpc)
    relapse = [c["facts"] for c in large_list if c["facts"]["biochemical_relapse"]]
    assert 0.02 <= len(relapse) / len(large_list) <= 0.10
    assert all(f["prior_radical_treatment"] != "none" for f in relapse)
    assert all("psa_doubling_time_months" in f for f in relapse)
    assert 0.02 <= share(large_list, lambda f: f.get("biopsy_done") is False) <= 0.08
