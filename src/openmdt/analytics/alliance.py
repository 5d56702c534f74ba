"""The Cancer Alliance view (issue 11 §6): each member trust's figures side by side, the
alliance's totals, the variation between trusts and funnel plots, from aggregates only.

Each trust's figures are computed inside the trust's own scope (its recorded meetings, as
its own dashboard computes them) and reduced at once to a ``TrustFigures``: counts, rates,
minutes and median days, with the trust's name and the packs it ran. No case, patient,
meeting title or person leaves that function; the alliance's figures are made from these
objects alone (``alliance_report`` takes nothing else).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openmdt.analytics.assumptions import Assumptions
from openmdt.analytics.funnel import FunnelLimits, funnel_limits, position
from openmdt.analytics.pathway import STEPS, Standards, step_label, step_name
from openmdt.analytics.recorded import RecordedFilter
from openmdt.analytics.stats import Proportion, proportion
from openmdt.knowledge.model import Pack
from openmdt.store.models import FactVersion, Meeting, MeetingCase, Organisation

__all__ = ["AllianceReport", "FunnelPoint", "PackUse", "TrustFigures", "Variation",
           "alliance_report", "recorded_alliance", "trust_figures"]

ROUTES = ("standard_of_care", "full_discussion", "not_ready")
STEP_KEYS = tuple(step_name(start, end) for start, end in STEPS)
MEASURES = {"concordance": "Concordance with the guideline",
            "streamlining": "Cases on a Standard of Care (streamlining)"}


@dataclass(frozen=True)
class PackUse:
    """A pack version a trust's cases were evaluated with, how often and when (months)."""

    pack_id: str
    version: str
    hash: str
    evaluations: int
    first_month: str
    last_month: str
    status: str = ""  # set by the alliance: its current set, an older version, the base...


@dataclass(frozen=True)
class TrustFigures:
    """One trust's figures as counts and rates only: no case, patient, meeting or person."""

    trust: str
    meetings: int
    routes: dict[str, int]  # cases listed by route (a roll-over counts at each meeting)
    concordance: dict[str, int]  # concordant, conditionally_concordant, non_concordant, ...
    minutes_before: float  # meeting minutes if every listed case were discussed
    minutes_after: float  # as routed
    value_per_year: float  # from the assumptions and the trust's measured share
    clinician_hours_per_year: float
    streamlined: int
    escalated: dict[str, int]
    reviewed: int  # audit-sample cases reviewed
    disagreed: int
    step_days: dict[str, tuple[int, float | None]]  # step label -> (cases, median days)
    standards: dict[str, tuple[int, int]]  # standard label -> (met, with both dates)
    packs: tuple[PackUse, ...] = ()

    @property
    def listed(self) -> int:
        return sum(self.routes.values())

    @property
    def streamlining(self) -> Proportion:
        """Cases routed to a Standard of Care, of the cases listed."""
        return proportion(self.routes.get("standard_of_care", 0), self.listed)

    @property
    def evaluable(self) -> int:
        return sum(v for k, v in self.concordance.items() if k != "not_evaluable")

    @property
    def concordance_rate(self) -> Proportion:
        """(Concordant + conditionally concordant) / evaluable decisions, as the audit."""
        agreed = (self.concordance.get("concordant", 0)
                  + self.concordance.get("conditionally_concordant", 0))
        return proportion(agreed, self.evaluable)

    @property
    def minutes_released(self) -> float:
        return self.minutes_before - self.minutes_after

    @property
    def disagreement(self) -> Proportion:
        return proportion(self.disagreed, self.reviewed)

    def rate(self, measure: str) -> Proportion:
        return self.concordance_rate if measure == "concordance" else self.streamlining


def _pack_uses(session: Session, organisation: str, where: RecordedFilter) -> tuple[PackUse, ...]:
    month = func.min(Meeting.meeting_date), func.max(Meeting.meeting_date)
    query = (select(FactVersion.pack_id, FactVersion.pack_version, FactVersion.pack_hash,
                    func.count(FactVersion.id), *month)
             .join(MeetingCase, MeetingCase.id == FactVersion.case_id)
             .join(Meeting, Meeting.id == MeetingCase.meeting_id)
             .join(Organisation, Organisation.id == Meeting.organisation_id)
             .where(Organisation.name == organisation)
             .group_by(FactVersion.pack_id, FactVersion.pack_version, FactVersion.pack_hash)
             .order_by(FactVersion.pack_id, func.max(Meeting.meeting_date)))
    if where.date_from is not None:
        query = query.where(Meeting.meeting_date >= where.date_from)
    if where.date_to is not None:
        query = query.where(Meeting.meeting_date <= where.date_to)
    return tuple(PackUse(pack_id, version, digest, count, _month(first), _month(last))
                 for pack_id, version, digest, count, first, last in session.execute(query))


def _month(value: date | str | None) -> str:
    return str(value)[:7] if value is not None else ""


def trust_figures(session: Session, pack: Pack, where: RecordedFilter,
                  assumptions: Assumptions, standards: Standards) -> TrustFigures:
    """One trust's figures (``where.organisation``), computed in its own scope and reduced to
    counts and rates before they leave this function."""
    from openmdt.analytics.pilot import recorded_pilot

    if where.organisation is None:
        raise ValueError("trust_figures needs the trust (RecordedFilter.organisation)")
    pilot = recorded_pilot(session, pack, where, assumptions, standards)
    streamlining = pilot.streamlining
    assert streamlining is not None  # recorded meetings always have it
    routes = {r: sum(m.routes.get(r, 0) for m in streamlining.meetings) for r in ROUTES}
    totals = streamlining.totals()
    counts = pilot.concordance.counts
    steps = pilot.pathway.steps.get("all", {})
    return TrustFigures(
        trust=where.organisation, meetings=len(streamlining.meetings), routes=routes,
        concordance={"concordant": counts.concordant,
                     "conditionally_concordant": counts.conditionally_concordant,
                     "non_concordant": counts.non_concordant,
                     "not_evaluable": counts.not_evaluable},
        minutes_before=float(totals["minutes_before"]),
        minutes_after=float(totals["minutes_after"]),
        value_per_year=pilot.value.figure("value_per_year").value,
        clinician_hours_per_year=pilot.value.figure("clinician_hours_per_year").value,
        streamlined=streamlining.streamlined, escalated=dict(streamlining.escalated),
        reviewed=streamlining.review.reviewed,
        disagreed=len(streamlining.review.disagreements),
        step_days={step_label(key): (steps[key].n, steps[key].median)
                   for key in STEP_KEYS if key in steps},
        standards={r.standard.label: (r.met.count, r.met.total)
                   for r in pilot.pathway.standards},
        packs=_pack_uses(session, where.organisation, where))


@dataclass(frozen=True)
class FunnelPoint:
    """One trust on a funnel plot: its rate, its cases and where it lies."""

    trust: str
    n: int
    rate: float
    limits: FunnelLimits
    position: str


@dataclass(frozen=True)
class Variation:
    """How far the trusts' rates differ: lowest, highest, and how many lie beyond limits."""

    measure: str
    target: Proportion  # the alliance's pooled rate
    lowest: float | None
    highest: float | None
    beyond95: int
    beyond998: int

    @property
    def spread(self) -> float | None:
        if self.lowest is None or self.highest is None:
            return None
        return self.highest - self.lowest


def _pack_status(use: PackUse, pack: Pack) -> str:
    if use.pack_id == pack.id:
        return ("the alliance's current set" if use.hash == pack.hash
                else "an older version of the alliance's set")
    if use.pack_id == pack.base:
        return "the national pack, without the alliance's changes"
    return "another pack"


def _with_status(figures: TrustFigures, pack: Pack) -> TrustFigures:
    from dataclasses import replace

    return replace(figures, packs=tuple(replace(u, status=_pack_status(u, pack))
                                        for u in figures.packs))


@dataclass(frozen=True)
class AllianceReport:
    """The alliance's trusts side by side, its totals, variation and funnel plots."""

    alliance: str  # the alliance's label
    pack: Pack  # its shared Standard of Care set
    period: tuple[str, str] | None
    trusts: tuple[TrustFigures, ...]
    assumptions_source: str
    assumptions_hash: str
    totals: TrustFigures = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "totals", _totals(self.alliance, self.trusts))

    def funnel(self, measure: str) -> list[FunnelPoint]:
        """The trusts with cases, each against limits around the alliance's pooled rate."""
        target = self.totals.rate(measure).rate
        points = []
        for trust in self.trusts:
            own = trust.rate(measure)
            if target is None or own.rate is None:
                continue
            limits = funnel_limits(target, own.total)
            points.append(FunnelPoint(trust.trust, own.total, own.rate, limits,
                                      position(own.rate, limits)))
        return points

    def variation(self, measure: str) -> Variation:
        rates = [r for t in self.trusts if (r := t.rate(measure).rate) is not None]
        points = self.funnel(measure)
        return Variation(measure, self.totals.rate(measure), min(rates, default=None),
                         max(rates, default=None),
                         sum(p.position != "within limits" for p in points),
                         sum("99.8%" in p.position for p in points))

    def median_range(self, step: str) -> tuple[float, float] | None:
        """The lowest and highest trust median of a step (medians do not add up)."""
        medians = [m for t in self.trusts if (m := t.step_days.get(step, (0, None))[1])
                   is not None]
        return (min(medians), max(medians)) if medians else None

    def steps(self) -> list[str]:
        """The pathway steps by label, in pathway order."""
        return [step_label(key) for key in STEP_KEYS]


def _sum_dicts(dicts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    summed: dict[str, Any] = {}
    for one in dicts:
        for key, value in one.items():
            summed[key] = summed.get(key, 0) + value
    return summed


def _totals(label: str, trusts: Sequence[TrustFigures]) -> TrustFigures:
    standards: dict[str, tuple[int, int]] = {}
    for trust in trusts:
        for key, (met, total) in trust.standards.items():
            before = standards.get(key, (0, 0))
            standards[key] = (before[0] + met, before[1] + total)
    return TrustFigures(
        trust=label, meetings=sum(t.meetings for t in trusts),
        routes={r: sum(t.routes.get(r, 0) for t in trusts) for r in ROUTES},
        concordance=_sum_dicts([t.concordance for t in trusts]),
        minutes_before=sum(t.minutes_before for t in trusts),
        minutes_after=sum(t.minutes_after for t in trusts),
        value_per_year=sum(t.value_per_year for t in trusts),
        clinician_hours_per_year=sum(t.clinician_hours_per_year for t in trusts),
        streamlined=sum(t.streamlined for t in trusts),
        escalated=_sum_dicts([t.escalated for t in trusts]),
        reviewed=sum(t.reviewed for t in trusts), disagreed=sum(t.disagreed for t in trusts),
        step_days={step: (sum(t.step_days.get(step, (0, None))[0] for t in trusts), None)
                   for step in {s for t in trusts for s in t.step_days}},
        standards=standards)


def alliance_report(alliance: str, pack: Pack, period: tuple[str, str] | None,
                    trusts: Sequence[TrustFigures], assumptions: Assumptions
                    ) -> AllianceReport:
    """The alliance's view from its trusts' aggregate figures alone."""
    return AllianceReport(alliance, pack, period,
                          tuple(_with_status(t, pack) for t in trusts),
                          assumptions.source, assumptions.hash)


def recorded_alliance(session: Session, alliance: str, pack: Pack, trusts: Sequence[str],
                      where: RecordedFilter, assumptions: Assumptions, standards: Standards
                      ) -> AllianceReport:
    """The alliance's view of its member trusts' recorded meetings: each trust's figures in
    its own scope (meetings run with the alliance's set or its base pack), then combined."""
    from dataclasses import replace

    also = (pack.base,) if pack.base else ()
    figures = [trust_figures(session, pack, replace(where, organisation=name,
                                                     also_packs=also),
                             assumptions, standards) for name in trusts]
    return alliance_report(alliance, pack, where.period(), figures, assumptions)
