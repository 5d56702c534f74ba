"""The hand-written yardstick: CPG and localised treatment options as plain Python.

This is what a programmer would write by hand for one guideline and one decision, with no
engine: NICE NG131 table 1 (Cambridge Prognostic Group) and the recommended set of the
prostate pack's `localised_treatment` decision, mirrored from
`src/openmdt/packs/prostate-nice-ng131/decisions/localised_treatment.yaml` for complete cases.
The benchmark times it on the same cases as the engine and checks that the two agree, so if
the pack's decision changes, the agreement check says so and this file must follow it.

It reads the raw case (as the synthetic generator or a JSON line gives it) and decides only
what complete data decides: anything that needs a missing fact is `None` (not decided). The
decision applies to a recorded new diagnosis (`pathway_point: new_diagnosis`) with M0
disease; the person's wishes (`declines_radical_treatment`,
`active_surveillance_unacceptable`) have no default in the pack, so where they could change
the set an absent one leaves it undecided.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

T1_T2 = frozenset({"T1", "T1a", "T1b", "T1c", "T2", "T2a", "T2b", "T2c"})
T3 = frozenset({"T3", "T3a", "T3b"})
PSA_INTERMEDIATE = 10  # pack parameter psa_intermediate: 10 to 20 inclusive is the middle band
PSA_HIGH_RISK = 20  # pack parameter psa_high_risk: only PSA above 20 is a CPG 4 factor
NEW_DIAGNOSIS = "new_diagnosis"  # the pathway point of derive.yaml `newly_diagnosed`

# The candidates of localised_treatment, in the pack's order (the engine lists them so).
ACTIVE_SURVEILLANCE = "active_surveillance"
RADICAL_PROSTATECTOMY = "radical_prostatectomy"
RADICAL_RADIOTHERAPY = "radical_radiotherapy"
BRACHYTHERAPY = "brachytherapy"
WATCHFUL_WAITING = "watchful_waiting"
PRIMARY_ADT = "primary_adt"
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
    """An M0 case with everything `localised_treatment` reads: PSA, grade, an assessed T
    stage, fitness for radical treatment and the pathway point; for a new diagnosis also the
    N stage and the person's wishes (declines radical treatment, finds surveillance
    unacceptable), which have no default."""
    pathway_point = facts.get("pathway_point")
    if (facts.get("m_stage") != "M0" or facts.get("psa") is None
            or grade_group_of(facts) is None or facts.get("t_stage") in (None, "TX")
            or facts.get("fit_for_radical_treatment") is None or pathway_point is None):
        return False
    return pathway_point != NEW_DIAGNOSIS or (
        facts.get("n_stage") is not None
        and facts.get("declines_radical_treatment") is not None
        and facts.get("active_surveillance_unacceptable") is not None)


def localised_treatment_applies(facts: Mapping[str, Any]) -> bool | None:
    """`biopsied and newly_diagnosed and m_stage == "M0"`: True, False or None (unknown).

    A recorded pathway point decides both `biopsied` and `newly_diagnosed`; without one,
    newly_diagnosed is unknown and only `biopsy_done: false` or a known M1 stage rule it out.
    """
    pathway_point = facts.get("pathway_point")
    m_stage = facts.get("m_stage")
    if m_stage == "MX":
        m_stage = None  # not assessed counts as unknown
    if pathway_point is not None and pathway_point != NEW_DIAGNOSIS:
        return False
    if m_stage is not None and m_stage != "M0":
        return False
    if pathway_point is None:
        return False if facts.get("biopsy_done") is False else None
    return None if m_stage is None else True


def localised_recommended(cpg: int, fit: bool, declines: bool | None,
                          unacceptable: bool | None, n_stage: str | None) -> Recommended | None:
    """The recommended options for a case with a known CPG and fitness (net support >= 1,
    excluding arguments), or None when an unknown wish or N stage could change them.

    ``declines`` is declines_radical_treatment, ``unacceptable`` is
    active_surveillance_unacceptable and ``n_stage`` the recorded N stage (None: unknown).
    """
    if not fit:
        # Radical options excluded; surveillance stays below the threshold (at most 2 - 2);
        # watchful waiting holds (2); primary ADT for CPG 4-5. The wishes cannot change it.
        return (WATCHFUL_WAITING, PRIMARY_ADT) if cpg >= 4 else (WATCHFUL_WAITING,)
    if declines is None:
        return None  # watchful waiting turns on it (and the radical options' exclusion)
    recommended = []
    surveillance_for = 2 * (cpg == 1) + (cpg == 2) + (cpg == 3 and declines)
    if cpg <= 3 and surveillance_for >= RECOMMEND_THRESHOLD and n_stage != "N1":
        if unacceptable is None:
            return None  # 2 against when unacceptable: the net support straddles 1
        if surveillance_for - 2 * unacceptable >= RECOMMEND_THRESHOLD:
            if n_stage is None:
                return None  # excluded if N1
            recommended.append(ACTIVE_SURVEILLANCE)
    if not declines:
        if cpg == 1:
            if unacceptable is None:
                return None  # -1 or +1 for each radical option
            radical = unacceptable  # radiotherapy's +1 for N1 only reaches 0 otherwise
        else:
            radical = True  # CPG 2-5: +1 (radiotherapy +1 more for N1)
        if radical:
            recommended += [RADICAL_PROSTATECTOMY, RADICAL_RADIOTHERAPY]
        if cpg in (2, 3):
            if n_stage is None:
                return None  # brachytherapy alone is excluded for N1
            if n_stage != "N1":
                recommended.append(BRACHYTHERAPY)
    else:
        recommended.append(WATCHFUL_WAITING)
    # primary_adt: excluded when fit and not declining; when declining its only `for`
    # argument (not fit, CPG 4-5) does not hold. Never recommended for a fit person.
    return tuple(recommended)


def baseline_evaluate(case: Mapping[str, Any]) -> tuple[int | None, Recommended | None]:
    """The case's CPG and localised-treatment recommendations; None where data is missing.

    The recommendations are () when the decision does not apply (as the engine gives them).
    """
    facts = case["facts"]
    grade_group = grade_group_of(facts)
    cpg = cambridge_prognostic_group(facts.get("psa"), grade_group, facts.get("t_stage"))
    applies = localised_treatment_applies(facts)
    if applies is False:
        return cpg, ()
    fit = facts.get("fit_for_radical_treatment")
    if applies is None or cpg is None or fit is None:
        return cpg, None
    return cpg, localised_recommended(cpg, fit, facts.get("declines_radical_treatment"),
                                      facts.get("active_surveillance_unacceptable"),
                                      facts.get("n_stage"))
