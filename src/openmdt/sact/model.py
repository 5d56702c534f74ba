"""A SACT regimen protocol as checked, frozen data (built by ``openmdt.sact.protocols``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# The results a pre-treatment criterion may read, with the units each may be written in.
TESTS: dict[str, tuple[str, ...]] = {
    "neutrophils": ("x10^9/L",),
    "platelets": ("x10^9/L",),
    "bilirubin": ("umol/L", "ULN"),
    "alt": ("ULN",),
    "creatinine_clearance": ("mL/min",),
}
TEST_LABELS = {"neutrophils": "neutrophils", "platelets": "platelets",
               "bilirubin": "bilirubin", "alt": "ALT",
               "creatinine_clearance": "creatinine clearance (Cockcroft-Gault)"}
ROUTES = ("IV", "oral", "SC", "IM", "intrathecal")
FREQUENCIES = {"once": 1, "twice_daily": 2}
DOSE_UNITS = ("mg/m2", "mg/kg", "AUC", "mg", "IU/m2", "IU")
VINCA_ALKALOIDS = ("vincristine", "vinblastine", "vinorelbine", "vindesine")
ACTIONS = ("give", "reduce", "hold")
DPD_DRUGS = ("fluorouracil", "capecitabine", "tegafur")


@dataclass(frozen=True)
class Source:
    """Where a rule comes from, with the notes' confidence tag (C, S or local policy)."""

    text: str
    confidence: str


@dataclass(frozen=True)
class Band:
    """One range of a result (None is open; each end inclusive or not) and what it means."""

    low: Decimal | None
    high: Decimal | None
    action: str
    percent: Decimal = Decimal(100)
    drugs: tuple[str, ...] = ()
    line: int = 0
    low_inclusive: bool = True
    high_inclusive: bool = False

    def contains(self, value: Decimal) -> bool:
        above_low = (self.low is None or value > self.low
                     or (self.low_inclusive and value == self.low))
        below_high = (self.high is None or value < self.high
                      or (self.high_inclusive and value == self.high))
        return above_low and below_high

    def describe(self, unit: str) -> str:
        """The range in words: 'at least 1.5', 'from 1.0 to below 1.5', 'above 50'."""
        parts = []
        if self.low is not None:
            parts.append(f"{'at least' if self.low_inclusive else 'above'} {self.low} {unit}")
        if self.high is not None:
            parts.append(f"{'at most' if self.high_inclusive else 'below'} {self.high} {unit}")
        return " and ".join(parts) or "any value"


@dataclass(frozen=True)
class Criterion:
    """A pre-treatment result the protocol reads, its validity window and its bands."""

    test: str
    unit: str
    valid_days: int
    valid_days_source: Source
    bands: tuple[Band, ...]
    source: Source


@dataclass(frozen=True)
class DoseLevel:
    """A reduced dose the protocol allows for a drug, and when."""

    dose: Decimal
    when: str
    source: Source


@dataclass(frozen=True)
class Drug:
    """One drug line of a protocol: dose basis, route, schedule, limits and banding."""

    drug: str
    dose: Decimal
    unit: str
    route: str
    days: tuple[int, ...]
    frequency: str
    source: Source
    infusion_minutes: int | None = None
    infusion_hours: Decimal | None = None
    diluent: str | None = None
    volume_ml: Decimal | None = None
    container: str | None = None
    banding: str | None = None
    not_banded_reason: str | None = None
    max_single_dose_mg: Decimal | None = None
    max_single_dose_source: Source | None = None
    dose_levels: tuple[DoseLevel, ...] = ()
    supportive: bool = False

    @property
    def administrations_per_day(self) -> int:
        return FREQUENCIES[self.frequency]


@dataclass(frozen=True)
class Indication:
    """An MDT option (pack id and ``decision/option``) this regimen carries out."""

    pack: str
    option: str


@dataclass(frozen=True)
class Protocol:
    """A checked regimen protocol; every rule carries its source."""

    id: str
    title: str
    version: str
    status: str
    site: str
    cycle_length_days: int
    cycles: int
    cycles_source: Source
    drugs: tuple[Drug, ...]
    criteria: tuple[Criterion, ...]
    sources: tuple[Source, ...]
    indications: tuple[Indication, ...] = ()
    bsa_cap_m2: Decimal | None = None
    bsa_cap_reason: str | None = None
    carboplatin_gfr_cap: Decimal | None = None
    weight_policy: str = "actual"
    tests: tuple[ProtocolTest, ...] = ()
    file: str = ""
    digest: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def drug(self, name: str) -> Drug:
        return next(d for d in self.drugs if d.drug == name)

    @property
    def anticancer_drugs(self) -> tuple[Drug, ...]:
        return tuple(d for d in self.drugs if not d.supportive)


@dataclass(frozen=True)
class ProtocolTest:
    """A known-answer test of a protocol: patient measures in, day-1 doses out."""

    name: str
    line: int
    inputs: dict[str, str]
    expected_mg: dict[str, Decimal]
    expected_banded_mg: dict[str, Decimal | None]
