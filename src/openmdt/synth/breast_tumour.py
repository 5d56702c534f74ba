"""Tumour features of synthetic breast cases: receptors, grade, size, T and N stage, nodes.

Figures are planning assumptions unless DISTRIBUTIONS.md gives a source; the T categories
follow the TNM 8 size bands so that size and T stage always agree.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from openmdt.synth.sampling import weighted_choice

__all__ = ["BreastTumour", "draw_tumour", "t_stage_for_size"]

# ER-positive / HER2-positive / triple-negative shares (planning assumption).
_RECEPTOR_WEIGHTS = {"er_pos_her2_neg": 72, "er_pos_her2_pos": 8, "er_neg_her2_pos": 7,
                     "triple_negative": 13}
_GRADE_WEIGHTS = {
    "er_pos_her2_neg": {1: 24, 2: 52, 3: 24},
    "er_pos_her2_pos": {1: 5, 2: 45, 3: 50},
    "er_neg_her2_pos": {1: 2, 2: 28, 3: 70},
    "triple_negative": {1: 2, 2: 13, 3: 85},
}
# Pathological N category of invasive cancer (planning assumption).
_N_WEIGHTS = {"N0": 63, "N0i+": 4, "N1mi": 6, "N1": 18, "N2": 6, "N3": 3}
_NODE_COUNTS = {"N0": (0, 0), "N0i+": (0, 0), "N1mi": (1, 2), "N1": (1, 3), "N2": (4, 9),
                "N3": (10, 18)}
# Upper bounds (mm, inclusive) of the TNM 8 size categories; above 50 mm is T3.
_SIZE_BANDS = (("T1mi", 1.0), ("T1a", 5.0), ("T1b", 10.0), ("T1c", 20.0), ("T2", 50.0))
_T4_SHARE = 0.03
_HISTOLOGY_WEIGHTS = {"ductal_nst": 80, "lobular": 13, "other_special": 7}


@dataclass(frozen=True)
class BreastTumour:
    """The pathology of one invasive breast cancer."""

    histology: str
    er_status: str
    pr_status: str
    her2_status: str
    grade: int
    invasive_size_mm: float
    t_stage: str
    n_stage: str
    nodes_positive: int

    @property
    def triple_negative(self) -> bool:
        return (self.er_status, self.pr_status, self.her2_status) == ("negative",) * 3


def t_stage_for_size(size_mm: float) -> str:
    """The TNM 8 T category of an invasive size (without chest wall or skin involvement)."""
    for t_stage, upper in _SIZE_BANDS:
        if size_mm <= upper:
            return t_stage
    return "T3"


def draw_tumour(rng: random.Random, *, size_scale: float = 1.0) -> BreastTumour:
    """One invasive tumour with consistent receptors, grade, size, T and N stage."""
    receptors = weighted_choice(rng, _RECEPTOR_WEIGHTS)
    er = "positive" if receptors.startswith("er_pos") else "negative"
    pr = ("positive" if rng.random() < 0.85 else "negative") if er == "positive" else (
        "positive" if rng.random() < 0.03 and receptors != "triple_negative" else "negative")
    her2 = "positive" if "her2_pos" in receptors else "negative"
    grade = weighted_choice(rng, _GRADE_WEIGHTS[receptors])
    size = round(min(280.0, max(0.5, rng.lognormvariate(math.log(17 * size_scale), 0.6))), 1)
    t4 = rng.random() < _T4_SHARE
    t_stage = rng.choice(["T4b", "T4d", "T4"]) if t4 else t_stage_for_size(size)
    n_stage = weighted_choice(rng, _N_WEIGHTS)
    low, high = _NODE_COUNTS[n_stage]
    histology = weighted_choice(rng, _HISTOLOGY_WEIGHTS)
    return BreastTumour(histology, er, pr, her2, grade, size, t_stage, n_stage,
                        rng.randint(low, high))
