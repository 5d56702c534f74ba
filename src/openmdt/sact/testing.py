"""Running a protocol's known-answer tests: measures in, day-1 doses compared to 0.01 mg."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from openmdt.sact.bsa import DEFAULT_FORMULA
from openmdt.sact.dose import Measures, calculate_doses
from openmdt.sact.model import Protocol, ProtocolTest
from openmdt.sact.quantities import Quantity, decimal, rounded


@dataclass(frozen=True)
class ProtocolTestResult:
    """One test and what did not match (empty when it passed)."""

    test: ProtocolTest
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def measures_from(inputs: dict[str, str]) -> Measures:
    """Measures from a test's inputs (creatinine in umol/L)."""
    creatinine = inputs.get("creatinine_umol_l")
    return Measures(
        height_cm=decimal(inputs["height_cm"], "height_cm"),
        weight_kg=decimal(inputs["weight_kg"], "weight_kg"),
        creatinine=None if creatinine is None else Quantity(decimal(creatinine, "creatinine"),
                                                           "umol/L"),
        age_years=decimal(inputs["age"], "age") if "age" in inputs else None,
        sex=inputs.get("sex"),  # type: ignore[arg-type]
        bsa_formula=inputs.get("bsa_formula", DEFAULT_FORMULA))


def run_protocol_test(protocol: Protocol, test: ProtocolTest) -> ProtocolTestResult:
    """Compare calculated (to 0.01 mg) and banded doses with the test's expectations."""
    try:
        calculation = calculate_doses(protocol, measures_from(test.inputs))
    except ValueError as exc:
        return ProtocolTestResult(test, (f"calculation failed: {exc}",))
    by_drug = {}
    for line in calculation.lines:
        by_drug.setdefault(line.drug, line)
    failures = []
    for drug, expected in test.expected_mg.items():
        got = rounded(by_drug[drug].calculated_mg, 2) if drug in by_drug else None
        if got != rounded(expected, 2):
            failures.append(f"{drug}: expected {expected} mg, calculated {got}")
    for drug, expected_band in test.expected_banded_mg.items():
        band = by_drug[drug].banded_mg if drug in by_drug else None
        if (band is None) != (expected_band is None) or (
                band is not None and expected_band is not None
                and Decimal(band) != expected_band):
            failures.append(f"{drug}: expected band {expected_band}, got {band}")
    return ProtocolTestResult(test, tuple(failures))


def run_protocol_tests(protocol: Protocol) -> list[ProtocolTestResult]:
    """Every known-answer test of the protocol."""
    return [run_protocol_test(protocol, test) for test in protocol.tests]
