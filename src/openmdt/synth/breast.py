"""Synthetic breast cancer MDT lists: a post-operative and pre-operative mix, fictional patients.

`generate_breast_list(n, seed)` is a pure function: the same `n`, `seed` and `as_of` always
give the same list; it uses one `random.Random(seed)` and never the clock. The case mix and
its sources are in DISTRIBUTIONS.md beside this file (section "Breast lists"). Facts use the
breast pack's data dictionary names (issue 13 data contract); a case carries only the facts
relevant to its point in the pathway.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openmdt.synth.breast_tumour import BreastTumour, draw_tumour
from openmdt.synth.nhs_numbers import synthetic_nhs_number
from openmdt.synth.patients import date_of_birth_for_age, synthetic_name
from openmdt.synth.sampling import weighted_choice

__all__ = ["BREAST_FACT_NAMES", "BREAST_PATHWAY_SHARES", "BREAST_MISSING_ITEM_SHARE",
           "generate_breast_list"]

DEFAULT_AS_OF = date(2026, 11, 27)
SITE = "breast"

# The breast pack's data dictionary, in the order of the CSV columns.
BREAST_FACT_NAMES = (
    "age", "sex", "menopausal_status", "histology", "er_status", "pr_status", "her2_status",
    "grade", "invasive_size_mm", "t_stage", "n_stage", "m_stage", "nodes_positive", "surgery",
    "radial_margin_mm", "axillary_ultrasound", "axillary_biopsy", "slnb_result",
    "who_performance_status", "predict_chemo_benefit_pct", "predict_bisphosphonate_benefit_pct",
    "tumour_profiling_test", "oncotype_rs", "brca_status", "neoadjuvant_given",
    "residual_invasive_disease", "fit_for_chemotherapy", "accepts_endocrine_5y",
    "aromatase_inhibitor_unsuitable", "on_ovarian_suppression", "pregnant", "bilateral_disease",
    "multifocal_disease", "pathology_discordant", "previous_breast_cancer",
    "patient_preference_recorded", "mdt_question",
)
BREAST_PATHWAY_SHARES = {"post_operative": 55, "post_neoadjuvant": 5, "dcis": 8,
                         "pre_operative": 27, "metastatic": 5}
BREAST_MISSING_ITEM_SHARE = 0.12
_MALE_SHARE = 0.01

Facts = dict[str, Any]


@dataclass
class _Draft:
    facts: Facts
    missable: list[str] = field(default_factory=list)


def generate_breast_list(n: int, seed: int, as_of: date = DEFAULT_AS_OF) -> list[dict]:
    """Generate a synthetic breast MDT list of `n` cases, reproducible from `seed`."""
    if n < 0:
        raise ValueError(f"n must be 0 or more, got {n}")
    rng = random.Random(seed)
    taken: set[str] = set()
    return [_case(rng, number, as_of, taken) for number in range(1, n + 1)]


def _case(rng: random.Random, number: int, as_of: date, taken: set[str]) -> dict:
    draft = _PATHWAYS[weighted_choice(rng, BREAST_PATHWAY_SHARES)](rng)
    if draft.missable and not _always_discussed(draft.facts) \
            and rng.random() < BREAST_MISSING_ITEM_SHARE:
        draft.facts[rng.choice(draft.missable)] = None
    patient = {
        "name": synthetic_name(rng),
        "nhs_number": synthetic_nhs_number(rng, taken),
        "date_of_birth": date_of_birth_for_age(rng, draft.facts["age"], as_of).isoformat(),
    }
    facts = {name: draft.facts[name] for name in BREAST_FACT_NAMES if name in draft.facts}
    return {"case_id": f"BR-{number:04d}", "site": SITE, "patient": patient, "facts": facts}


def _always_discussed(facts: Facts) -> bool:
    """Metastatic disease, a man or a pregnancy: discussed whatever else is known."""
    return facts.get("m_stage") == "M1" or facts.get("sex") == "male" or bool(facts.get("pregnant"))


# Pathways ---------------------------------------------------------------------------------

def _post_operative(rng: random.Random, *, neoadjuvant: bool = False) -> _Draft:
    facts = _person(rng)
    tumour = draw_tumour(rng)
    facts.update(_tumour_facts(tumour))
    facts.update(_surgery(rng, tumour))
    facts.update(_axilla_after_surgery(tumour))
    facts["m_stage"] = "M0"
    facts["neoadjuvant_given"] = neoadjuvant
    if neoadjuvant:
        facts["residual_invasive_disease"] = rng.random() < 0.55
    facts["predict_chemo_benefit_pct"] = _predict_benefit(rng, tumour, facts["age"])
    if facts.get("menopausal_status") == "post":
        facts["predict_bisphosphonate_benefit_pct"] = round(
            facts["predict_chemo_benefit_pct"] * rng.uniform(0.3, 0.6), 1)
    facts.update(_profiling(rng, tumour, facts, neoadjuvant))
    facts["mdt_question"] = "Post-operative: adjuvant treatment plan"
    missable = ["predict_chemo_benefit_pct", "grade", "her2_status", "m_stage",
                "radial_margin_mm"]
    if facts.get("menopausal_status"):
        missable.append("menopausal_status")
    return _Draft(facts, missable)


def _post_neoadjuvant(rng: random.Random) -> _Draft:
    return _post_operative(rng, neoadjuvant=True)


def _dcis(rng: random.Random) -> _Draft:
    facts = _person(rng)
    facts.update({"histology": "dcis", "t_stage": "Tis", "n_stage": "N0", "m_stage": "M0",
                  "surgery": "bcs" if rng.random() < 0.75 else "mastectomy",
                  "radial_margin_mm": _margin(rng), "neoadjuvant_given": False,
                  "mdt_question": "DCIS: further surgery and radiotherapy"})
    return _Draft(facts, ["radial_margin_mm"])


def _pre_operative(rng: random.Random) -> _Draft:
    facts = _person(rng)
    tumour = draw_tumour(rng, size_scale=1.2)
    facts.update(_tumour_facts(tumour))
    facts.pop("nodes_positive")
    facts.update(_axilla_before_surgery(rng, tumour))
    facts.update({"surgery": "none", "slnb_result": "not_done", "m_stage": "M0",
                  "neoadjuvant_given": False, "tumour_profiling_test": "not_done",
                  "mdt_question": "New diagnosis: surgery first or neoadjuvant therapy?"})
    if tumour.er_status == "positive" and tumour.her2_status == "negative":
        facts["predict_chemo_benefit_pct"] = _predict_benefit(rng, tumour, facts["age"])
    missable = ["her2_status", "er_status"]
    if facts["axillary_biopsy"] == "not_done":  # the ultrasound then decides SLNB or biopsy
        missable.append("axillary_ultrasound")
    return _Draft(facts, missable)


def _metastatic(rng: random.Random) -> _Draft:
    draft = _pre_operative(rng)
    draft.facts.update({"m_stage": "M1",
                        "mdt_question": "Metastatic at presentation: systemic treatment"})
    return _Draft(draft.facts, [])


_PATHWAYS: dict[str, Callable[[random.Random], _Draft]] = {
    "post_operative": _post_operative, "post_neoadjuvant": _post_neoadjuvant, "dcis": _dcis,
    "pre_operative": _pre_operative, "metastatic": _metastatic,
}


# The person -------------------------------------------------------------------------------

def _person(rng: random.Random) -> Facts:
    male = rng.random() < _MALE_SHARE
    age = int(min(95, max(25, round(rng.gauss(68 if male else 62, 12)))))
    facts: Facts = {"age": age, "sex": "male" if male else "female"}
    if not male:
        facts["menopausal_status"] = _menopausal_status(rng, age)
        facts["pregnant"] = age < 45 and rng.random() < 0.02
        facts["on_ovarian_suppression"] = (facts["menopausal_status"] == "pre"
                                           and rng.random() < 0.2)
        facts["aromatase_inhibitor_unsuitable"] = rng.random() < 0.06
    status = _performance_status(rng, age)
    facts.update({
        "who_performance_status": status,
        "fit_for_chemotherapy": rng.random() < _chemotherapy_fitness(age, status),
        "accepts_endocrine_5y": rng.random() < 0.9,
        "bilateral_disease": rng.random() < 0.02,
        "multifocal_disease": rng.random() < 0.12,
        "pathology_discordant": rng.random() < 0.03,
        "previous_breast_cancer": rng.random() < 0.05,
        "patient_preference_recorded": rng.random() < 0.06,
        "brca_status": _brca(rng, age),
    })
    return facts


def _menopausal_status(rng: random.Random, age: int) -> str:
    if age < 45:
        return "pre"
    if age < 55:
        return weighted_choice(rng, {"pre": 35, "peri": 20, "post": 45})
    return "post"


def _performance_status(rng: random.Random, age: int) -> int:
    if age < 70:
        return weighted_choice(rng, {0: 70, 1: 24, 2: 4, 3: 1.5, 4: 0.5})
    return weighted_choice(rng, {0: 40, 1: 38, 2: 14, 3: 6, 4: 2})


def _chemotherapy_fitness(age: int, status: int) -> float:
    if status >= 3 or age >= 85:
        return 0.05
    if status == 2 or age >= 75:
        return 0.5
    return 0.95


def _brca(rng: random.Random, age: int) -> str:
    if rng.random() >= (0.3 if age < 50 else 0.08):
        return "not_tested"
    return "germline_mutation" if rng.random() < 0.12 else "no_mutation"


# Tumour, surgery and axilla ---------------------------------------------------------------

def _tumour_facts(tumour: BreastTumour) -> Facts:
    return {"histology": tumour.histology, "er_status": tumour.er_status,
            "pr_status": tumour.pr_status, "her2_status": tumour.her2_status,
            "grade": tumour.grade, "invasive_size_mm": tumour.invasive_size_mm,
            "t_stage": tumour.t_stage, "n_stage": tumour.n_stage,
            "nodes_positive": tumour.nodes_positive}


def _surgery(rng: random.Random, tumour: BreastTumour) -> Facts:
    large = tumour.t_stage in ("T3", "T4", "T4b", "T4d")
    surgery = "mastectomy" if rng.random() < (0.8 if large else 0.28) else "bcs"
    return {"surgery": surgery, "radial_margin_mm": _margin(rng)}


def _margin(rng: random.Random) -> float:
    """Closest radial margin: at ink 4%, under 1 mm 10%, otherwise 1-15 mm."""
    draw = rng.random()
    if draw < 0.04:
        return 0.0
    if draw < 0.14:
        return round(rng.uniform(0.1, 0.9), 1)
    return round(rng.uniform(1.0, 15.0), 1)


_SLNB_BY_N = {"N0": "negative", "N0i+": "itc", "N1mi": "micromet", "N1": "macromet",
              "N2": "macromet", "N3": "macromet"}


def _axilla_after_surgery(tumour: BreastTumour) -> Facts:
    return {"axillary_ultrasound": "normal", "axillary_biopsy": "not_done",
            "slnb_result": _SLNB_BY_N[tumour.n_stage]}


def _axilla_before_surgery(rng: random.Random, tumour: BreastTumour) -> Facts:
    """Clinical axilla: node-positive disease is found on ultrasound and biopsy in most."""
    if tumour.n_stage in ("N1", "N2", "N3") and rng.random() < 0.7:
        return {"axillary_ultrasound": "abnormal", "axillary_biopsy": "positive",
                "n_stage": tumour.n_stage}
    if rng.random() < 0.06:
        return {"axillary_ultrasound": "abnormal", "axillary_biopsy": "not_done", "n_stage": "N0"}
    return {"axillary_ultrasound": "normal", "axillary_biopsy": "not_done", "n_stage": "N0"}


def _predict_benefit(rng: random.Random, tumour: BreastTumour, age: int) -> float:
    """A plausible PREDICT chemotherapy benefit (%): a planning heuristic, not PREDICT."""
    risk = 0.5 * tumour.grade + tumour.invasive_size_mm / 25 + math.sqrt(tumour.nodes_positive)
    if tumour.triple_negative or tumour.her2_status == "positive":
        risk *= 1.5
    if age >= 70:
        risk *= 0.6
    return round(min(30.0, max(0.1, risk * rng.lognormvariate(0, 0.35))), 1)


def _profiling(rng: random.Random, tumour: BreastTumour, facts: Facts,
               neoadjuvant: bool) -> Facts:
    eligible = (not neoadjuvant and tumour.er_status == "positive"
                and tumour.her2_status == "negative" and tumour.n_stage in ("N0", "N0i+")
                and tumour.grade >= 2 and facts["predict_chemo_benefit_pct"] >= 2.5
                and facts["fit_for_chemotherapy"])
    if not eligible or rng.random() >= 0.6:
        return {"tumour_profiling_test": "not_done"}
    score = int(min(100, max(0, round(rng.lognormvariate(math.log(17), 0.5)))))
    return {"tumour_profiling_test": "oncotype_dx", "oncotype_rs": score}
