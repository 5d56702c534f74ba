"""The full hand-written yardstick: the CPG and all eight prostate decisions as plain Python.

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
apply, or `None` when a fact the decision needs for this case is missing.

Absent means unknown: only `significant_comorbidity` has a `default` in `data.yaml` (no), so
treatment history, castration status, relapse and the person's wishes are never read as "no".
The recorded `pathway_point` fills `castration_resistant`, `biochemical_relapse` and
`prior_radical_treatment` where the case does not record them (derive.yaml, `fills_item`),
decides `biopsied` first, and `newly_diagnosed` is `pathway_point == "new_diagnosis"`. The
`not_assessed` values (TX, MX, pTX, pNX) count as missing, and NX counts as unknown for the
STAMPEDE node criterion at CPG 4-5 (`clinical_n`), as in the pack. Where an expression is
written with `coalesce`, or a result holds whatever an unknown value is, the unknown is
decided here as the pack decides it. If the pack changes, the agreement test
(tests/bench/test_baseline_full.py) says so and this file must follow it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bench.baseline import (
    NEW_DIAGNOSIS,
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
GERMLINE_TESTING = "germline_testing"
HIGH_RISK_M0 = "high_risk_non_metastatic_systemic"
LOCALISED = "localised_treatment"
METASTATIC_HORMONE_SENSITIVE = "metastatic_hormone_sensitive_treatment"
POST_PROSTATECTOMY = "post_prostatectomy"
PRE_BIOPSY = "pre_biopsy"
DECISION_IDS = (BIOCHEMICAL_RELAPSE, CASTRATION_RESISTANT, GERMLINE_TESTING, HIGH_RISK_M0,
                LOCALISED, METASTATIC_HORMONE_SENSITIVE, POST_PROSTATECTOMY, PRE_BIOPSY)

# pack.yaml parameters (psa_intermediate and psa_high_risk live in bench/baseline.py).
DOCETAXEL_M0_PSA = 40  # docetaxel_m0_psa: PSA above 40
STAMPEDE_PSA = 40  # stampede_psa: PSA 40 or more
ADT_WINDOW_DAYS = 84  # adt_window_days: 12 weeks
NMCRPC_PSADT_MONTHS = 10  # nmcrpc_psadt_months: doubling time 10 months or less
LATITUDE_BONE_LESIONS = 3  # latitude_bone_lesions
RELAPSE_ADT_PSADT_MONTHS = 3  # relapse_adt_psadt_months: doubling time under 3 months
LIKERT_BIOPSY = 3  # likert_biopsy
POST_OP_PSA_UNDETECTABLE = 0.1  # post_op_psa_undetectable (ng/mL)
RESTAGING_RELAPSE_PSA = 2  # restaging_relapse_psa (ng/mL) after radiotherapy

METASTATIC_STAGES = frozenset({"M1", "M1a", "M1b", "M1c"})
T3_T4 = T3 | {"T4"}
# derive.yaml: the pathway points at which castration resistance is filled in as "no" ...
HORMONE_NAIVE_POINTS = frozenset({"pre_biopsy", "new_diagnosis", "post_prostatectomy",
                                  "biochemical_relapse", "active_surveillance_review"})
# ... and at which previous radical treatment is filled in as "none".
NO_RADICAL_TREATMENT_POINTS = frozenset({"pre_biopsy", "new_diagnosis",
                                         "active_surveillance_review"})


# Facts and derived facts (data.yaml, derive.yaml) -----------------------------------------

def all_of(*values: bool | None) -> bool | None:
    """Three-valued `and`: False if any is False, else None if any is unknown, else True."""
    if False in values:
        return False
    return None if None in values else True


def any_of(*values: bool | None) -> bool | None:
    """Three-valued `or`: True if any is True, else None if any is unknown, else False."""
    if True in values:
        return True
    return None if None in values else False


def at_least_two(*values: bool | None) -> bool | None:
    """`at_least(2, ...)`: True with two that hold, False when two can no longer hold."""
    holding = values.count(True)
    if holding >= 2:
        return True
    return False if holding + values.count(None) < 2 else None


def is_true(value: bool | None) -> bool | None:
    """`item == true` on a yes/no item: unknown when the item is."""
    return None if value is None else value is True


def at_least(value: float | None, bound: float) -> bool | None:
    """`value >= bound`: unknown when the value is."""
    return None if value is None else value >= bound


def assessed(value: str | None, not_assessed: str) -> str | None:
    """A staging value, or None when it is missing or 'not assessed' (TX, MX, pTX, pNX)."""
    return None if value == not_assessed else value


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
    pathway_point: str | None
    newly_diagnosed: bool | None
    biopsied: bool | None
    castration_resistant: bool | None  # recorded, else from the pathway point
    biochemical_relapse: bool | None  # recorded, else from the pathway point
    prior_radical_treatment: str | None  # recorded, else from the pathway point


def biopsied_of(facts: Mapping[str, Any], pathway_point: str | None) -> bool | None:
    """derive.yaml `biopsied`: no before biopsy, yes at any later pathway point; without a
    pathway point, `biopsy_done` when recorded, else yes when pathology is recorded."""
    if pathway_point is not None:
        return pathway_point != "pre_biopsy"
    if facts.get("biopsy_done") is not None:
        return facts["biopsy_done"]
    pathology = ("grade_group", "gleason_primary", "gleason_secondary", "mri_biopsy_concordant")
    return True if any(facts.get(name) is not None for name in pathology) else None


def derive(facts: Mapping[str, Any]) -> Derived:
    """The shared derived facts of derive.yaml from the raw facts."""
    psa = facts.get("psa")
    grade_group = grade_group_of(facts)
    t_stage = assessed(facts.get("t_stage"), "TX")
    m_stage = assessed(facts.get("m_stage"), "MX")
    point = facts.get("pathway_point")
    castration_resistant = facts.get("castration_resistant")
    relapse = facts.get("biochemical_relapse")
    prior = facts.get("prior_radical_treatment")
    if point is not None:  # fills_item: only what the case does not record
        if castration_resistant is None:
            castration_resistant = (True if point == "castration_resistant"
                                    else False if point in HORMONE_NAIVE_POINTS else None)
        if relapse is None:
            relapse = point == "biochemical_relapse"
        if prior is None:
            prior = ("none" if point in NO_RADICAL_TREATMENT_POINTS
                     else "prostatectomy" if point == "post_prostatectomy" else None)
    return Derived(psa, grade_group, t_stage, m_stage,
                   cambridge_prognostic_group(psa, grade_group, t_stage),
                   None if m_stage is None else m_stage in METASTATIC_STAGES,
                   point, None if point is None else point == NEW_DIAGNOSIS,
                   biopsied_of(facts, point), castration_resistant, relapse, prior)


def newly_diagnosed_m0_applies(d: Derived) -> bool | None:
    """`biopsied and newly_diagnosed and m_stage == "M0"`: True, False or None (unknown)."""
    return all_of(d.biopsied, d.newly_diagnosed,
                  None if d.m_stage is None else d.m_stage == "M0")


# The decisions ----------------------------------------------------------------------------

def pre_biopsy(facts: Mapping[str, Any], d: Derived) -> Decided:
    """decisions/pre_biopsy.yaml: biopsy after a pre-biopsy MRI (not biopsied, not M1)."""
    if d.biopsied or d.metastatic:
        return NOT_APPLICABLE
    if d.biopsied is None:
        return None  # some option is always recommended, so an unknown applies stays open
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
    if applies is None or d.cpg is None or fit is None:
        return None
    return localised_recommended(d.cpg, fit, facts.get("declines_radical_treatment"),
                                 facts.get("active_surveillance_unacceptable"),
                                 facts.get("n_stage"))


def high_risk_m0(facts: Mapping[str, Any], d: Derived, as_of: date | None) -> Decided:
    """decisions/high_risk_non_metastatic_systemic.yaml: docetaxel or abiraterone for M0.

    Applies when biopsied, newly diagnosed, M0 and CPG 4-5 or N1 (`clinical_n`: NX is
    unknown at CPG 4-5, where it does not change whether the decision applies).
    """
    applies = newly_diagnosed_m0_applies(d)
    n_stage = facts.get("n_stage")
    cpg = d.cpg
    if cpg is not None and cpg >= 4:
        high_risk = True
        clinical_n = None if n_stage == "NX" else n_stage
    else:
        clinical_n = None if n_stage == "NX" and cpg is None else n_stage
        node_positive = None if clinical_n is None else clinical_n == "N1"
        high_risk = node_positive if cpg is not None else (True if node_positive else None)
    if applies is False or high_risk is False:
        return NOT_APPLICABLE
    if applies is None or high_risk is None:
        return None
    t_category_3_4 = None if d.t_stage is None else d.t_stage in T3_T4
    gleason_8_10 = None if d.grade_group is None else d.grade_group >= 4
    fit = is_true(facts.get("fit_for_radical_treatment"))
    # derive.yaml docetaxel_m0_high_risk: T3-T4, Gleason 8-10 or PSA above 40
    docetaxel_high_risk = any_of(t_category_3_4, gleason_8_10,
                                 None if d.psa is None else d.psa > DOCETAXEL_M0_PSA)
    docetaxel = all_of(docetaxel_high_risk, is_true(facts.get("long_term_adt_planned")), fit)
    if facts.get("significant_comorbidity") is True:  # the only default left: no
        docetaxel = False
    # derive.yaml stampede_high_risk: N1, or two of T3-T4, Gleason 8-10 and PSA 40 or more
    stampede = any_of(None if clinical_n is None else clinical_n == "N1",
                      at_least_two(t_category_3_4, gleason_8_10, at_least(d.psa, STAMPEDE_PSA)))
    abiraterone_for = all_of(stampede, is_true(facts.get("radiotherapy_planned")), fit)
    if abiraterone_for is False or adt_started_too_long_ago(facts, as_of):
        abiraterone = False  # net support at most 1 - 1
    elif abiraterone_for is None:
        abiraterone = None
    else:
        prior_arta = facts.get("prior_arta")
        abiraterone = None if prior_arta is None else not prior_arta
    if docetaxel is None or abiraterone is None:
        return None
    return ("docetaxel",) * docetaxel + ("abiraterone",) * abiraterone


def biochemical_relapse(facts: Mapping[str, Any], d: Derived) -> Decided:
    """decisions/biochemical_relapse.yaml: a rising PSA after radical treatment."""
    relapse, castration_resistant = d.biochemical_relapse, d.castration_resistant
    if relapse is False or castration_resistant:
        return NOT_APPLICABLE
    if relapse is None or castration_resistant is None:
        return None
    metastatic = d.metastatic
    if metastatic:
        # Salvage and restaging need no metastases; monitoring stays at or below 0;
        # hormone therapy at or above 1, whatever the history and doubling time.
        return ("hormone_therapy",)
    prior = d.prior_radical_treatment
    doubling_time = facts.get("psa_doubling_time_months")
    fast = doubling_time is not None and doubling_time < RELAPSE_ADT_PSADT_MONTHS
    # restaging_salvage_assessment: after radiotherapy, M0, relapse PSA 2 or more, unless
    # not fit for radical treatment.
    restaging: bool | None = False
    if prior != "prostatectomy" and prior != "none":  # radiotherapy, or unknown
        relapse_psa = facts.get("relapse_psa")
        fit = facts.get("fit_for_radical_treatment")
        restaging = False if fit is False else all_of(
            None if prior is None else prior == "radiotherapy",
            None if metastatic is None else True,
            at_least(relapse_psa, RESTAGING_RELAPSE_PSA),
            None if fit is None else True)
    if metastatic is None:
        # A doubling time under 3 months, not after prostatectomy, decides without the M
        # stage: hormone therapy either way, no monitoring, no salvage radiotherapy.
        not_after_prostatectomy = prior is not None and prior != "prostatectomy"
        if fast and not_after_prostatectomy and restaging is False:
            return ("hormone_therapy",)
        return None
    if prior is None or doubling_time is None or restaging is None:
        return None
    options = []
    if prior == "prostatectomy":
        options.append("salvage_radiotherapy")
    if recommends(1 - fast):
        options.append("psa_monitoring")
    if fast:
        options.append("hormone_therapy")
    if restaging:
        options.append("restaging_salvage_assessment")
    return tuple(options)


def latitude_high_risk(facts: Mapping[str, Any], d: Derived) -> bool | None:
    """derive.yaml latitude_high_risk: two of Gleason 8+, 3+ bone lesions, visceral disease."""
    bones = facts.get("bone_metastasis_count")
    return at_least_two(None if d.grade_group is None else d.grade_group >= 4,
                        at_least(bones, LATITUDE_BONE_LESIONS),
                        facts.get("visceral_metastases"))


def metastatic_hormone_sensitive(facts: Mapping[str, Any], d: Derived, as_of: date | None
                                 ) -> Decided:
    """decisions/metastatic_hormone_sensitive_treatment.yaml: M1, not castration resistant."""
    if d.metastatic is False or d.castration_resistant:
        return NOT_APPLICABLE
    suitable = facts.get("docetaxel_suitable")
    prior_arta = facts.get("prior_arta")
    if d.metastatic is None or d.castration_resistant is None or suitable is None \
            or prior_arta is None:
        return None  # enzalutamide turns on prior_arta; three options on suitability
    late_adt = adt_started_too_long_ago(facts, as_of)
    status = facts.get("who_performance_status")
    if suitable and not late_adt and status is None:
        return None  # docetaxel (PS 3-4) and darolutamide with docetaxel (PS 2+) turn on it
    prior = d.prior_radical_treatment
    high_risk = latitude_high_risk(facts, d)
    if prior_arta or (prior is not None and prior != "none") or high_risk is False:
        abiraterone = False
    elif high_risk is None or prior is None:
        return None
    else:
        abiraterone = True
    volume = facts.get("metastatic_volume")
    if volume == "high" or d.newly_diagnosed is False:
        radiotherapy = False
    elif volume is None or d.newly_diagnosed is None:
        return None
    else:
        radiotherapy = True  # low volume, newly diagnosed
    unsuitable = not suitable
    status_2_plus = status is not None and status >= 2  # unknown only where it cannot matter
    status_3_plus = status is not None and status >= 3
    darolutamide = (suitable + unsuitable
                    - (suitable and status_2_plus) - (suitable and late_adt))
    options = ["adt"]  # adt_backbone: weight 2 whenever the decision applies
    if recommends(suitable, excluded=unsuitable or status_3_plus or late_adt):
        options.append("docetaxel")
    if recommends(1, excluded=prior_arta):
        options.append("enzalutamide")
    if recommends(unsuitable, excluded=suitable or prior_arta):
        options.append("apalutamide")
    if recommends(darolutamide, excluded=prior_arta):
        options.append("darolutamide")
    if abiraterone:
        options.append("abiraterone")
    if radiotherapy:
        options.append("prostate_radiotherapy")
    return tuple(options)


def castration_resistant(facts: Mapping[str, Any], d: Derived) -> Decided:
    """decisions/castration_resistant_disease.yaml: nmCRPC (M0) and mCRPC (M1)."""
    if d.castration_resistant is False:
        return NOT_APPLICABLE
    if d.castration_resistant is None or d.m_stage is None:
        return None
    metastatic = d.metastatic
    m0 = not metastatic  # a known M stage is M0 or M1, M1a, M1b, M1c
    prior_arta = facts.get("prior_arta")
    prior_docetaxel = facts.get("prior_docetaxel")
    doubling_time = facts.get("psa_doubling_time_months")
    suitable = facts.get("docetaxel_suitable")
    status = facts.get("who_performance_status")
    symptomatic = facts.get("symptomatic_bone_metastases")
    visceral = facts.get("visceral_metastases")
    brca = facts.get("brca_status")
    # What each candidate needs, only where it could change the candidate.
    if metastatic and (prior_arta is None or prior_docetaxel is None):
        return None  # every newer agent; docetaxel, cabazitaxel, radium-223, olaparib
    nmcrpc_high_risk = m0 and doubling_time is not None and doubling_time <= NMCRPC_PSADT_MONTHS
    if m0 and ((doubling_time is None and prior_arta is not True)
               or (prior_arta is None and nmcrpc_high_risk)):
        return None  # darolutamide, apalutamide
    # From here prior_docetaxel is unknown only for M0 disease, where no candidate reads it
    # to any effect, and prior_arta only where darolutamide and apalutamide fail anyway.
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


def germline_testing(facts: Mapping[str, Any], d: Derived) -> Decided:
    """decisions/germline_testing.yaml: biopsied metastatic disease; refer when the germline
    result is recorded as not tested."""
    applies = all_of(d.biopsied, d.metastatic)
    if applies is False:
        return NOT_APPLICABLE
    brca = facts.get("brca_status")
    if applies is None or brca is None:
        return None
    return ("refer_germline_testing",) if brca == "not_tested" else ()


def post_prostatectomy(facts: Mapping[str, Any], d: Derived) -> Decided:
    """decisions/post_prostatectomy.yaml: the specimen's pathology and the first PSA."""
    if d.pathway_point != "post_prostatectomy":
        return None if d.pathway_point is None else NOT_APPLICABLE
    psa = facts.get("post_op_psa")
    n_stage = assessed(facts.get("pathological_n_stage"), "pNX")
    if psa is None or n_stage is None:
        return None  # every option but ADT turns on the PSA; ADT on the N stage
    undetectable = psa < POST_OP_PSA_UNDETECTABLE
    adjuvant = False
    if undetectable and n_stage == "pN0":
        t_stage = assessed(facts.get("pathological_t_stage"), "pTX")
        adjuvant = any_of(None if t_stage is None else t_stage in ("pT3b", "pT4"),
                          is_true(facts.get("surgical_margin_positive")))
        if adjuvant is None:
            return None
    if not undetectable and d.metastatic is None:
        return None  # salvage radiotherapy for a persistent PSA needs no known metastases
    options = []
    if undetectable:
        options.append("psa_monitoring_early_salvage")
    if adjuvant:
        options.append("adjuvant_radiotherapy")
    if not undetectable and not d.metastatic:
        options.append("salvage_radiotherapy_persistent_psa")
    if n_stage == "pN1":
        options.append("adt_node_positive")
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
        GERMLINE_TESTING: germline_testing(facts, d),
        HIGH_RISK_M0: high_risk_m0(facts, d, as_of),
        LOCALISED: localised_treatment(facts, d),
        METASTATIC_HORMONE_SENSITIVE: metastatic_hormone_sensitive(facts, d, as_of),
        POST_PROSTATECTOMY: post_prostatectomy(facts, d),
        PRE_BIOPSY: pre_biopsy(facts, d),
    }
