"""The full hand-written yardstick: the CPG and all six prostate decisions as plain Python.

`bench/baseline.py` writes out one decision (`localised_treatment`); the engine evaluates
every decision of the pack. This file is the fairer comparison: what a programmer would write
by hand for the whole prostate pack (`src/openmdt/packs/prostate-nice-ng131/`), with no
engine: the derived facts of `derive.yaml`, then each file of `decisions/` as straight-line
arithmetic over its arguments (net support = weights of `for` arguments that hold minus
weights of `against` arguments that hold; recommended when the net support reaches
`recommend_threshold` of `pack.yaml` and no `excluding` argument holds; the pack has no
`confirming` arguments).

Like the one-decision baseline it reads the raw case (as the synthetic generator or a JSON
line gives it) and decides only what complete data decides. Per decision the answer is the
tuple of recommended options in the pack's candidate order, `()` when the decision does not
apply, or `None` when a fact the decision needs for this case is missing. The items with a
`default` in `data.yaml` take it when absent, and the `not_assessed` values (TX, MX) count as
missing, as in the pack. If the pack changes, the agreement test
(tests/bench/test_baseline_full.py) says so and this file must follow it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bench.baseline import (
    RECOMMEND_THRESHOLD,
    T3,
    cambridge_prognostic_group,
    grade_group_of,
    localised_recommended,
)

Recommended = tuple[str, ...]
Decided = Recommended | None  # None: the case lacks a fact this decision needs
NOT_APPLICABLE: Recommended = ()

# The decision ids, in the pack's order (the engine lists its decisions so).
BIOCHEMICAL_RELAPSE = "biochemical_relapse"
CASTRATION_RESISTANT = "castration_resistant_disease"
HIGH_RISK_M0 = "high_risk_non_metastatic_systemic"
LOCALISED = "localised_treatment"
METASTATIC_HORMONE_SENSITIVE = "metastatic_hormone_sensitive_treatment"
PRE_BIOPSY = "pre_biopsy"
DECISION_IDS = (BIOCHEMICAL_RELAPSE, CASTRATION_RESISTANT, HIGH_RISK_M0, LOCALISED,
                METASTATIC_HORMONE_SENSITIVE, PRE_BIOPSY)

# pack.yaml parameters (psa_intermediate and psa_high_risk live in bench/baseline.py).
DOCETAXEL_M0_PSA = 40  # docetaxel_m0_psa: PSA above 40
STAMPEDE_PSA = 40  # stampede_psa: PSA 40 or more
ADT_WINDOW_DAYS = 84  # adt_window_days: 12 weeks
NMCRPC_PSADT_MONTHS = 10  # nmcrpc_psadt_months: doubling time 10 months or less
LATITUDE_BONE_LESIONS = 3  # latitude_bone_lesions
RELAPSE_ADT_PSADT_MONTHS = 3  # relapse_adt_psadt_months: doubling time under 3 months
LIKERT_BIOPSY = 3  # likert_biopsy

METASTATIC_STAGES = frozenset({"M1", "M1a", "M1b", "M1c"})
T3_T4 = T3 | {"T4"}


# Facts and derived facts (data.yaml, derive.yaml) -----------------------------------------

def flag(facts: Mapping[str, Any], name: str) -> bool:
    """A yes/no item whose data.yaml default is false (history and preference items)."""
    value = facts.get(name)
    return False if value is None else value


def assessed(value: str | None, not_assessed: str) -> str | None:
    """A staging value, or None when it is missing or 'not assessed' (TX, MX)."""
    return None if value == not_assessed else value


def is_newly_diagnosed(facts: Mapping[str, Any]) -> bool:
    """derive.yaml `newly_diagnosed`: no radical treatment, relapse or castration resistance."""
    prior = facts.get("prior_radical_treatment")
    return ((prior is None or prior == "none") and not flag(facts, "biochemical_relapse")
            and not flag(facts, "castration_resistant"))


def biopsied_of(facts: Mapping[str, Any], newly_diagnosed: bool) -> bool | None:
    """derive.yaml `biopsied`: as recorded, else implied by pathology or history, else None."""
    done = facts.get("biopsy_done")
    if done is not None:
        return done
    if (facts.get("grade_group") is not None or facts.get("gleason_primary") is not None
            or facts.get("gleason_secondary") is not None
            or facts.get("mri_biopsy_concordant") is not None or not newly_diagnosed):
        return True
    return None


def adt_started_too_long_ago(facts: Mapping[str, Any], as_of: date | None) -> bool:
    """`coalesce(days_since_adt_start > adt_window_days, false)`: an unknown date is no."""
    started = facts.get("adt_start_date")
    if started is None or as_of is None:
        return False
    if isinstance(started, str):
        started = date.fromisoformat(started)
    return (as_of - started).days > ADT_WINDOW_DAYS


def recommends(net_support: int, excluded: bool = False) -> bool:
    """The recommendation rule: not excluded and net support at least the threshold."""
    return not excluded and net_support >= RECOMMEND_THRESHOLD


@dataclass(slots=True)
class Derived:
    """The derived facts several decisions share, worked out once per case."""

    psa: float | None
    grade_group: int | None
    t_stage: str | None  # None when missing or TX
    m_stage: str | None  # None when missing or MX
    cpg: int | None
    metastatic: bool | None
    newly_diagnosed: bool
    biopsied: bool | None


def derive(facts: Mapping[str, Any]) -> Derived:
    """The shared derived facts of derive.yaml from the raw facts."""
    psa = facts.get("psa")
    grade_group = grade_group_of(facts)
    t_stage = assessed(facts.get("t_stage"), "TX")
    m_stage = assessed(facts.get("m_stage"), "MX")
    newly_diagnosed = is_newly_diagnosed(facts)
    return Derived(psa, grade_group, t_stage, m_stage,
                   cambridge_prognostic_group(psa, grade_group, t_stage),
                   None if m_stage is None else m_stage in METASTATIC_STAGES,
                   newly_diagnosed, biopsied_of(facts, newly_diagnosed))


def newly_diagnosed_m0_applies(d: Derived) -> bool | None:
    """`biopsied and newly_diagnosed and m_stage == "M0"`: True, False or None (unknown)."""
    if not d.newly_diagnosed or d.biopsied is False or d.metastatic:
        return False
    if d.biopsied is None or d.m_stage is None:
        return None
    return True


# The decisions ----------------------------------------------------------------------------

def pre_biopsy(facts: Mapping[str, Any], d: Derived) -> Decided:
    """decisions/pre_biopsy.yaml: biopsy after a pre-biopsy MRI (applies when not biopsied)."""
    if d.biopsied is None:
        return None
    if d.biopsied:
        return NOT_APPLICABLE
    likert = facts.get("mri_likert")
    if likert is None:
        return None
    high = likert >= LIKERT_BIOPSY
    low = not high
    options = []
    if recommends(high - low):
        options.append("mri_influenced_biopsy")
    if recommends(low, excluded=high):
        options.append("omit_biopsy")
    if recommends(low, excluded=high):
        options.append("systematic_biopsy")
    return tuple(options)


def localised_treatment(facts: Mapping[str, Any], d: Derived) -> Decided:
    """decisions/localised_treatment.yaml: newly diagnosed M0 disease by CPG.

    The candidates' arguments are written out in bench/baseline.py (localised_recommended).
    """
    applies = newly_diagnosed_m0_applies(d)
    if applies is False:
        return NOT_APPLICABLE
    fit = facts.get("fit_for_radical_treatment")
    declines = flag(facts, "declines_radical_treatment")
    if applies is None or d.cpg is None:
        return None
    if fit is None:
        # Declined radical treatment at CPG 4-5: every option but watchful waiting is
        # excluded whatever the fitness; otherwise the fitness is needed.
        return ("watchful_waiting",) if declines and d.cpg >= 4 else None
    return localised_recommended(d.cpg, fit, declines)


def high_risk_m0(facts: Mapping[str, Any], d: Derived, as_of: date | None) -> Decided:
    """decisions/high_risk_non_metastatic_systemic.yaml: docetaxel or abiraterone for M0.

    Applies when biopsied, newly diagnosed, M0 and CPG 4-5 or N1. N1 settles both whether
    it applies and the STAMPEDE criteria, so a node-positive case needs no CPG.
    """
    applies = newly_diagnosed_m0_applies(d)
    n_stage = facts.get("n_stage")
    node_positive = n_stage == "N1"
    if applies is False or (not node_positive and n_stage is not None
                            and d.cpg is not None and d.cpg <= 3):
        return NOT_APPLICABLE
    if (applies is None or (not node_positive and d.cpg is None)
            or (n_stage is None and d.cpg <= 3)):
        return None
    # From here the case is N1, or CPG 4-5 with PSA, grade group and T stage all known.
    t3_t4 = None if d.t_stage is None else d.t_stage in T3_T4
    gleason_8_10 = None if d.grade_group is None else d.grade_group >= 4
    psa_above_40 = None if d.psa is None else d.psa > DOCETAXEL_M0_PSA
    # derive.yaml docetaxel_m0_high_risk: T3-T4, Gleason 8-10 or PSA above 40
    docetaxel_criteria = (t3_t4, gleason_8_10, psa_above_40)
    docetaxel_high_risk = True in docetaxel_criteria
    comorbid = flag(facts, "significant_comorbidity")
    if not docetaxel_high_risk and None in docetaxel_criteria and not comorbid:
        return None
    # derive.yaml stampede_high_risk: N1, or two of T3-T4, Gleason 8-10 and PSA 40 or more
    stampede = node_positive or t3_t4 + gleason_8_10 + (d.psa >= STAMPEDE_PSA) >= 2
    if not stampede and n_stage is None:
        return None
    options = []
    if recommends(docetaxel_high_risk, excluded=comorbid):
        options.append("docetaxel")
    if recommends(stampede - adt_started_too_long_ago(facts, as_of),
                  excluded=flag(facts, "prior_arta")):
        options.append("abiraterone")
    return tuple(options)


def biochemical_relapse(facts: Mapping[str, Any], d: Derived) -> Decided:
    """decisions/biochemical_relapse.yaml: a rising PSA after radical treatment."""
    if not flag(facts, "biochemical_relapse") or flag(facts, "castration_resistant"):
        return NOT_APPLICABLE
    metastatic = d.metastatic
    prior = facts.get("prior_radical_treatment")
    doubling_time = facts.get("psa_doubling_time_months")
    fast = doubling_time is not None and doubling_time < RELAPSE_ADT_PSADT_MONTHS
    if metastatic is None:
        # A doubling time under 3 months, not after prostatectomy, decides without the M
        # stage: hormone therapy either way, no monitoring, no salvage radiotherapy.
        not_after_prostatectomy = prior is not None and prior != "prostatectomy"
        return ("hormone_therapy",) if fast and not_after_prostatectomy else None
    if not metastatic and (prior is None or doubling_time is None):
        return None
    # With metastases the doubling time cannot change the set: monitoring stays at or below
    # 0 and hormone therapy at or above 1 whichever it is.
    options = []
    if recommends(prior == "prostatectomy" and not metastatic, excluded=metastatic):
        options.append("salvage_radiotherapy")
    if recommends((not metastatic) - fast):
        options.append("psa_monitoring")
    if recommends(metastatic + fast):
        options.append("hormone_therapy")
    return tuple(options)


def latitude_high_risk(facts: Mapping[str, Any], d: Derived) -> bool | None:
    """derive.yaml latitude_high_risk: two of Gleason 8+, 3+ bone lesions, visceral disease."""
    bones = facts.get("bone_metastasis_count")
    visceral = facts.get("visceral_metastases")
    if d.grade_group is None or bones is None or visceral is None:
        return None
    return (d.grade_group >= 4) + (bones >= LATITUDE_BONE_LESIONS) + visceral >= 2


def metastatic_hormone_sensitive(facts: Mapping[str, Any], d: Derived, as_of: date | None
                                 ) -> Decided:
    """decisions/metastatic_hormone_sensitive_treatment.yaml: M1, not castration resistant.

    Applies when `coalesce(biopsied, true) and metastatic and not castration_resistant`.
    """
    if d.biopsied is False or d.metastatic is False or flag(facts, "castration_resistant"):
        return NOT_APPLICABLE
    suitable = facts.get("docetaxel_suitable")
    if d.metastatic is None or suitable is None:
        return None
    prior_arta = flag(facts, "prior_arta")
    late_adt = adt_started_too_long_ago(facts, as_of)
    status = facts.get("who_performance_status")
    if suitable and not prior_arta and not late_adt and status is None:
        return None  # darolutamide with docetaxel turns on the performance status
    prior = facts.get("prior_radical_treatment")
    abiraterone_excluded = prior_arta or (prior is not None and prior != "none")
    high_risk = False if abiraterone_excluded else latitude_high_risk(facts, d)
    if high_risk is None:
        return None
    unsuitable = not suitable
    status_2_plus = status is not None and status >= 2  # unknown only where it cannot matter
    darolutamide = (suitable + unsuitable
                    - (suitable and status_2_plus) - (suitable and late_adt))
    options = ["adt"]  # adt_backbone: weight 2 whenever the decision applies
    if recommends(suitable, excluded=unsuitable):
        options.append("docetaxel")
    if recommends(1, excluded=prior_arta):
        options.append("enzalutamide")
    if recommends(unsuitable, excluded=suitable or prior_arta):
        options.append("apalutamide")
    if recommends(darolutamide, excluded=prior_arta):
        options.append("darolutamide")
    if recommends(high_risk, excluded=abiraterone_excluded):
        options.append("abiraterone")
    return tuple(options)


def castration_resistant(facts: Mapping[str, Any], d: Derived) -> Decided:
    """decisions/castration_resistant_disease.yaml: nmCRPC (M0) and mCRPC (M1)."""
    if not flag(facts, "castration_resistant"):
        return NOT_APPLICABLE
    if d.m_stage is None:
        return None
    metastatic = d.metastatic
    m0 = not metastatic  # a known M stage is M0 or M1, M1a, M1b, M1c
    prior_arta = flag(facts, "prior_arta")
    prior_docetaxel = flag(facts, "prior_docetaxel")
    doubling_time = facts.get("psa_doubling_time_months")
    suitable = facts.get("docetaxel_suitable")
    status = facts.get("who_performance_status")
    symptomatic = facts.get("symptomatic_bone_metastases")
    visceral = facts.get("visceral_metastases")
    brca = facts.get("brca_status")
    # What each candidate needs, only where it could change the candidate.
    if m0 and not prior_arta and doubling_time is None:
        return None  # darolutamide, apalutamide
    if metastatic and not prior_docetaxel and suitable is None:
        return None  # docetaxel (and radium-223)
    if metastatic and status is None and (prior_docetaxel or suitable):
        return None  # cabazitaxel after docetaxel; docetaxel at WHO PS 3-4
    radium_eligible = metastatic and (prior_docetaxel or suitable is False)
    if radium_eligible and visceral is not True and (
            symptomatic is None or (symptomatic and visceral is None)):
        return None  # radium-223
    if metastatic and prior_arta and brca is None:
        return None  # olaparib
    # From here an unknown value only stands where it cannot change a candidate.
    nmcrpc_high_risk = m0 and doubling_time is not None and doubling_time <= NMCRPC_PSADT_MONTHS
    status_0_1 = status is not None and status <= 1
    status_2_plus = status is not None and status >= 2
    status_3_plus = status is not None and status >= 3
    options = []
    if recommends(nmcrpc_high_risk, excluded=metastatic or prior_arta):
        options.append("darolutamide")
    if recommends(nmcrpc_high_risk, excluded=metastatic or prior_arta):
        options.append("apalutamide")
    before_after_docetaxel = ((metastatic and not prior_docetaxel)
                              + (metastatic and prior_docetaxel))
    if recommends(before_after_docetaxel, excluded=m0 or prior_arta):
        options.append("enzalutamide")
    if recommends(before_after_docetaxel, excluded=m0 or prior_arta):
        options.append("abiraterone")
    if recommends((metastatic and suitable is True) - 2 * status_3_plus,
                  excluded=prior_docetaxel or suitable is False or m0):
        options.append("docetaxel")
    if recommends(metastatic and prior_docetaxel and status_0_1,
                  excluded=status_2_plus or not prior_docetaxel):
        options.append("cabazitaxel")
    if recommends(radium_eligible and symptomatic is True, excluded=visceral is True):
        options.append("radium_223")
    if recommends(metastatic and prior_arta and brca == "pathogenic_variant",
                  excluded=brca == "no_variant"):
        options.append("olaparib")
    # lutetium_177_psma is information only: never recommended (NICE TA930).
    return tuple(options)


# The whole case ---------------------------------------------------------------------------

def full_baseline(case: Mapping[str, Any], *, as_of: date | None = None
                  ) -> tuple[int | None, dict[str, Decided]]:
    """The case's CPG and, per decision id, its recommended options or None (data missing).

    ``as_of`` is the evaluation date (the ADT window needs it); without it, as with the
    engine, the time since ADT started is unknown and never held against an option.
    """
    facts = case["facts"]
    d = derive(facts)
    return d.cpg, {
        BIOCHEMICAL_RELAPSE: biochemical_relapse(facts, d),
        CASTRATION_RESISTANT: castration_resistant(facts, d),
        HIGH_RISK_M0: high_risk_m0(facts, d, as_of),
        LOCALISED: localised_treatment(facts, d),
        METASTATIC_HORMONE_SENSITIVE: metastatic_hormone_sensitive(facts, d, as_of),
        PRE_BIOPSY: pre_biopsy(facts, d),
    }
