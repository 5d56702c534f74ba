"""Synthetic prostate cancer MDT lists: realistic case mix, fictional patients.

`generate_prostate_list(n, seed)` is a pure function: the same `n`, `seed` and `as_of` always
give the same list; it uses one `random.Random(seed)` and never the clock.

Case mix (knowledge note `prostate.md`; DISTRIBUTIONS.md beside this file gives the detail):

- Pathways on the list: new biopsy-confirmed diagnosis 84%, pre-biopsy MRI review 5%,
  biochemical relapse after radical treatment 6%, castration-resistant follow-up 5%
  (local planning assumption: the note gives no list-level figures).
- Metastatic at diagnosis: 15.5% of new diagnoses, between NPCA's 12% (2022) and 17% (2021)
  (NPCA State of the Nation 2025 [S75]); as some lose their M stage to missing data, about
  13.5% of new diagnoses show M1, M1a, M1b or M1c. 60% of castration-resistant cases are
  metastatic, so about 14% of the whole list shows an M1 stage.
- CPG of non-metastatic new diagnoses: 17.7 / 21.9 / 15.2 / 20.7 / 24.5% for CPG 1-5
  (NPCA 2014-2017, 61,999 men; Parry et al., BMC Medicine 2020 [S80]). PSA, grade group and T
  stage are drawn so that they give that CPG under NICE NG131 table 1 ([S14], note 1.3); PSA of
  exactly 10 and exactly 20 (both inside the inclusive "10 to 20" band) occurs on purpose.
- Age: normal around 69.5 years (SD 8; older for metastatic and castration-resistant disease,
  younger before biopsy), clipped to 45-95, so about half are 70 or over (NPCA 2015 [S81]) and
  most are 60-85 (peak 70-74 [S82]).
- WHO performance status mostly 0-1, worse with age and advanced disease; significant
  comorbidity and a shorter life expectancy with age and PS; fitness for radical treatment
  follows them (life expectancy over 10 years as the usual proxy, note 1.14 [S23, S24]).
- 15% of the cases that have a triage item to lose (all but pre-biopsy MRI reviews, whose
  biopsy decision turns on the Likert score alone), about 14% of the list, lack one item (psa,
  grade_group, t_stage, m_stage, mri_biopsy_concordant or fit_for_radical_treatment), chosen
  among the items whose value would change the case's CPG or route, so the case is genuinely
  undecidable; cases already sent to discussion by MRI-biopsy discordance or rare histology
  (note 3.5) never lose one. It is written as an explicit null (JSON) or an empty cell (CSV).
- MRI-biopsy discordance in 6.5% of new localised diagnoses; non-acinar histology in 1% of
  biopsy-confirmed cases (rare histology is never streamlined, note 3.5).
- Castration-resistant cases have prior ADT (`adt_start_date` 1.5-8 years back); metastatic
  ones must always be discussed (NICE QS91 statement 5 [S53]). Drug-history, BRCA and
  docetaxel-suitability facts follow notes 1.10-1.14 (TA387/TA391/TA412/TA887, Blueteq [S35]).

Facts use the prostate pack's data dictionary names; a case carries only the facts relevant to
its pathway, plus the pathway flags (`biopsy_done`, `prior_radical_treatment`,
`biochemical_relapse`, `castration_resistant`) that tell the pathways apart. Dates are ISO
strings, so every case is ready for JSON.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from openmdt.synth.nhs_numbers import synthetic_nhs_number
from openmdt.synth.patients import date_of_birth_for_age, synthetic_name
from openmdt.synth.prostate_tumour import (
    Tumour,
    cambridge_prognostic_group,
    gleason_for_grade_group,
    metastatic_tumour,
    tumour_for_cpg,
)
from openmdt.synth.sampling import rounded_within, weighted_choice

__all__ = [
    "CPG_SHARES",
    "DEFAULT_AS_OF",
    "METASTATIC_AT_DIAGNOSIS_SHARE",
    "MISSING_ITEM_SHARE",
    "PATHWAY_SHARES",
    "PROSTATE_FACT_NAMES",
    "TRIAGE_ITEMS",
    "generate_prostate_list",
]

DEFAULT_AS_OF = date(2026, 11, 27)
SITE = "prostate"

# The prostate pack's data dictionary, in the order of the CSV columns.
PROSTATE_FACT_NAMES = (
    "pathway_point", "age", "psa", "grade_group", "gleason_primary", "gleason_secondary",
    "t_stage", "n_stage",
    "m_stage", "who_performance_status", "fit_for_radical_treatment", "castration_resistant",
    "mri_likert", "mri_biopsy_concordant", "docetaxel_suitable", "life_expectancy_years",
    "declines_radical_treatment", "significant_comorbidity", "biopsy_done",
    "prior_radical_treatment", "biochemical_relapse", "psa_doubling_time_months",
    "adt_start_date", "visceral_metastases", "bone_metastasis_count", "brca_status",
    "prior_arta", "prior_docetaxel", "histology", "family_history_strong",
    "african_caribbean_family_background", "dre_abnormal", "previous_negative_biopsy",
    "active_surveillance_unacceptable", "long_term_adt_planned", "radiotherapy_planned",
    "metastatic_volume", "relapse_psa",
)
TRIAGE_ITEMS = ("psa", "grade_group", "t_stage", "m_stage", "mri_biopsy_concordant",
                "fit_for_radical_treatment")

PATHWAY_SHARES = {"new_diagnosis": 0.84, "pre_biopsy_mri": 0.05, "biochemical_relapse": 0.06,
                  "castration_resistant": 0.05}
METASTATIC_AT_DIAGNOSIS_SHARE = 0.155  # [S75]: 12% (2022), 17% (2021)
CPG_SHARES = {1: 0.177, 2: 0.219, 3: 0.152, 4: 0.207, 5: 0.245}  # [S80]
MISSING_ITEM_SHARE = 0.15
DISCORDANT_SHARE = 0.065
NON_ACINAR_SHARE = 0.01
DECLINES_RADICAL_SHARE = 0.04
CRPC_METASTATIC_SHARE = 0.60
BRCA_PATHOGENIC_SHARE = 0.12  # BRCA1/2 alterations in mCRPC, about 1 in 8 (PROfound era)
# Planning assumptions (ours, not published figures) for the items the safety revision added.
STRONG_FAMILY_HISTORY_SHARE = 0.06
AFRICAN_CARIBBEAN_SHARE = 0.05
ABNORMAL_DRE_SHARE = 0.25
PREVIOUS_NEGATIVE_BIOPSY_SHARE = 0.10
SURVEILLANCE_UNACCEPTABLE_SHARE = 0.05
GERMLINE_TESTED_SHARE = 0.10  # of new diagnoses: a germline result already recorded
RADIOTHERAPY_CHOSEN_SHARE = 0.60  # of fit CPG 4-5 or N1: radiotherapy (with long-term ADT)

_AGE_SD = 8.0
_MIN_AGE, _MAX_AGE = 45, 95
# WHO PS weights for 0..4 by age band (<70, 70-79, 80+); advanced disease moves up one band.
_PS_WEIGHTS = ((62, 30, 6, 1.8, 0.2), (48, 38, 10, 3.5, 0.5), (30, 42, 19, 8, 1))
# Remaining life expectancy of men in England by age (approximate ONS national life tables).
_LIFE_TABLE = ((45, 35.0), (50, 30.5), (55, 26.0), (60, 22.0), (65, 18.0), (70, 14.5),
               (75, 11.0), (80, 8.0), (85, 5.8), (90, 4.0), (95, 2.9))
_N_STAGE_BY_CPG = {1: {"N0": 95, "NX": 5}, 2: {"N0": 95, "NX": 5}, 3: {"N0": 95, "NX": 5},
                   4: {"N0": 88, "N1": 6, "NX": 6}, 5: {"N0": 78, "N1": 15, "NX": 7}}
_LIKERT_BY_CPG = {1: {1: 5, 2: 10, 3: 30, 4: 40, 5: 15}, 2: {1: 2, 2: 5, 3: 18, 4: 45, 5: 30},
                  3: {1: 2, 2: 5, 3: 18, 4: 45, 5: 30}, 4: {2: 2, 3: 6, 4: 32, 5: 60},
                  5: {2: 2, 3: 6, 4: 32, 5: 60}}
_M1_WEIGHTS = {"M1": 12, "M1a": 8, "M1b": 65, "M1c": 15}
# Values that could replace a missing CPG input; if they give different CPGs it matters.
_CPG_INPUT_ALTERNATIVES: Mapping[str, tuple[Any, ...]] = {
    "psa": (5.0, 15.0, 25.0), "grade_group": (1, 2, 3, 4, 5), "t_stage": ("T1c", "T3", "T4")}
# Facts that go missing together with a triage item (same report not yet available).
_MISSING_TOGETHER = {"grade_group": ("gleason_primary", "gleason_secondary"),
                     "m_stage": ("visceral_metastases", "bone_metastasis_count")}

Facts = dict[str, Any]


@dataclass
class _Draft:
    """A case's facts before any item goes missing, and which items may go missing."""

    facts: Facts
    # triage items whose absence would leave this case undecidable, with relative weights
    missable: dict[str, float] = field(default_factory=dict)


def generate_prostate_list(n: int, seed: int, as_of: date = DEFAULT_AS_OF) -> list[dict]:
    """Generate a synthetic prostate MDT list of `n` cases, reproducible from `seed`."""
    if n < 0:
        raise ValueError(f"n must be 0 or more, got {n}")
    rng = random.Random(seed)
    taken_nhs_numbers: set[str] = set()
    return [_case(rng, number, as_of, taken_nhs_numbers) for number in range(1, n + 1)]


def _case(rng: random.Random, number: int, as_of: date, taken: set[str]) -> dict:
    """Build one listed case: pathway, facts, perhaps one missing item, patient identity."""
    draft = _PATHWAYS[weighted_choice(rng, PATHWAY_SHARES)](rng, as_of)
    may_lose_an_item = bool(draft.missable) and not _never_streamlined(draft.facts)
    if may_lose_an_item and rng.random() < MISSING_ITEM_SHARE:
        _blank_one_item(rng, draft)
    patient = {
        "name": synthetic_name(rng),
        "nhs_number": synthetic_nhs_number(rng, taken),
        "date_of_birth": date_of_birth_for_age(rng, draft.facts["age"], as_of).isoformat(),
    }
    facts = {name: draft.facts[name] for name in PROSTATE_FACT_NAMES if name in draft.facts}
    return {"case_id": f"PR-{number:04d}", "site": SITE, "patient": patient, "facts": facts}


def _never_streamlined(facts: Facts) -> bool:
    """Say whether discordance, rare histology or a fitness conflict already send the case to
    full discussion.

    Such a case is discussed whatever else is known (note 3.5), so a missing item would not
    leave its route open; it never loses one.
    """
    if facts.get("mri_biopsy_concordant") is False or facts.get("histology") == "other":
        return True
    return _fitness_conflict(facts)


def _fitness_conflict(facts: Facts) -> bool:
    """Say whether the fitness flag disagrees with PS and age (the pack's conflicts)."""
    fit, status = facts.get("fit_for_radical_treatment"), facts.get("who_performance_status")
    if fit is None or status is None:
        return False
    return (not fit and status <= 1 and facts.get("age", 0) < 70) or (fit and status >= 3)


def _blank_one_item(rng: random.Random, draft: _Draft) -> None:
    """Make one triage item unknown (and the facts from the same report with it)."""
    item = weighted_choice(rng, draft.missable)
    for name in (item, *_MISSING_TOGETHER.get(item, ())):
        if name in draft.facts:
            draft.facts[name] = None


# Pathways ---------------------------------------------------------------------------------

def _new_diagnosis(rng: random.Random, as_of: date) -> _Draft:
    """A newly biopsy-confirmed cancer, metastatic or not."""
    if rng.random() < METASTATIC_AT_DIAGNOSIS_SHARE:
        return _new_metastatic(rng, as_of)
    return _new_localised(rng)


def _new_localised(rng: random.Random) -> _Draft:
    """A new localised or locally advanced cancer with a CPG drawn from the NPCA mix."""
    age = _age(rng, 69.5)
    cpg = weighted_choice(rng, CPG_SHARES)
    tumour = tumour_for_cpg(rng, cpg)
    health = _general_health(rng, age, advanced=False)
    facts = {
        "age": age, **_tumour_facts(rng, tumour),
        "n_stage": weighted_choice(rng, _N_STAGE_BY_CPG[cpg]), "m_stage": "M0", **health,
        "fit_for_radical_treatment": _fit_for_radical_treatment(rng, health),
        "declines_radical_treatment": rng.random() < DECLINES_RADICAL_SHARE,
        "mri_likert": weighted_choice(rng, _LIKERT_BY_CPG[cpg]),
        "mri_biopsy_concordant": rng.random() >= DISCORDANT_SHARE,
        "histology": _histology(rng), **_pathway_flags("new_diagnosis", biopsy_done=True),
        **_family(rng),
        "active_surveillance_unacceptable": rng.random() < SURVEILLANCE_UNACCEPTABLE_SHARE,
    }
    if cpg >= 4 or facts["n_stage"] == "N1":
        radiotherapy = facts["fit_for_radical_treatment"] and (
            rng.random() < RADIOTHERAPY_CHOSEN_SHARE)
        facts |= {"radiotherapy_planned": radiotherapy, "long_term_adt_planned": radiotherapy,
                  "prior_arta": False}
    return _Draft(facts, _localised_missable(tumour, cpg))


def _new_metastatic(rng: random.Random, as_of: date) -> _Draft:
    """A new metastatic hormone-sensitive cancer, on or about to start ADT."""
    age = _age(rng, 71.5)
    tumour = metastatic_tumour(rng)
    health = _general_health(rng, age, advanced=True)
    spread = _metastases(rng)
    facts = {
        "age": age, **_tumour_facts(rng, tumour),
        "n_stage": weighted_choice(rng, {"N0": 45, "N1": 40, "NX": 15}), **spread, **health,
        "docetaxel_suitable": _docetaxel_suitable(rng, age, health),
        "adt_start_date": _recent_adt_start(rng, as_of).isoformat(),
        "prior_arta": False, "prior_docetaxel": False,
        "histology": _histology(rng), **_pathway_flags("new_diagnosis", biopsy_done=True),
        **_family(rng), "metastatic_volume": _volume(spread),
    }
    missable = {"m_stage": 2.0}
    # LATITUDE high risk needs two of Gleason >= 8, >= 3 bone lesions, visceral disease.
    if (spread["bone_metastasis_count"] >= 3) != spread["visceral_metastases"]:
        missable["grade_group"] = 1.0
    return _Draft(facts, missable)


def _pre_biopsy_mri(rng: random.Random, as_of: date) -> _Draft:
    """A referral with a raised PSA whose MRI is back and biopsy not yet done."""
    age = _age(rng, 66.5)
    health = _general_health(rng, age, advanced=False)
    facts = {
        "age": age, "psa": rounded_within(math.exp(rng.gauss(math.log(7.0), 0.5)), 3.0, 60.0),
        "mri_likert": weighted_choice(rng, {1: 20, 2: 17, 3: 18, 4: 25, 5: 20}), **health,
        "fit_for_radical_treatment": _fit_for_radical_treatment(rng, health),
        **_pathway_flags("pre_biopsy", biopsy_done=False), "m_stage": "M0",
        "dre_abnormal": rng.random() < ABNORMAL_DRE_SHARE,
        "family_history_strong": rng.random() < STRONG_FAMILY_HISTORY_SHARE,
        "african_caribbean_family_background": rng.random() < AFRICAN_CARIBBEAN_SHARE,
        "previous_negative_biopsy": rng.random() < PREVIOUS_NEGATIVE_BIOPSY_SHARE,
    }
    # Whether to biopsy turns on the Likert score alone, so no triage item is left to lose.
    return _Draft(facts)


def _biochemical_relapse(rng: random.Random, as_of: date) -> _Draft:
    """A rising PSA after radical prostatectomy or radical radiotherapy."""
    age = _age(rng, 70.0)
    prior = weighted_choice(rng, {"prostatectomy": 55, "radiotherapy": 45})
    health = _general_health(rng, age, advanced=False)
    facts = {
        "age": age, "psa": rounded_within(math.exp(rng.gauss(math.log(9.0), 0.6)), 2.0, 80.0),
        "relapse_psa": _relapse_psa(rng, prior),
        **_grading(rng, weighted_choice(rng, {1: 5, 2: 35, 3: 30, 4: 15, 5: 15})),
        "t_stage": weighted_choice(rng, {"T2": 20, "T2c": 25, "T3a": 35, "T3b": 20}),
        "n_stage": weighted_choice(rng, {"N0": 85, "N1": 10, "NX": 5}), "m_stage": "M0", **health,
        "fit_for_radical_treatment": _fit_for_radical_treatment(rng, health),
        "psa_doubling_time_months": rounded_within(
            math.exp(rng.gauss(math.log(9.0), 0.8)), 1.0, 60.0),
        "histology": _histology(rng),
        **_pathway_flags("biochemical_relapse", biopsy_done=True, prior_radical=prior,
                         relapse=True),
    }
    # Salvage radiotherapy is for relapse with no known metastases: restaging decides it.
    return _Draft(facts, {"m_stage": 1.0})


def _castration_resistant(rng: random.Random, as_of: date) -> _Draft:
    """A cancer progressing on ADT, metastatic (mCRPC) or not (nmCRPC)."""
    age = _age(rng, 73.5)
    health = _general_health(rng, age, advanced=True)
    years_on_adt = rng.uniform(1.5, 8.0)
    prior = weighted_choice(rng, {"none": 50, "radiotherapy": 30, "prostatectomy": 20})
    facts = {
        "age": age, "psa": rounded_within(math.exp(rng.gauss(math.log(15.0), 1.2)), 0.5, 3000.0),
        **_grading(rng, weighted_choice(rng, {2: 10, 3: 20, 4: 30, 5: 40})),
        "n_stage": weighted_choice(rng, {"N0": 50, "N1": 35, "NX": 15}), **health,
        "docetaxel_suitable": _docetaxel_suitable(rng, age, health),
        "adt_start_date": (as_of - timedelta(days=round(365.25 * years_on_adt))).isoformat(),
        "histology": _histology(rng),
        **_pathway_flags("castration_resistant", biopsy_done=True, prior_radical=prior,
                         castration_resistant=True),
    }
    if rng.random() < CRPC_METASTATIC_SHARE:
        facts |= _metastatic_crpc_history(rng)
    else:
        facts |= {"m_stage": "M0", "prior_arta": False, "prior_docetaxel": False,
                  "psa_doubling_time_months":
                  rounded_within(math.exp(rng.gauss(math.log(8.0), 0.6)), 1.0, 60.0)}
    return _Draft(facts, {"m_stage": 1.0})


_PATHWAYS: Mapping[str, Callable[[random.Random, date], _Draft]] = {
    "new_diagnosis": _new_diagnosis,
    "pre_biopsy_mri": _pre_biopsy_mri,
    "biochemical_relapse": _biochemical_relapse,
    "castration_resistant": _castration_resistant,
}


# Building blocks --------------------------------------------------------------------------

def _age(rng: random.Random, mean: float) -> int:
    """Draw an age in whole years around a pathway's mean, clipped to 45-95."""
    return min(max(round(rng.gauss(mean, _AGE_SD)), _MIN_AGE), _MAX_AGE)


def _general_health(rng: random.Random, age: int, *, advanced: bool) -> Facts:
    """Draw WHO PS, comorbidity and life expectancy, each worse with age."""
    band = 0 if age < 70 else 1 if age < 80 else 2
    if advanced:
        band = min(band + 1, 2)
    status = rng.choices(range(5), weights=_PS_WEIGHTS[band])[0]
    comorbid = rng.random() < min(max(0.08 + 0.012 * (age - 60) + 0.10 * status, 0.03), 0.8)
    return {
        "who_performance_status": status,
        "significant_comorbidity": comorbid,
        "life_expectancy_years": _life_expectancy(rng, age, status, comorbid),
    }


def _life_expectancy(rng: random.Random, age: int, status: int, comorbid: bool) -> float:
    """Estimate remaining years of life from age, PS and comorbidity (not the cancer)."""
    base = _LIFE_TABLE[-1][1]
    for (age_low, years_low), (age_high, years_high) in pairwise(_LIFE_TABLE):
        if age_low <= age <= age_high:
            base = years_low + (years_high - years_low) * (age - age_low) / (age_high - age_low)
            break
    years = base * (0.65 if comorbid else 1.0) * (1 - 0.15 * status) * rng.uniform(0.8, 1.2)
    return min(max(round(years, 1), 0.5), 40.0)


def _fit_for_radical_treatment(rng: random.Random, health: Facts) -> bool:
    """Decide fitness for radical treatment, mostly from PS and a life expectancy over 10 years."""
    good_status = health["who_performance_status"] <= 1
    long_life = health["life_expectancy_years"] >= 10
    if good_status and long_life:
        chance = 0.6 if health["significant_comorbidity"] else 0.92
    elif health["who_performance_status"] <= 2 and health["life_expectancy_years"] >= 5:
        chance = 0.2
    else:
        chance = 0.03
    return rng.random() < chance


def _docetaxel_suitable(rng: random.Random, age: int, health: Facts) -> bool:
    """Decide docetaxel suitability: never at PS 3-4, less likely at PS 2, comorbid or 80+."""
    status = health["who_performance_status"]
    if status >= 3:
        return False
    chance = 0.35 if status == 2 else 0.85
    if health["significant_comorbidity"]:
        chance *= 0.4
    if age >= 80:
        chance *= 0.5
    return rng.random() < chance


def _tumour_facts(rng: random.Random, tumour: Tumour) -> Facts:
    """Turn a tumour into PSA, grade group, Gleason patterns and T stage facts."""
    return {"psa": tumour.psa, **_grading(rng, tumour.grade_group), "t_stage": tumour.t_stage}


def _grading(rng: random.Random, grade_group: int) -> Facts:
    """Return grade group with a consistent Gleason primary and secondary pattern."""
    primary, secondary = gleason_for_grade_group(rng, grade_group)
    return {"grade_group": grade_group, "gleason_primary": primary,
            "gleason_secondary": secondary}


def _metastases(rng: random.Random) -> Facts:
    """Draw M stage, visceral disease and the bone metastasis count consistently."""
    m_stage = weighted_choice(rng, _M1_WEIGHTS)
    if m_stage == "M1a":  # distant nodes only
        return {"m_stage": m_stage, "visceral_metastases": False, "bone_metastasis_count": 0}
    bones = 1 + min(int(rng.expovariate(1 / 6)), 59)
    if m_stage == "M1c":
        return {"m_stage": m_stage, "visceral_metastases": rng.random() < 0.85,
                "bone_metastasis_count": 0 if rng.random() < 0.3 else bones}
    return {"m_stage": m_stage, "visceral_metastases": False, "bone_metastasis_count": bones}


def _metastatic_crpc_history(rng: random.Random) -> Facts:
    """Draw spread, drug history and BRCA result of a metastatic castration-resistant case."""
    return {
        **_metastases(rng),
        "prior_arta": rng.random() < 0.45,
        "prior_docetaxel": rng.random() < 0.30,
        "brca_status": "pathogenic_variant" if rng.random() < BRCA_PATHOGENIC_SHARE
        else "no_variant",
    }


def _relapse_psa(rng: random.Random, prior: str) -> float:
    """Draw a relapse PSA: above 0.2 after prostatectomy, above nadir + 2 after radiotherapy."""
    if prior == "prostatectomy":
        return rounded_within(math.exp(rng.gauss(math.log(0.5), 0.8)), 0.21, 20.0)
    return rounded_within(math.exp(rng.gauss(math.log(4.5), 0.5)), 2.1, 40.0)


def _recent_adt_start(rng: random.Random, as_of: date) -> date:
    """Draw an ADT start date: mostly within the 12-week window the triplets require."""
    days = rng.randrange(0, 85) if rng.random() < 0.8 else rng.randrange(85, 150)
    return as_of - timedelta(days=days)


def _histology(rng: random.Random) -> str:
    """Draw histology: nearly always acinar adenocarcinoma."""
    return "other" if rng.random() < NON_ACINAR_SHARE else "acinar_adenocarcinoma"


def _pathway_flags(point: str, *, biopsy_done: bool, prior_radical: str = "none",
                   relapse: bool = False, castration_resistant: bool = False) -> Facts:
    """Return the facts that tell the pathways apart, known for every case."""
    return {"pathway_point": point, "biopsy_done": biopsy_done,
            "prior_radical_treatment": prior_radical, "biochemical_relapse": relapse,
            "castration_resistant": castration_resistant}


def _family(rng: random.Random) -> Facts:
    """Draw family history and the germline result of a new diagnosis."""
    tested = rng.random() < GERMLINE_TESTED_SHARE
    result = "not_tested"
    if tested:
        result = "pathogenic_variant" if rng.random() < BRCA_PATHOGENIC_SHARE else "no_variant"
    return {"family_history_strong": rng.random() < STRONG_FAMILY_HISTORY_SHARE,
            "brca_status": result}


def _volume(spread: Facts) -> str:
    """CHAARTED-style volume from the drawn spread: visceral or 4+ bone metastases is high."""
    high = spread["visceral_metastases"] or spread["bone_metastasis_count"] >= 4
    return "high" if high else "low"


def _localised_missable(tumour: Tumour, cpg: int) -> dict[str, float]:
    """List the triage items whose absence would leave a new localised case undecidable."""
    missable = {"m_stage": 2.0, "fit_for_radical_treatment": 1.5}
    inputs = {"psa": tumour.psa, "grade_group": tumour.grade_group, "t_stage": tumour.t_stage}
    for item, alternatives in _CPG_INPUT_ALTERNATIVES.items():
        groups = {cambridge_prognostic_group(**(inputs | {item: value})) for value in alternatives}
        if len(groups) > 1:
            missable[item] = 2.0
    if cpg <= 3:  # discordance excludes the CPG 1-3 Standards of Care (note 3.5)
        missable["mri_biopsy_concordant"] = 1.5
    return missable
