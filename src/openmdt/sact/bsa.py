"""Body surface area by Mosteller (default), DuBois, Haycock, Gehan-George and Boyd.

Equations from the SACT notes §1.1 (globalrph, harderworld); Decimal arithmetic, with the
unrounded value kept for the record and 2 decimals shown to people (§0.1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, localcontext

from openmdt.sact.quantities import PRECISION

D = Decimal
DEFAULT_FORMULA = "mosteller"
# A BSA outside this range is an input error, not a patient (SACT notes §5.2: 0.5-3.0 m2).
PLAUSIBLE_BSA = (D("0.5"), D("3.0"))
HEIGHT_RANGE_CM = (D(50), D(250))
WEIGHT_RANGE_KG = (D(10), D(350))


def _mosteller(h: Decimal, w: Decimal) -> Decimal:
    return (h * w / 3600).sqrt()


def _dubois(h: Decimal, w: Decimal) -> Decimal:
    return D("0.007184") * h ** D("0.725") * w ** D("0.425")


def _haycock(h: Decimal, w: Decimal) -> Decimal:
    return D("0.024265") * h ** D("0.3964") * w ** D("0.5378")


def _gehan_george(h: Decimal, w: Decimal) -> Decimal:
    return D("0.0235") * h ** D("0.42246") * w ** D("0.51456")


def _boyd(h: Decimal, w: Decimal) -> Decimal:
    grams = w * 1000  # the exponent's log is of the weight in grams (§1.1 pitfalls)
    return D("0.0003207") * h ** D("0.3") * grams ** (D("0.7285") - D("0.0188") * grams.log10())


FORMULAS: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "mosteller": _mosteller,
    "dubois": _dubois,
    "haycock": _haycock,
    "gehan_george": _gehan_george,
    "boyd": _boyd,
}


class MeasurementError(ValueError):
    """A height, weight or result outside what a person can have: names the item and range."""


@dataclass(frozen=True)
class BodySurfaceArea:
    """A BSA with the formula and inputs it came from; ``value`` is unrounded."""

    value: Decimal
    formula: str
    height_cm: Decimal
    weight_kg: Decimal

    @property
    def shown(self) -> Decimal:
        """To 2 decimal places, for display only (§0.1)."""
        return self.value.quantize(D("0.01"))


def check_range(name: str, value: Decimal, low: Decimal, high: Decimal, unit: str) -> None:
    """Raise MeasurementError naming the item, the value and the range when out of range."""
    if not low <= value <= high:
        raise MeasurementError(f"{name} {value} {unit} is outside {low}-{high} {unit}")


def body_surface_area(height_cm: Decimal, weight_kg: Decimal,
                      formula: str = DEFAULT_FORMULA) -> BodySurfaceArea:
    """BSA in m2 by the named formula; heights in cm and weights in kg only."""
    if formula not in FORMULAS:
        raise MeasurementError(f"unknown BSA formula {formula!r}; allowed: {', '.join(FORMULAS)}")
    check_range("height", height_cm, *HEIGHT_RANGE_CM, "cm")
    check_range("weight", weight_kg, *WEIGHT_RANGE_KG, "kg")
    with localcontext() as ctx:
        ctx.prec = PRECISION
        value = +FORMULAS[formula](height_cm, weight_kg)
    check_range("body surface area", value.quantize(D("0.001")), *PLAUSIBLE_BSA, "m2")
    return BodySurfaceArea(value, formula, height_cm, weight_kg)
