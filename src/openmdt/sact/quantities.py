"""Amounts with their unit: every dose, weight and result carries its unit, never implied."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

PRECISION = 28  # decimal digits kept in every intermediate step

# The units a protocol, a measurement or a dose may be written in, and what each measures.
UNITS: dict[str, str] = {
    "mg": "mass", "g": "mass", "microgram": "mass", "IU": "activity",
    "mg/m2": "dose per body surface area", "mg/kg": "dose per body weight",
    "IU/m2": "activity per body surface area",
    "AUC": "target area under the curve (mg/mL.min)",
    "m2": "body surface area", "kg": "weight", "cm": "height",
    "umol/L": "creatinine", "mg/dL": "creatinine", "mL/min": "clearance",
    "x10^9/L": "cell count", "ULN": "multiple of the upper limit of normal",
    "mL": "volume", "mL/h": "rate", "h": "duration", "min": "duration",
}


class UnitError(ValueError):
    """An amount in a unit that is not allowed where it was used."""


@dataclass(frozen=True)
class Quantity:
    """A Decimal value and its unit, e.g. ``Quantity(Decimal('142.5'), 'mg')``."""

    value: Decimal
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise UnitError(f"unknown unit {self.unit!r}; allowed: {', '.join(UNITS)}")

    def require(self, *units: str) -> Decimal:
        """The value, if the unit is one of ``units``; UnitError naming both otherwise."""
        if self.unit not in units:
            raise UnitError(f"expected {' or '.join(units)}, found {self.value} {self.unit}")
        return self.value

    def text(self, places: int = 2) -> str:
        """For people: rounded for display only (the stored value keeps every digit)."""
        return f"{plain(rounded(self.value, places))} {self.unit}"


def decimal(value: object, what: str) -> Decimal:
    """A finite Decimal from an int, a Decimal or decimal text; floats go through their text."""
    if isinstance(value, bool):
        raise ValueError(f"{what}: {value!r} is not a number")
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{what}: {value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{what}: {value!r} is not a finite number")
    return number


def rounded(value: Decimal, places: int) -> Decimal:
    """Half-up rounding to ``places`` decimals (the way people round a dose by hand)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """Decimal text without exponent or trailing zeros: 148, 0.22, 1232.5."""
    text = format(value.normalize(), "f")
    return text
