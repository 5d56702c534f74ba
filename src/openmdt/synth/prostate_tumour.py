"""Tumour features of synthetic prostate cases: PSA, grade group, Gleason, T stage and CPG.

Localised cases are built *from* a target Cambridge Prognostic Group, so that PSA, grade group
and T stage really produce that group under NICE NG131 table 1 (knowledge note 1.3, [S14]).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

from openmdt.synth.sampling import rounded_within, weighted_choice

__all__ = [
    "T1_T2",
    "T3",
    "Tumour",
    "cambridge_prognostic_group",
    "gleason_for_grade_group",
    "metastatic_tumour",
    "tumour_for_cpg",
]

T1_T2 = ("T1", "T1a", "T1b", "T1c", "T2", "T2a", "T2b", "T2c")
T3 = ("T3", "T3a", "T3b")

# Clinical T stage of localised disease: most UK diagnoses now are MRI-detected T1c/T2.
_T1_T2_WEIGHTS = {"T1": 3, "T1a": 1, "T1b": 1, "T1c": 40, "T2": 8, "T2a": 14, "T2b": 10,
                  "T2c": 18}
_T3_WEIGHTS = {"T3": 10, "T3a": 60, "T3b": 30}
_METASTATIC_T_WEIGHTS = {"T2": 15, "T3": 10, "T3a": 15, "T3b": 15, "T4": 20, "TX": 25}
_METASTATIC_GRADE_WEIGHTS = {1: 3, 2: 7, 3: 12, 4: 25, 5: 53}

# ISUP 2014: GG4 is any Gleason 8, GG5 any 9-10; 4+4 and 4+5 are the usual patterns.
_GLEASON_BY_GRADE_GROUP: Mapping[int, Mapping[tuple[int, int], int]] = {
    1: {(3, 3): 1},
    2: {(3, 4): 1},
    3: {(4, 3): 1},
    4: {(4, 4): 80, (3, 5): 10, (5, 3): 10},
    5: {(4, 5): 55, (5, 4): 35, (5, 5): 10},
}

# Share of draws in the 10-20 band that land exactly on a boundary, so the boundaries of
# NG131 table 1 ("10 to 20" inclusive) are exercised by every realistic list.
_EXACTLY_10 = 0.10
_EXACTLY_20 = 0.08

@dataclass(frozen=True)
class Tumour:
    """The three CPG inputs of one tumour."""

    psa: float
    grade_group: int
    t_stage: str


@dataclass(frozen=True)
class _Recipe:
    """One way of reaching a CPG: grade groups, PSA band and T-stage band to draw from."""

    weight: float
    grade_groups: Mapping[int, float]
    psa_band: str
    t_band: str


_ALL_PSA = "any"
_GG123 = {1: 15, 2: 45, 3: 40}
_RECIPES: Mapping[int, tuple[_Recipe, ...]] = {
    1: (_Recipe(1, {1: 1}, "below_10", "T1_T2"),),
    2: (_Recipe(70, {2: 1}, "below_10", "T1_T2"),
        _Recipe(30, {1: 1}, "10_to_20", "T1_T2")),
    3: (_Recipe(35, {2: 1}, "10_to_20", "T1_T2"),
        _Recipe(45, {3: 1}, "below_10", "T1_T2"),
        _Recipe(20, {3: 1}, "10_to_20", "T1_T2")),
    4: (_Recipe(40, {4: 1}, "up_to_20", "T1_T2"),
        _Recipe(35, _GG123, "up_to_20", "T3"),
        _Recipe(25, _GG123, "above_20", "T1_T2")),
    5: (_Recipe(50, {5: 1}, _ALL_PSA, "T1_T3"),
        _Recipe(8, {2: 30, 3: 30, 4: 40}, _ALL_PSA, "T4"),
        _Recipe(14, {4: 1}, "above_20", "T1_T2"),
        _Recipe(14, {4: 1}, "up_to_20", "T3"),
        _Recipe(8, _GG123, "above_20", "T3"),
        _Recipe(6, {4: 1}, "above_20", "T3")),
}


def cambridge_prognostic_group(psa: float, grade_group: int, t_stage: str) -> int | None:
    """Return the CPG of NICE NG131 table 1, or None when the T stage cannot place it (TX)."""
    high_risk_factors = sum((grade_group == 4, psa > 20, t_stage in T3))
    if grade_group == 5 or t_stage == "T4" or high_risk_factors >= 2:
        return 5
    if high_risk_factors == 1:
        return 4
    if t_stage not in T1_T2:
        return None
    intermediate_psa = 10 <= psa <= 20
    if grade_group == 3 or (grade_group == 2 and intermediate_psa):
        return 3
    if grade_group == 2 or intermediate_psa:
        return 2
    return 1


def tumour_for_cpg(rng: random.Random, cpg: int) -> Tumour:
    """Draw PSA, grade group and T stage that give exactly the target CPG."""
    recipes = _RECIPES[cpg]
    recipe = rng.choices(recipes, weights=[r.weight for r in recipes])[0]
    return Tumour(
        psa=_psa_in_band(rng, recipe.psa_band),
        grade_group=weighted_choice(rng, recipe.grade_groups),
        t_stage=_t_stage_in_band(rng, recipe.t_band),
    )


def metastatic_tumour(rng: random.Random) -> Tumour:
    """Draw a tumour of metastatic disease at diagnosis: high grade, high PSA, often TX."""
    psa = rounded_within(math.exp(rng.gauss(math.log(80), 1.3)), 2.0, 9000.0)
    return Tumour(psa, weighted_choice(rng, _METASTATIC_GRADE_WEIGHTS),
                  weighted_choice(rng, _METASTATIC_T_WEIGHTS))


def gleason_for_grade_group(rng: random.Random, grade_group: int) -> tuple[int, int]:
    """Return a (primary, secondary) Gleason pattern pair consistent with the grade group."""
    return weighted_choice(rng, _GLEASON_BY_GRADE_GROUP[grade_group])


def _psa_in_band(rng: random.Random, band: str) -> float:
    """Draw a diagnostic PSA (ng/mL, 2 decimals) inside one band of NG131 table 1."""
    if band == "up_to_20":
        band = "below_10" if rng.random() < 0.55 else "10_to_20"
    elif band == _ALL_PSA:
        band = rng.choices(("below_10", "10_to_20", "above_20"), weights=(35, 25, 40))[0]
    if band == "below_10":
        return rounded_within(math.exp(rng.gauss(math.log(6.5), 0.35)), 1.0, 9.99)
    if band == "above_20":
        return rounded_within(20 + math.exp(rng.gauss(math.log(15), 0.9)), 20.01, 500.0)
    draw = rng.random()
    if draw < _EXACTLY_10:
        return 10.0
    if draw < _EXACTLY_10 + _EXACTLY_20:
        return 20.0
    return rounded_within(rng.uniform(10, 20), 10.0, 20.0)


def _t_stage_in_band(rng: random.Random, band: str) -> str:
    """Draw a clinical T stage from a band: T1_T2, T3, T1_T3 or T4."""
    if band == "T1_T3":
        band = "T3" if rng.random() < 0.3 else "T1_T2"
    if band == "T4":
        return "T4"
    return weighted_choice(rng, _T3_WEIGHTS if band == "T3" else _T1_T2_WEIGHTS)
