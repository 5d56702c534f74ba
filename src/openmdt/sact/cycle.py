"""One cycle planned: the doses after the protocol's rules and every safety check."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from openmdt.sact.dose import DoseCalculation, Measures, calculate_doses, clearance_for
from openmdt.sact.safety import (
    Check,
    CycleContext,
    calculation_checks,
    course_checks,
    criteria_percent,
    cumulative_checks,
)

D = Decimal


@dataclass(frozen=True)
class CyclePlan:
    """The doses of a cycle and what the checks found."""

    calculation: DoseCalculation
    checks: tuple[Check, ...]
    percent: dict[str, Decimal]

    def unresolved(self, overrides: dict[str, str]) -> list[Check]:
        """Checks that still block: every stop, and overrides without a recorded reason."""
        return [c for c in self.checks if c.outcome == "stop"
                or (c.outcome == "override" and not overrides.get(c.code, "").strip())]


def plan_cycle(context: CycleContext, measures: Measures, *,
               reductions: dict[str, Decimal] | None = None,
               levels: dict[str, Decimal] | None = None) -> CyclePlan:
    """Doses for day 1 after the protocol's reductions and the prescriber's own, and checks.

    ``reductions`` are the prescriber's percentages (only below 100: a dose is never raised
    above the protocol's); ``levels`` pick one of a drug's reduced dose levels.
    """
    protocol = context.protocol
    clearance = clearance_for(protocol, measures)
    percent, checks = criteria_percent(context, None if clearance is None else clearance.value)
    for drug, value in (reductions or {}).items():
        percent[drug] = min(percent.get(drug, D(100)), value)
    calculation = calculate_doses(protocol, measures, percent=percent, levels=levels)
    effective = dict(percent)
    for drug, level in (levels or {}).items():
        effective[drug] = effective.get(drug, D(100)) * level / protocol.drug(drug).dose
    context = replace(context, chosen_percent=effective)
    checks += calculation_checks(calculation)
    checks += cumulative_checks(context, calculation)
    checks += course_checks(context)
    return CyclePlan(calculation, tuple(checks), effective)
