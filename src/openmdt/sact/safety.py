"""Safety checks of one cycle's prescription (SACT notes §3, §4, §5): pure, typed, sourced.

Each check says exactly why, and what it needs: ``stop`` (a hard stop, no override),
``override`` (blocked until a reason is recorded, and a second person's acknowledgement
where ``second_person``), ``modification`` (a dose change the protocol makes) or ``warning``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from openmdt.sact.dose import DoseCalculation
from openmdt.sact.model import DPD_DRUGS, TEST_LABELS, Criterion, Protocol
from openmdt.sact.quantities import plain, rounded

D = Decimal
Outcome = Literal["stop", "override", "modification", "warning"]

# Doxorubicin-equivalence factors (Feijen et al., JAMA Oncol 2019, table; SACT notes §4.1 [C]).
ANTHRACYCLINE_FACTORS = {"doxorubicin": D(1), "epirubicin": D("0.8"),
                         "daunorubicin": D("0.6"), "mitoxantrone": D("10.5")}
NO_RELIABLE_FACTOR = ("idarubicin",)  # the ESC table's ratio is efficacy-based (§4.1)
DOXORUBICIN_LIMIT = D(550)  # mg/m2 lifetime (doxorubicin SmPC, MIMS Rubicin copy) [C]
DOXORUBICIN_LIMIT_AFTER_CHEST_RT = D(400)  # after chest RT or other cardiotoxic drugs [C]
BLEOMYCIN_LIMIT_IU = D(500_000)  # lifetime, UK SmPC (Bleo-Kyowa) [C]
WEIGHT_CHANGE_PERCENT = D(10)  # >= 10% forces recalculation (UpToDate table; §4.3) [S]
CREATININE_CHANGE_PERCENT = D(20)  # > 20% change in renal function (ADDIKD via eviQ) [C]
DPYD_STATUSES = ("normal", "partial_deficiency", "complete_deficiency", "unknown")


@dataclass(frozen=True)
class Result:
    """A laboratory result with its unit and date; ``upper_limit`` for results read as x ULN."""

    test: str
    value: Decimal
    unit: str
    taken_on: date
    upper_limit: Decimal | None = None


@dataclass(frozen=True)
class DoseGiven:
    """A dose the patient had (here or entered by hand from elsewhere)."""

    drug: str
    amount: Decimal
    unit: str
    mg_per_m2: Decimal | None
    given_on: date


@dataclass(frozen=True)
class Check:
    """One finding about a prescription, with its stable code, words and source."""

    code: str
    outcome: Outcome
    message: str
    source: str
    second_person: bool = False
    drug: str | None = None

    @property
    def blocks(self) -> bool:
        return self.outcome in ("stop", "override")

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "outcome": self.outcome, "message": self.message,
                "source": self.source, "second_person": self.second_person, "drug": self.drug}


@dataclass(frozen=True)
class PreviousCycle:
    """What the last verified cycle rested on, and the reductions it carried."""

    cycle_number: int
    weight_kg: Decimal
    creatinine_umol_l: Decimal | None
    percent: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class CycleContext:
    """Everything the checks read for one cycle of one course."""

    protocol: Protocol
    cycle_number: int
    treatment_date: date
    weight_kg: Decimal
    results: tuple[Result, ...]
    history: tuple[DoseGiven, ...] = ()
    dpyd_status: str = "unknown"
    chest_radiotherapy: bool = False
    indication_ok: bool = False
    other_active_drugs: frozenset[str] = frozenset()
    previous: PreviousCycle | None = None
    chosen_percent: dict[str, Decimal] = field(default_factory=dict)
    started_on_version: str | None = None  # set when the protocol changed since the start


def latest(results: tuple[Result, ...], test: str) -> Result | None:
    """The newest result of a test."""
    found = [r for r in results if r.test == test]
    return max(found, key=lambda r: r.taken_on) if found else None


def criteria_percent(context: CycleContext, crcl: Decimal | None
                     ) -> tuple[dict[str, Decimal], list[Check]]:
    """Each drug's percent after the protocol's count and organ-function rules, and checks."""
    percent: dict[str, Decimal] = {}
    checks: list[Check] = []
    for criterion in context.protocol.criteria:
        value, problem = _criterion_value(context, criterion, crcl)
        if problem is not None:
            checks.append(problem)
            continue
        assert value is not None
        band = next(b for b in criterion.bands if b.contains(value))
        if band.action == "give":
            continue
        checks.append(_band_check(context.protocol, criterion, value, band.action,
                                  band.percent, band.drugs, band.describe(criterion.unit)))
        if band.action == "reduce":
            for drug in band.drugs or tuple(d.drug for d in context.protocol.anticancer_drugs):
                percent[drug] = min(percent.get(drug, D(100)), band.percent)
    return percent, checks


def _criterion_value(context: CycleContext, criterion: Criterion, crcl: Decimal | None
                     ) -> tuple[Decimal | None, Check | None]:
    label = TEST_LABELS[criterion.test]
    source = criterion.source.text
    test = "creatinine" if criterion.test == "creatinine_clearance" else criterion.test
    result = latest(context.results, test)
    if result is None:
        return None, Check("result_missing", "stop", f"no {label} result: the protocol needs "
                           f"one from the {criterion.valid_days} days before treatment", source)
    oldest = context.treatment_date - timedelta(days=criterion.valid_days)
    if result.taken_on < oldest or result.taken_on > context.treatment_date:
        return None, Check("result_out_of_date", "stop",
                           f"the {label} result of {_day(result.taken_on)} is not within the "
                           f"{criterion.valid_days} days before treatment on "
                           f"{_day(context.treatment_date)}", criterion.valid_days_source.text)
    if criterion.test == "creatinine_clearance":
        if crcl is None:
            return None, Check("result_missing", "stop", f"no {label}: it needs the "
                               "creatinine, age and sex", source)
        return crcl, None
    if criterion.unit == "ULN":
        if result.unit == "ULN":
            return result.value, None
        if result.upper_limit is None:
            return None, Check("result_needs_uln", "stop", f"the {label} result needs the "
                               "laboratory's upper limit of normal", source)
        return result.value / result.upper_limit, None
    if result.unit != criterion.unit:
        return None, Check("result_unit", "stop", f"{label} is read in {criterion.unit}, the "
                           f"result is in {result.unit}", source)
    return result.value, None


def _band_check(protocol: Protocol, criterion: Criterion, value: Decimal, action: str,
                percent: Decimal, drugs: tuple[str, ...], words: str) -> Check:
    label = TEST_LABELS[criterion.test]
    who = ", ".join(drugs) if drugs else protocol.title.split(" - ")[0]
    shown = f"{plain(rounded(value, 2))} {criterion.unit}"
    if action == "hold":
        return Check(f"{criterion.test}_hold", "stop",
                     f"{label} {shown} is {words}: hold {who}", criterion.source.text)
    return Check(f"{criterion.test}_reduce", "modification",
                 f"{label} {shown} is {words}: {who} at {plain(percent)}% of the dose",
                 criterion.source.text)


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def cumulative_checks(context: CycleContext, calculation: DoseCalculation) -> list[Check]:
    """Lifetime anthracycline (doxorubicin-equivalent) and bleomycin totals (§4.1)."""
    return _anthracycline(context, calculation) + _bleomycin(context, calculation)


def _anthracycline(context: CycleContext, calculation: DoseCalculation) -> list[Check]:
    lines = [line for line in calculation.lines if line.drug in ANTHRACYCLINE_FACTORS]
    if not lines:
        return []
    unknown = sorted({g.drug for g in context.history if g.drug in NO_RELIABLE_FACTOR})
    if unknown:
        return [Check("anthracycline_unconvertible", "override",
                      f"earlier {', '.join(unknown)} has no reliable doxorubicin equivalent: "
                      "the lifetime total cannot be counted", "Feijen et al. 2019; notes §4.1",
                      second_person=True)]
    before = sum((g.mg_per_m2 * ANTHRACYCLINE_FACTORS[g.drug] for g in context.history
                  if g.drug in ANTHRACYCLINE_FACTORS and g.mg_per_m2 is not None), D(0))
    this = sum((line.dose_mg / calculation.bsa.value * ANTHRACYCLINE_FACTORS[line.drug]
                for line in lines), D(0))
    limit = (DOXORUBICIN_LIMIT_AFTER_CHEST_RT if context.chest_radiotherapy
             else DOXORUBICIN_LIMIT)
    remaining = context.protocol.cycles - context.cycle_number
    projected = before + this * (1 + max(remaining, 0))
    source = ("doxorubicin SmPC (MIMS Rubicin): 550 mg/m2, 400 after chest radiotherapy or "
              "other cardiotoxic drugs; Feijen et al. 2019 equivalence; notes §4.1")
    words = (f"lifetime anthracycline {_mg(before)} mg/m2 doxorubicin-equivalent before this "
             f"cycle, {_mg(before + this)} with it, {_mg(projected)} at the end of the course; "
             f"limit {plain(limit)} mg/m2")
    if before + this > limit:
        return [Check("anthracycline_limit", "override", words + ": this cycle passes the limit",
                      source, second_person=True)]
    if projected > limit:
        return [Check("anthracycline_projected", "warning",
                      words + ": the planned course would pass the limit", source)]
    return [Check("anthracycline_total", "warning", words, source)]


def _bleomycin(context: CycleContext, calculation: DoseCalculation) -> list[Check]:
    lines = [line for line in calculation.lines if line.drug == "bleomycin"]
    if not lines:
        return []
    before = sum((g.amount for g in context.history if g.drug == "bleomycin"), D(0))
    total = before + sum((line.cycle_total_mg for line in lines), D(0))
    if total > BLEOMYCIN_LIMIT_IU:
        return [Check("bleomycin_limit", "override",
                      f"lifetime bleomycin {plain(total)} IU with this cycle passes "
                      f"{plain(BLEOMYCIN_LIMIT_IU)} IU", "Bleo-Kyowa SmPC; notes §4.1",
                      second_person=True)]
    return []


def _mg(value: Decimal) -> str:
    return plain(rounded(value, 1))


def course_checks(context: CycleContext) -> list[Check]:
    """Checks about the course: cycle count, DPD, duplicate therapy, indication, changes."""
    checks = _cycle_count(context) + _dpd(context) + _duplicates(context)
    if not context.indication_ok:
        checks.append(Check("indication_not_chosen", "override",
                            f"{context.protocol.title} is not among the options the MDT chose "
                            "for this patient: record why", "issue 14; NCEPOD 2008 (decision "
                            "to treat at consultant level, notes §4.4)"))
    return checks + _protocol_change(context) + _changes(context) + _escalation(context)


def _protocol_change(context: CycleContext) -> list[Check]:
    if context.started_on_version is None:
        return []
    return [Check("protocol_changed", "override", f"{context.protocol.id} changed since the "
                  f"course started on version {context.started_on_version}; it is now version "
                  f"{context.protocol.version}: record why this patient continues on it",
                  "notes §4.4 (protocols under change control); local policy")]


def _cycle_count(context: CycleContext) -> list[Check]:
    if context.cycle_number > context.protocol.cycles:
        return [Check("course_complete", "stop",
                      f"the protocol has {context.protocol.cycles} cycles; this would be cycle "
                      f"{context.cycle_number}", context.protocol.cycles_source.text)]
    return []


def _dpd(context: CycleContext) -> list[Check]:
    drugs = sorted({d.drug for d in context.protocol.drugs if d.drug in DPD_DRUGS})
    if not drugs:
        return []
    source = "MHRA Drug Safety Update, October 2020 (notes §3.5)"
    which = ", ".join(drugs)
    if context.dpyd_status == "complete_deficiency":
        return [Check("dpd_complete_deficiency", "stop", f"complete DPD deficiency: do not "
                      f"give {which}", source)]
    if context.dpyd_status == "partial_deficiency":
        return [Check("dpd_partial_deficiency", "override", f"partial DPD deficiency: start "
                      f"{which} at a reduced dose and record it", source)]
    if context.dpyd_status != "normal":
        return [Check("dpd_unknown", "override", f"no DPYD result before {which}: record the "
                      "result, or why treatment cannot wait for it", source)]
    return []


def _duplicates(context: CycleContext) -> list[Check]:
    drugs = {d.drug for d in context.protocol.anticancer_drugs} & context.other_active_drugs
    if drugs:
        return [Check("duplicate_therapy", "override", f"{', '.join(sorted(drugs))} is also "
                      "in another active course for this patient", "issue 14 (duplicate "
                      "therapy); local policy")]
    return []


def _changes(context: CycleContext) -> list[Check]:
    previous = context.previous
    if previous is None:
        return []
    checks = []
    change = abs(context.weight_kg - previous.weight_kg) / previous.weight_kg * 100
    if change >= WEIGHT_CHANGE_PERCENT:
        checks.append(Check("weight_changed", "warning", f"weight changed by "
                            f"{plain(rounded(change, 1))}% since cycle {previous.cycle_number}: "
                            "doses recalculated on today's weight; verify again",
                            "UpToDate regimen table; Western Health EHR (notes §4.3)"))
    creatinine = latest(context.results, "creatinine")
    if creatinine is not None and previous.creatinine_umol_l:
        change = abs(creatinine.value - previous.creatinine_umol_l) / previous.creatinine_umol_l
        if change * 100 > CREATININE_CHANGE_PERCENT:
            checks.append(Check("creatinine_changed", "warning", f"creatinine changed by "
                                f"{plain(rounded(change * 100, 1))}% since cycle "
                                f"{previous.cycle_number}: doses recalculated; verify again",
                                "ADDIKD via eviQ (notes §4.3)"))
    return checks


def _escalation(context: CycleContext) -> list[Check]:
    previous = context.previous
    if previous is None:
        return []
    checks = []
    for drug, before in previous.percent.items():
        now = context.chosen_percent.get(drug, D(100))
        if now > before:
            checks.append(Check("dose_re_escalated", "override", f"{drug} goes back up from "
                                f"{plain(before)}% to {plain(now)}%: record why",
                                "capecitabine SmPC (no re-escalation); notes §1.4, §5.2",
                                drug=drug))
    return checks


def calculation_checks(calculation: DoseCalculation) -> list[Check]:
    """Checks the dose calculation raises: BSA capped, doses capped, bands, no band."""
    checks = []
    if calculation.bsa_used_m2 != calculation.bsa.value:
        checks.append(Check("bsa_capped", "override", calculation.notes[0] + "; record why "
                            "for this patient", "notes §1.2 (design: capping needs a reason)"))
    for line in calculation.lines:
        for flag in line.flags:
            code = "dose_capped" if "capped" in flag else "band_beyond_tolerance"
            checks.append(Check(code, "modification" if code == "dose_capped" else "warning",
                                f"{line.drug}: {flag}", "protocol maximum; notes §2, §4.2",
                                drug=line.drug))
        if line.banded_mg is None and line.unbanded_reason and "outside every band" in \
                line.unbanded_reason:
            checks.append(Check("unbanded", "warning", f"{line.drug}: {line.unbanded_reason}",
                                "NHS England dose banding (notes §2)", drug=line.drug))
    return checks
