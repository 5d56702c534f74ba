"""Time and money released by streamlining, a three-year cash flow, sensitivity and
break-even (issue 11 §4). Every figure lists the assumptions it used.

The model, for one trust and one tumour site, per year:

    streamlined cases  = streamlined share x cases listed per year
    meeting minutes    = streamlined cases x minutes per case discussed
    clinician minutes  = meeting minutes x attendees
    value released     = streamlined cases x cost per case discussed           (per_case)
                       = clinician time x attendees' cost per hour / attendees (attendee_time)
    net, year y        = value released - running cost - implementation cost (year 1 only)

The streamlined share is measured (the share of listed cases routed to a Standard of Care)
when data is given, else the assumption. The three-year net is affine in each assumption, so
a break-even value is exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openmdt.analytics.assumptions import Assumptions

__all__ = ["YEARS", "CashFlowYear", "Figure", "MeasuredRoutes", "Sensitivity", "ValueReport",
           "measured_routes", "value_report"]

YEARS = 3
SHARE = "streamlined_share"


@dataclass(frozen=True)
class MeasuredRoutes:
    """Route counts measured from data: listed cases and those on a Standard of Care."""

    listed: int
    standard_of_care: int
    full_discussion: int
    not_ready: int
    meetings: int
    source: str

    @property
    def share(self) -> float:
        return self.standard_of_care / self.listed if self.listed else 0.0


@dataclass(frozen=True)
class Figure:
    """One figure of the report, its unit, and the assumptions it used."""

    key: str
    label: str
    value: float
    unit: str
    uses: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "value": self.value, "unit": self.unit,
                "uses": list(self.uses)}


@dataclass(frozen=True)
class CashFlowYear:
    """One NHS financial year of the plan: benefit, costs, in-year and cumulative position."""

    year: int
    benefit: float
    costs: float
    in_year: float
    cumulative: float

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "benefit": self.benefit, "costs": self.costs,
                "in_year": self.in_year, "cumulative": self.cumulative}


@dataclass(frozen=True)
class Sensitivity:
    """The three-year net at an assumption's low and high values (a tornado bar), and the
    value at which the three-year net is zero (None when it does not depend on it)."""

    key: str
    label: str
    low: float
    high: float
    net_at_low: float
    net_at_high: float
    break_even: float | None

    @property
    def swing(self) -> float:
        return abs(self.net_at_high - self.net_at_low)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "low": self.low, "high": self.high,
                "net_at_low": self.net_at_low, "net_at_high": self.net_at_high,
                "swing": self.swing, "break_even": self.break_even}


@dataclass(frozen=True)
class ValueReport:
    """The figures, cash flow, payback year, tornado data and break-even table."""

    assumptions: Assumptions
    measured: MeasuredRoutes | None
    figures: Sequence[Figure]
    cash_flow: Sequence[CashFlowYear]
    payback_year: int | None
    sensitivity: Sequence[Sensitivity]

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    def to_dict(self) -> dict[str, Any]:
        a = self.assumptions
        measured = None if self.measured is None else {
            "listed": self.measured.listed, "standard_of_care": self.measured.standard_of_care,
            "full_discussion": self.measured.full_discussion,
            "not_ready": self.measured.not_ready, "meetings": self.measured.meetings,
            "share": self.measured.share, "source": self.measured.source}
        return {
            "currency": a.currency, "cost_method": a.cost_method,
            "assumptions_file": a.source, "assumptions_hash": a.hash,
            "measured": measured,
            "figures": {f.key: f.to_dict() for f in self.figures},
            "cash_flow": [y.to_dict() for y in self.cash_flow],
            "payback_year": self.payback_year,
            "cash_flow_uses": list(_CASH_FLOW_USES),
            "sensitivity": [s.to_dict() for s in self.sensitivity],
            "assumptions": {k: {"label": v.label, "value": v.value, "unit": v.unit,
                                "low": v.low, "high": v.high, "basis": v.basis,
                                "source": v.source} for k, v in a.items.items()},
        }


_VALUE_USES = ("cost_per_case_discussed",)
_TIME_USES = ("minutes_per_case_discussed", "attendees")
_CASH_FLOW_USES = ("cases_per_year", SHARE, "cost_per_case_discussed", "implementation_cost",
                   "running_cost_per_year")


def _share_uses(measured: MeasuredRoutes | None) -> tuple[str, ...]:
    return () if measured is not None else (SHARE,)


def _value_uses(a: Assumptions) -> tuple[str, ...]:
    return _VALUE_USES if a.cost_method == "per_case" else (*_TIME_USES, "roles")


def value_per_case(a: Assumptions) -> float:
    """What one case not discussed releases, in the currency."""
    if a.cost_method == "per_case":
        return a["cost_per_case_discussed"]
    return a["minutes_per_case_discussed"] / 60 * a.attendee_cost_per_hour()


def _value_per_year(a: Assumptions, share: float) -> float:
    return share * a["cases_per_year"] * value_per_case(a)


def _cash_flow(a: Assumptions, share: float) -> list[CashFlowYear]:
    years, cumulative = [], 0.0
    benefit = _value_per_year(a, share)
    for year in range(1, YEARS + 1):
        costs = a["running_cost_per_year"] + (a["implementation_cost"] if year == 1 else 0.0)
        cumulative += benefit - costs
        years.append(CashFlowYear(year, benefit, costs, benefit - costs, cumulative))
    return years


def _net(a: Assumptions, share: float) -> float:
    return _cash_flow(a, share)[-1].cumulative


def _figures(a: Assumptions, share: float, measured: MeasuredRoutes | None) -> list[Figure]:
    s = _share_uses(measured)
    per_year = share * a["cases_per_year"]
    per_meeting = per_year / a["meetings_per_year"]
    minutes = a["minutes_per_case_discussed"]
    uses_value = _value_uses(a)
    value_year = _value_per_year(a, share)
    return [
        Figure("streamlined_share", "Share of listed cases on a Standard of Care", share,
               "share", s),
        Figure("cases_streamlined_per_meeting", "Cases not discussed per meeting", per_meeting,
               "cases", (*s, "cases_per_year", "meetings_per_year")),
        Figure("cases_streamlined_per_year", "Cases not discussed per year", per_year,
               "cases", (*s, "cases_per_year")),
        Figure("meeting_minutes_per_meeting", "Meeting minutes released per meeting",
               per_meeting * minutes, "minutes",
               (*s, "cases_per_year", "meetings_per_year", "minutes_per_case_discussed")),
        Figure("clinician_minutes_per_meeting", "Clinician minutes released per meeting",
               per_meeting * minutes * a["attendees"], "minutes",
               (*s, "cases_per_year", "meetings_per_year", *_TIME_USES)),
        Figure("clinician_hours_per_year", "Clinician hours released per year (one trust)",
               per_year * minutes * a["attendees"] / 60, "hours",
               (*s, "cases_per_year", *_TIME_USES)),
        Figure("value_per_meeting", "Value released per meeting",
               value_year / a["meetings_per_year"], a.currency,
               (*s, "cases_per_year", "meetings_per_year", *uses_value)),
        Figure("value_per_year", "Value released per year (one trust)", value_year, a.currency,
               (*s, "cases_per_year", *uses_value)),
        Figure("value_per_year_alliance", "Value released per year (the alliance)",
               value_year * a["trusts_in_alliance"], a.currency,
               (*s, "cases_per_year", *uses_value, "trusts_in_alliance")),
        Figure("net_three_years", f"Net position after {YEARS} years (one trust)",
               _net(a, share), a.currency,
               (*s, "cases_per_year", *uses_value, "implementation_cost",
                "running_cost_per_year")),
    ]


def _sensitivity(a: Assumptions, share: float, measured: MeasuredRoutes | None
                 ) -> list[Sensitivity]:
    rows = []
    for key, item in a.items.items():
        if key == SHARE:
            def net(value: float) -> float:
                return _net(a, value)
            low, high = (item.low, item.high)
            if measured is not None:  # vary the measured share by the assumption's range
                low, high = min(low, share), max(high, share)
        else:
            def net(value: float, key: str = key) -> float:
                return _net(a.with_value(key, value), share)
            low, high = item.low, item.high
        rows.append(Sensitivity(key, item.label, low, high, net(low), net(high),
                                _break_even(net, item.value or 1.0)))
    return sorted(rows, key=lambda r: (-r.swing, r.key))


def _break_even(net: Any, scale: float) -> float | None:
    """Where an affine function of one value is zero (None if it does not change)."""
    at_zero, at_scale = net(0.0), net(scale)
    slope = (at_scale - at_zero) / scale
    if abs(slope) < 1e-12:
        return None
    return -at_zero / slope


def measured_routes(routes: Sequence[str | None], meetings: int, source: str
                    ) -> MeasuredRoutes:
    """Route counts of listed cases (one route per case)."""
    return MeasuredRoutes(len(routes), routes.count("standard_of_care"),
                          routes.count("full_discussion"), routes.count("not_ready"), meetings,
                          source)


def value_report(a: Assumptions, measured: MeasuredRoutes | None = None) -> ValueReport:
    """The value report from the assumptions and, when given, measured route shares."""
    share = measured.share if measured is not None and measured.listed else a[SHARE]
    if measured is not None and not measured.listed:
        measured = None
    flow = _cash_flow(a, share)
    payback = next((y.year for y in flow if y.cumulative >= 0), None)
    return ValueReport(a, measured, _figures(a, share, measured), flow, payback,
                       _sensitivity(a, share, measured))
