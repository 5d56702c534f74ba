"""Day doses of a protocol for one patient: BSA, clearance, calculated and banded doses.

Pure: measures in, typed result out. Every amount is a Decimal with its unit; rounding
happens only for display and for banding's two-decimal rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from openmdt.sact.banding import DEFAULT_BOUNDARY, Boundary, band_dose, load_table
from openmdt.sact.bsa import DEFAULT_FORMULA, BodySurfaceArea, MeasurementError, body_surface_area
from openmdt.sact.model import Drug, Protocol
from openmdt.sact.quantities import Quantity, plain, rounded
from openmdt.sact.renal import Clearance, Sex, calvert, cockcroft_gault

D = Decimal
CENT = D("0.01")


@dataclass(frozen=True)
class Measures:
    """What the dose rests on: height, weight and, when needed, creatinine, age and sex."""

    height_cm: Decimal
    weight_kg: Decimal
    creatinine: Quantity | None = None
    age_years: Decimal | None = None
    sex: Sex | None = None
    bsa_formula: str = DEFAULT_FORMULA
    weight_policy: str | None = None  # None: the protocol's


@dataclass(frozen=True)
class DoseLine:
    """One drug on one day: basis, calculated and banded dose, totals and flags."""

    drug: str
    basis: str
    route: str
    days: tuple[int, ...]
    administrations_per_day: int
    calculated_mg: Decimal
    unmodified_mg: Decimal
    percent: Decimal
    unit: str
    banded_mg: Decimal | None
    band_table_id: str | None
    band_table_version: str | None
    band_variance_percent: Decimal | None
    unbanded_reason: str | None
    flags: tuple[str, ...] = ()
    pump_rate_ml_h: Decimal | None = None
    infusion_hours: Decimal | None = None
    volume_ml: Decimal | None = None
    diluent: str | None = None

    @property
    def dose_mg(self) -> Decimal:
        """The dose per administration that is given: the band dose, else the calculated."""
        return self.banded_mg if self.banded_mg is not None else rounded(self.calculated_mg, 2)

    @property
    def daily_total_mg(self) -> Decimal:
        return self.dose_mg * self.administrations_per_day

    @property
    def cycle_total_mg(self) -> Decimal:
        return self.daily_total_mg * len(self.days)

    def to_json(self) -> dict[str, object]:
        table = (None if self.band_table_id is None
                 else {"id": self.band_table_id, "version": self.band_table_version})
        return {"drug": self.drug, "basis": self.basis, "route": self.route, "unit": self.unit,
                "calculated_mg": _num(self.calculated_mg), "percent": _num(self.percent),
                "banded_mg": _num(self.banded_mg), "band_table": table,
                "band_variance_percent": _num(self.band_variance_percent),
                "unbanded_reason": self.unbanded_reason,
                "dose_per_administration_mg": _num(self.dose_mg),
                "administrations_per_day": self.administrations_per_day,
                "days": list(self.days), "daily_total_mg": _num(self.daily_total_mg),
                "cycle_total_mg": _num(self.cycle_total_mg),
                "pump_rate_ml_h": _num(self.pump_rate_ml_h),
                "infusion_hours": _num(self.infusion_hours), "volume_ml": _num(self.volume_ml),
                "diluent": self.diluent, "flags": list(self.flags)}


@dataclass(frozen=True)
class DoseCalculation:
    """Every drug's dose for a protocol day, with the BSA and clearance it rests on."""

    protocol_id: str
    protocol_version: str
    bsa: BodySurfaceArea
    bsa_used_m2: Decimal
    clearance: Clearance | None
    lines: tuple[DoseLine, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, object]:
        result: dict[str, object] = {
            "protocol": self.protocol_id, "protocol_version": self.protocol_version,
            "bsa_m2": _num(rounded(self.bsa.value, 2)), "bsa_unrounded_m2": str(self.bsa.value),
            "bsa_formula": self.bsa.formula, "bsa_used_m2": _num(rounded(self.bsa_used_m2, 2))}
        if self.clearance is not None:
            result["crcl_ml_min"] = _num(rounded(self.clearance.value, 1))
            result["crcl_weight_kg"] = _num(rounded(self.clearance.weight_used_kg, 1))
            result["crcl_weight_policy"] = self.clearance.weight_policy
        result["drugs"] = [line.to_json() for line in self.lines]
        result["notes"] = list(self.notes)
        return result


def _num(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    value = rounded(value, 2)
    return int(value) if value == value.to_integral_value() else float(value)


def needs_clearance(protocol: Protocol) -> bool:
    """Whether a dose needs the creatinine clearance (an AUC-dosed drug)."""
    return any(d.unit == "AUC" for d in protocol.drugs)


def reads_clearance(protocol: Protocol) -> bool:
    """Whether a dose or a pre-treatment criterion reads the creatinine clearance."""
    return needs_clearance(protocol) or any(c.test == "creatinine_clearance"
                                            for c in protocol.criteria)


def clearance_for(protocol: Protocol, measures: Measures) -> Clearance | None:
    """Cockcroft-Gault when the protocol reads it and the inputs are there; an AUC dose
    without creatinine, age and sex raises, naming what is missing."""
    if not reads_clearance(protocol):
        return None
    missing = [name for name, value in (("creatinine", measures.creatinine),
                                        ("age", measures.age_years), ("sex", measures.sex))
               if value is None]
    if missing and needs_clearance(protocol):
        raise MeasurementError(f"{protocol.id} needs the creatinine clearance: give "
                               f"{', '.join(missing)}")
    if missing:
        return None  # a criterion on the clearance then stops for the missing creatinine
    assert measures.creatinine and measures.age_years is not None and measures.sex
    return cockcroft_gault(age_years=measures.age_years, weight_kg=measures.weight_kg,
                           sex=measures.sex, creatinine=measures.creatinine,
                           height_cm=measures.height_cm,
                           weight_policy=measures.weight_policy or protocol.weight_policy)


def calculate_doses(protocol: Protocol, measures: Measures, *, day: int = 1,
                    percent: dict[str, Decimal] | None = None,
                    levels: dict[str, Decimal] | None = None,
                    boundary: Boundary = DEFAULT_BOUNDARY) -> DoseCalculation:
    """The doses of every drug given on ``day``.

    ``percent`` scales a drug's dose (organ function, counts); ``levels`` replaces its
    protocol dose by one of its reduced dose levels.
    """
    bsa = body_surface_area(measures.height_cm, measures.weight_kg, measures.bsa_formula)
    bsa_used, notes = bsa.value, []
    if protocol.bsa_cap_m2 is not None and bsa.value > protocol.bsa_cap_m2:
        bsa_used = protocol.bsa_cap_m2
        notes.append(f"BSA {rounded(bsa.value, 2)} m2 capped at {protocol.bsa_cap_m2} m2: "
                     f"{protocol.bsa_cap_reason}")
    clearance = clearance_for(protocol, measures)
    lines = []
    for drug in protocol.drugs:
        if day in drug.days:
            lines.append(_line(protocol, drug, measures, bsa, bsa_used, clearance,
                               (percent or {}).get(drug.drug, D(100)),
                               (levels or {}).get(drug.drug), boundary))
    return DoseCalculation(protocol.id, protocol.version, bsa, bsa_used, clearance,
                           tuple(lines), tuple(notes))


def _per_unit_dose(protocol: Protocol, drug: Drug, dose: Decimal, measures: Measures,
                   bsa_used: Decimal, bsa: BodySurfaceArea, clearance: Clearance | None
                   ) -> tuple[Decimal, Decimal, list[str]]:
    """(dose given, dose without caps, flags) in mg or IU before any percent."""
    flags: list[str] = []
    if drug.unit in ("mg/m2", "IU/m2"):
        if bsa_used != bsa.value:
            flags.append(f"BSA capped: uncapped dose {rounded(dose * bsa.value, 2)}")
        return dose * bsa_used, dose * bsa.value, flags
    if drug.unit == "mg/kg":
        return dose * measures.weight_kg, dose * measures.weight_kg, flags
    if drug.unit == "AUC":
        assert clearance is not None
        carbo = calvert(dose, clearance.value, protocol.carboplatin_gfr_cap)
        if carbo.gfr_capped:
            flags.append(f"GFR capped at {protocol.carboplatin_gfr_cap} mL/min: uncapped dose "
                         f"{rounded(carbo.uncapped_mg, 2)} mg")
        return carbo.dose_mg, carbo.uncapped_mg, flags
    return dose, dose, flags


def _line(protocol: Protocol, drug: Drug, measures: Measures, bsa: BodySurfaceArea,
          bsa_used: Decimal, clearance: Clearance | None, percent: Decimal,
          level: Decimal | None, boundary: Boundary) -> DoseLine:
    dose = level if level is not None else drug.dose
    amount, unmodified, flags = _per_unit_dose(protocol, drug, dose, measures, bsa_used, bsa,
                                               clearance)
    amount = amount * percent / 100
    if drug.max_single_dose_mg is not None and amount > drug.max_single_dose_mg:
        flags.append(f"capped at the protocol maximum of {plain(drug.max_single_dose_mg)} mg "
                     f"(calculated {rounded(amount, 2)} mg)")
        amount = drug.max_single_dose_mg
    banded, table_id, version, variance, reason = _banding(drug, amount, boundary)
    if banded is not None and table_id and abs(variance or 0) > load_table(table_id
                                                                          ).tolerance_percent:
        flags.append(f"band dose is {variance}% from the calculated dose")
    basis = f"{plain(dose)} {drug.unit}" + ("" if level is None else " (reduced dose level)")
    return DoseLine(drug.drug, basis, drug.route, drug.days, drug.administrations_per_day,
                    amount, unmodified, percent, "IU" if drug.unit.startswith("IU") else "mg",
                    banded, table_id, version, variance, reason, tuple(flags),
                    *_pump(drug), drug.diluent)


def _banding(drug: Drug, amount: Decimal, boundary: Boundary
             ) -> tuple[Decimal | None, str | None, str | None, Decimal | None, str | None]:
    if drug.banding is None:
        flat = drug.unit in ("mg", "IU")
        return None, None, None, None, drug.not_banded_reason or (
            "a flat dose: not banded" if flat else "not banded")
    table = load_table(drug.banding)
    result = band_dose(table, rounded(amount, 2), boundary)
    return result.band_mg, table.id, table.version, result.variance_percent, result.reason


def _pump(drug: Drug) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """The pump rate the system works out (never the nurse): volume / duration (§5.1)."""
    hours = drug.infusion_hours
    if hours is None and drug.infusion_minutes is not None:
        hours = D(drug.infusion_minutes) / 60
    if hours is None or drug.volume_ml is None:
        return None, hours, drug.volume_ml
    return drug.volume_ml / hours, hours, drug.volume_ml
