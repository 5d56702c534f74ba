"""Creatinine clearance (Cockcroft-Gault) and carboplatin by Calvert (SACT notes §1.3).

Creatinine in umol/L uses the constants 1.23 (men) and 1.04 (women); in mg/dL,
(140 - age) x W / (72 x SCr), x 0.85 for women. The weight used is a prescriber's choice
(actual, ideal or adjusted), recorded on the result. The laboratory eGFR is never an input.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Literal

from openmdt.sact.bsa import MeasurementError, check_range
from openmdt.sact.quantities import PRECISION, Quantity

D = Decimal
Sex = Literal["male", "female"]
WeightPolicy = Literal["actual", "ideal", "adjusted", "rscg"]
WEIGHT_POLICIES: tuple[str, ...] = ("actual", "ideal", "adjusted", "rscg")
CALVERT_NON_RENAL = D(25)  # mL/min: carboplatin's non-renal clearance (Calvert)
FDA_GFR_CAP = D(125)  # mL/min (NCCN appendix B reporting FDA advice); a setting (§1.3)
CREATININE_UMOL_RANGE = (D(10), D(2000))
CREATININE_MG_DL_RANGE = (D("0.1"), D("23"))
AGE_RANGE = (D(18), D(120))
ADJUSTED_FRACTION = D("0.4")
RSCG_OBESE_RATIO = D("1.3")  # UK RSCG: TBW above 130% of LBW -> adjusted weight


@dataclass(frozen=True)
class Clearance:
    """A Cockcroft-Gault creatinine clearance and how it was reached."""

    value: Decimal  # mL/min, unrounded
    weight_used_kg: Decimal
    weight_policy: str
    creatinine: Quantity


@dataclass(frozen=True)
class CarboplatinDose:
    """A Calvert dose: AUC x (GFR + 25), with the GFR used and whether it was capped."""

    dose_mg: Decimal
    uncapped_mg: Decimal
    gfr_used: Decimal
    gfr_capped: bool


def ideal_weight_kg(height_cm: Decimal, sex: Sex) -> Decimal:
    """IBW (cancercalc, §1.3): women 45.5 + 0.91 x (H - 152); men 50 + 0.91 x (H - 152)."""
    base = D("50") if sex == "male" else D("45.5")
    return base + D("0.91") * (height_cm - 152)


def lean_weight_kg(height_cm: Decimal, sex: Sex) -> Decimal:
    """LBW (UK RSCG, §1.3): men 50 + 0.906 x (H - 152.4); women 45 + 0.906 x (H - 152.4)."""
    base = D("50") if sex == "male" else D("45")
    return base + D("0.906") * (height_cm - D("152.4"))


def weight_for_clearance(weight_kg: Decimal, height_cm: Decimal | None, sex: Sex,
                         policy: str) -> Decimal:
    """The weight Cockcroft-Gault uses under ``policy``.

    actual: total body weight. ideal: IBW. adjusted: IBW + 0.4 x (TBW - IBW) (NCCN, BMI >= 25).
    rscg: the UK RSCG rule, TBW unless it is above 130% of LBW, then LBW + 0.4 x (TBW - LBW).
    """
    if policy not in WEIGHT_POLICIES:
        raise MeasurementError(f"unknown weight policy {policy!r}; allowed: "
                               f"{', '.join(WEIGHT_POLICIES)}")
    if policy == "actual":
        return weight_kg
    if height_cm is None:
        raise MeasurementError(f"the {policy} weight needs the height in cm")
    if policy == "rscg":
        lean = lean_weight_kg(height_cm, sex)
        if weight_kg > RSCG_OBESE_RATIO * lean:
            return lean + ADJUSTED_FRACTION * (weight_kg - lean)
        return weight_kg
    ideal = ideal_weight_kg(height_cm, sex)
    if policy == "ideal":
        return ideal
    return ideal + ADJUSTED_FRACTION * (weight_kg - ideal)


def cockcroft_gault(*, age_years: Decimal, weight_kg: Decimal, sex: Sex, creatinine: Quantity,
                    height_cm: Decimal | None = None, weight_policy: str = "actual"
                    ) -> Clearance:
    """CrCl in mL/min from creatinine in umol/L or mg/dL (any other unit is refused)."""
    if sex not in ("male", "female"):
        raise MeasurementError(f"sex {sex!r} is not allowed; Cockcroft-Gault needs male or female")
    check_range("age", age_years, *AGE_RANGE, "years")
    scr = creatinine.require("umol/L", "mg/dL")
    weight = weight_for_clearance(weight_kg, height_cm, sex, weight_policy)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        if creatinine.unit == "umol/L":
            check_range("creatinine", scr, *CREATININE_UMOL_RANGE, "umol/L")
            constant = D("1.23") if sex == "male" else D("1.04")
            value = constant * (140 - age_years) * weight / scr
        else:
            check_range("creatinine", scr, *CREATININE_MG_DL_RANGE, "mg/dL")
            value = (140 - age_years) * weight / (72 * scr)
            if sex == "female":
                value *= D("0.85")
    return Clearance(value, weight, weight_policy, creatinine)


def calvert(target_auc: Decimal, gfr_ml_min: Decimal, gfr_cap: Decimal | None = FDA_GFR_CAP
            ) -> CarboplatinDose:
    """Carboplatin total dose in mg (not per m2): AUC x (GFR + 25), the GFR capped if set."""
    capped = gfr_cap is not None and gfr_ml_min > gfr_cap
    gfr = gfr_cap if capped and gfr_cap is not None else gfr_ml_min
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return CarboplatinDose(target_auc * (gfr + CALVERT_NON_RENAL),
                               target_auc * (gfr_ml_min + CALVERT_NON_RENAL), gfr, capped)
