"""The hand-written yardstick: CPG and localised treatment options as plain Python.

This is what a programmer would write by hand for one guideline and one decision, with no
engine: NICE NG131 table 1 (Cambridge Prognostic Group) and the recommended set of the
prostate pack's `localised_treatment` decision, mirrored from
`src/openmdt/packs/prostate-nice-ng131/decisions/localised_treatment.yaml` for complete cases.
The benchmark times it on the same cases as the engine and checks that the two agree, so if
the pack's decision changes, the agreement check says so and this file must follow it.

It reads the raw case (as the synthetic generator or a JSON line gives it) and decides only
what complete data decides: anything that needs a missing fact is `None` (not decided).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

T1_T2 = frozenset({"T1", "T1a", "T1b", "T1c", "T2", "T2a", "T2b", "T2c"})
T3 = frozenset({"T3", "T3a", "T3b"})
PSA_INTERMEDIATE = 10  # pack parameter psa_intermediate: 10 to 20 inclusive is the middle band
PSA_HIGH_RISK = 20  # pack parameter psa_high_risk: only PSA above 20 is a CPG 4 factor

# The candidates of localised_treatment, in the pack's order (the engine lists them so).
ACTIVE_SURVEILLANCE = "active_surveillance"
RADICAL_PROSTATECTOMY = "radical_prostatectomy"
RADICAL_RADIOTHERAPY = "radical_radiotherapy"
BRACHYTHERAPY = "brachytherapy"
WATCHFUL_WAITING = "watchful_waiting"
RECOMMEND_THRESHOLD = 1  # pack.yaml recommend_threshold; the decision does not change it

Recommended = tuple[str, ...]


def grade_group_of(facts: Mapping[str, Any]) -> int | None:
    """The ISUP grade group: as recorded, else from the Gleason patterns, else None."""
    grade = facts.get("grade_group")
    if grade is not None:
        return grade
    primary, secondary = facts.get("gleason_primary"), facts.get("gleason_secondary")
    if primary is None or secondary is None:
        return None
    total = primary + secondary
    if total <= 6:
        return 1
    if total == 7:
        return 2 if primary == 3 else 3
    return 4 if total == 8 else 5


def cambridge_prognostic_group(psa: float | None, grade_group: int | None,
                               t_stage: str | None) -> int | None:
    """The CPG of NICE NG131 table 1 from complete inputs; None when any input is missing."""
    if psa is None or grade_group is None or t_stage is None or t_stage == "TX":
        return None
    high_risk_factors = (grade_group == 4) + (psa > PSA_HIGH_RISK) + (t_stage in T3)
    if grade_group == 5 or t_stage == "T4" or high_risk_factors >= 2:
        return 5
    if high_risk_factors == 1:
        return 4
    intermediate_psa = psa >= PSA_INTERMEDIATE  # PSA above 20 was settled above
    if grade_group == 3 or (grade_group == 2 and intermediate_psa):
        return 3
    if grade_group == 2 or intermediate_psa:
        return 2
    return 1


def is_complete_m0(facts: Mapping[str, Any]) -> bool:
    """An M0 case with PSA, grade, an assessed T stage and fitness for radical treatment."""
    return (facts.get("m_stage") == "M0" and facts.get("psa") is not None
            and grade_group_of(facts) is not None and facts.get("t_stage") not in (None, "TX")
            and facts.get("fit_for_radical_treatment") is not None)


def localised_treatment_applies(facts: Mapping[str, Any], grade_group: int | None
                                ) -> bool | None:
    """Whether the decision applies (biopsied, newly diagnosed, M0); None when unknown."""
    m_stage = facts.get("m_stage")
    biopsied = facts.get("biopsy_done")
    if biopsied is None and grade_group is not None:
        biopsied = True  # a recorded grade implies a biopsy (pack: derived fact `biopsied`)
    newly_diagnosed = ((facts.get("prior_radical_treatment") or "none") == "none"
                       and not facts.get("biochemical_relapse")
                       and not facts.get("castration_resistant"))
    if biopsied is False or not newly_diagnosed or (m_stage is not None and m_stage != "M0"):
        return False
    if biopsied is None or m_stage is None:
        return None
    return True


def localised_recommended(cpg: int, fit: bool, declines: bool) -> Recommended:
    """The recommended options for a complete case (net support >= 1, excluding arguments)."""
    radical_excluded = not fit or declines
    surveillance = (2 * (cpg == 1) + (cpg == 2) + (cpg == 3 and declines) - 2 * (not fit))
    radical = (cpg >= 2) - (cpg == 1)
    brachytherapy = (cpg in (2, 3)) - (cpg == 1)
    watchful_waiting = 2 * (not fit) + 2 * declines
    recommended = []
    if cpg <= 3 and surveillance >= RECOMMEND_THRESHOLD:
        recommended.append(ACTIVE_SURVEILLANCE)
    if not radical_excluded and radical >= RECOMMEND_THRESHOLD:
        recommended += [RADICAL_PROSTATECTOMY, RADICAL_RADIOTHERAPY]
    if cpg <= 3 and not radical_excluded and brachytherapy >= RECOMMEND_THRESHOLD:
        recommended.append(BRACHYTHERAPY)
    if watchful_waiting >= RECOMMEND_THRESHOLD:
        recommended.append(WATCHFUL_WAITING)
    return tuple(recommended)


def baseline_evaluate(case: Mapping[str, Any]) -> tuple[int | None, Recommended | None]:
    """The case's CPG and localised-treatment recommendations; None where data is missing.

    The recommendations are () when the decision does not apply (as the engine gives them).
    """
    facts = case["facts"]
    grade_group = grade_group_of(facts)
    cpg = cambridge_prognostic_group(facts.get("psa"), grade_group, facts.get("t_stage"))
    applies = localised_treatment_applies(facts, grade_group)
    if applies is False:
        return cpg, ()
    fit = facts.get("fit_for_radical_treatment")
    if applies is None or cpg is None or fit is None:
        return cpg, None
    return cpg, localised_recommended(cpg, fit, bool(facts.get("declines_radical_treatment")))
