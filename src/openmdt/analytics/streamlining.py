"""Streamlining and its safety net (issue 11 §3), from the recorded meetings: route shares
per meeting and month, meeting load if every listed case were discussed ("before") and as
routed ("after"), roll-overs and their causes, streamlined cases later escalated, and the
clinical review of audit samples (disagreement rate with its interval, every disagreement,
the Standards of Care flagged for the pathway board)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from openmdt.analytics.recorded import RecordedFilter, meetings_of
from openmdt.analytics.stats import Proportion, proportion
from openmdt.cases.pathway import day_text
from openmdt.knowledge.model import Pack
from openmdt.meetings.evaluation import data_requests
from openmdt.store.models import AuditSample, Meeting, MeetingCase, Organisation

__all__ = ["MeetingLoad", "SampleReview", "StreamliningReport", "streamlining_report"]

ROUTES = ("standard_of_care", "full_discussion", "not_ready")


@dataclass(frozen=True)
class MeetingLoad:
    """One meeting: cases by route, decided, rolled over (and why), and minutes before and
    after streamlining (every listed case discussed vs the cases routed to discussion)."""

    meeting_id: int
    title: str
    meeting_date: date
    organisation: str
    listed: int
    routes: dict[str, int]
    decided: int
    rolled_over: int
    rollover_causes: dict[str, int]  # data item (or "not reached") -> cases
    minutes_per_case: float

    @property
    def discussed(self) -> int:
        return self.routes.get("full_discussion", 0)

    @property
    def minutes_before(self) -> float:
        return self.listed * self.minutes_per_case

    @property
    def minutes_after(self) -> float:
        return self.discussed * self.minutes_per_case

    def to_dict(self) -> dict[str, Any]:
        return {"meeting_id": self.meeting_id, "title": self.title,
                "meeting_date": self.meeting_date.isoformat(),
                "organisation": self.organisation, "listed": self.listed,
                "routes": dict(self.routes), "discussed": self.discussed,
                "decided": self.decided, "rolled_over": self.rolled_over,
                "rollover_causes": dict(self.rollover_causes),
                "minutes_before": self.minutes_before, "minutes_after": self.minutes_after,
                "minutes_per_discussed_case": self.minutes_per_case if self.discussed else None}


@dataclass(frozen=True)
class Disagreement:
    """A reviewer who disagreed with a case's Standard of Care, and why."""

    sample_id: int
    case_ref: str
    meeting: str
    standard_id: str
    reason: str


@dataclass(frozen=True)
class SampleReview:
    """The clinical review of the audit samples drawn in the period."""

    samples: int
    drawn: int
    reviewed: int
    disagreement: Proportion
    disagreements: Sequence[Disagreement]

    @property
    def flagged_standards(self) -> list[str]:
        """Standards of Care with a disagreement: for the pathway board."""
        return sorted({d.standard_id for d in self.disagreements})

    def to_dict(self) -> dict[str, Any]:
        return {"samples": self.samples, "drawn": self.drawn, "reviewed": self.reviewed,
                "disagreement": self.disagreement.to_dict(),
                "disagreements": [d.__dict__ for d in self.disagreements],
                "flagged_standards": self.flagged_standards}


@dataclass(frozen=True)
class StreamliningReport:
    """Route shares, meeting load, escalations and the safety net's review."""

    meetings: Sequence[MeetingLoad]
    escalated: dict[str, int]  # flagged | rolled_over | outcome_amended -> streamlined cases
    streamlined: int
    review: SampleReview

    def by_month(self) -> dict[str, dict[str, int]]:
        months: dict[str, Counter[str]] = {}
        for load in self.meetings:
            months.setdefault(load.meeting_date.isoformat()[:7], Counter()).update(load.routes)
        return {m: {r: c[r] for r in ROUTES} for m, c in sorted(months.items())}

    def totals(self) -> dict[str, float]:
        return {"listed": sum(m.listed for m in self.meetings),
                "discussed": sum(m.discussed for m in self.meetings),
                "minutes_before": sum(m.minutes_before for m in self.meetings),
                "minutes_after": sum(m.minutes_after for m in self.meetings),
                "rolled_over": sum(m.rolled_over for m in self.meetings)}

    def to_dict(self) -> dict[str, Any]:
        return {"meetings": [m.to_dict() for m in self.meetings], "by_month": self.by_month(),
                "totals": self.totals(), "streamlined": self.streamlined,
                "escalated": dict(self.escalated), "review": self.review.to_dict()}


def _cause(case: MeetingCase) -> list[str]:
    if case.current_fact_version.route == "not_ready":
        return [str(item) for item in data_requests(case.current_evaluation)] or ["not ready"]
    return ["not reached"]


def _load(meeting: Meeting, organisation: str, minutes: float) -> MeetingLoad:
    cases = meeting.cases
    routes = Counter(case.route or "not_ready" for case in cases)
    causes: Counter[str] = Counter()
    for case in cases:
        if case.status == "rolled_over":
            causes.update(_cause(case))
    return MeetingLoad(meeting.id, meeting.title, meeting.meeting_date, organisation,
                       len(cases), {r: routes[r] for r in ROUTES},
                       sum(c.status == "decided" for c in cases),
                       sum(c.status == "rolled_over" for c in cases), dict(causes), minutes)


def _escalated(meetings: Sequence[Meeting]) -> tuple[int, dict[str, int]]:
    streamlined = [c for m in meetings for c in m.cases
                   if c.current_fact_version.route == "standard_of_care"]
    return len(streamlined), {
        "flagged": sum(c.flagged for c in streamlined),
        "rolled_over": sum(c.status == "rolled_over" for c in streamlined),
        "outcome_amended": sum(len(c.outcomes) > 1 for c in streamlined)}


def _review(session: Session, where: RecordedFilter, organisation_ids: set[int]
            ) -> SampleReview:
    query = select(AuditSample).where(AuditSample.organisation_id.in_(organisation_ids))
    if where.date_from is not None:
        query = query.where(AuditSample.date_to >= where.date_from)
    if where.date_to is not None:
        query = query.where(AuditSample.date_from <= where.date_to)
    samples = list(session.scalars(query.options(selectinload(AuditSample.cases))
                                   .order_by(AuditSample.id)))
    entries = [c for s in samples for c in s.cases]
    reviewed = [c for c in entries if c.verdict is not None]
    against = [c for c in reviewed if c.verdict == "disagree"]
    return SampleReview(len(samples), len(entries), len(reviewed),
                        proportion(len(against), len(reviewed)),
                        [Disagreement(c.sample_id, c.case.case_ref,
                                      day_text(c.case.meeting.meeting_date), c.standard_id,
                                      c.reason or "") for c in against])


def streamlining_report(session: Session, pack: Pack, where: RecordedFilter
                        ) -> StreamliningReport:
    """The streamlining figures of the recorded meetings that use ``pack``."""
    meetings = meetings_of(session, pack, where)
    names = {o.id: o.name for o in session.scalars(select(Organisation))}
    minutes = float(pack.minutes_per_case or 0.0)
    streamlined, escalated = _escalated(meetings)
    organisations = {m.organisation_id for m in meetings}
    if where.organisation is not None:
        organisations |= {i for i, n in names.items() if n == where.organisation}
    return StreamliningReport([_load(m, names.get(m.organisation_id, ""), minutes)
                               for m in meetings], escalated, streamlined,
                              _review(session, where, organisations))


def streamlining_text(report: StreamliningReport) -> str:
    """The report as plain text for a terminal."""
    totals = report.totals()
    lines = [f"Streamlining: {len(report.meetings)} meetings, {totals['listed']:.0f} cases "
             f"listed, {totals['discussed']:.0f} discussed",
             f"Meeting minutes if every listed case were discussed: "
             f"{totals['minutes_before']:,.0f}; as routed: {totals['minutes_after']:,.0f}",
             "", "Per meeting: listed, Standard of Care, discussed, not ready, rolled over, "
             "minutes before -> after"]
    for m in report.meetings:
        lines.append(f"  {day_text(m.meeting_date)} {m.title} ({m.organisation}): {m.listed}, "
                     f"{m.routes['standard_of_care']}, {m.discussed}, {m.routes['not_ready']}, "
                     f"{m.rolled_over}, {m.minutes_before:g} -> {m.minutes_after:g}")
        if m.rollover_causes:
            causes = ", ".join(f"{k} ({v})" for k, v in sorted(m.rollover_causes.items()))
            lines.append(f"    rolled over for: {causes}")
    e = report.escalated
    lines += ["", f"Streamlined cases: {report.streamlined}; later flagged {e['flagged']}, "
                  f"rolled over {e['rolled_over']}, outcome amended {e['outcome_amended']}"]
    review = report.review
    lines += ["", f"Audit samples: {review.samples} ({review.drawn} cases drawn, "
                  f"{review.reviewed} reviewed)",
              f"Disagreement rate: {review.disagreement.text()}"]
    lines += [f"  case {d.case_ref}, {d.meeting}, Standard {d.standard_id}: {d.reason}"
              for d in review.disagreements]
    flagged = ", ".join(review.flagged_standards) or "none"
    lines.append(f"Standards of Care flagged for the pathway board: {flagged}")
    return "\n".join(lines) + "\n"
