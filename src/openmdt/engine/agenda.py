"""The meeting agenda: full-discussion cases first, then not ready, then standard of care."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from openmdt.engine.batch import CaseOutcome

ROUTE_ORDER = ("full_discussion", "not_ready", "standard_of_care")
ROUTE_TITLES = {"full_discussion": "For full discussion",
                "not_ready": "Not ready: data needed",
                "standard_of_care": "Standard of care: listed, not discussed"}


@dataclass
class Agenda:
    """Cases sorted into the three routes, the rejected inputs, and the time estimate."""

    sections: dict[str, list[CaseOutcome]] = field(
        default_factory=lambda: {route: [] for route in ROUTE_ORDER})
    rejected: list[CaseOutcome] = field(default_factory=list)
    minutes_per_case: float = 3.2

    @property
    def counts(self) -> dict[str, int]:
        counts = {route: len(cases) for route, cases in self.sections.items()}
        counts["rejected"] = len(self.rejected)
        return counts

    @property
    def discussion_minutes(self) -> float:
        return round(len(self.sections["full_discussion"]) * self.minutes_per_case, 1)

    def summary(self) -> str:
        """One line: the counts and the estimated discussion time."""
        c = self.counts
        total = sum(c[r] for r in ROUTE_ORDER)
        text = (f"{total} cases: {c['full_discussion']} for full discussion, {c['not_ready']} not "
                f"ready, {c['standard_of_care']} standard of care; estimated discussion time "
                f"{self.discussion_minutes:g} minutes ({self.minutes_per_case:g} min per case)")
        if c["rejected"]:
            text += f"; {c['rejected']} rejected input(s)"
        return text

    def to_dict(self) -> dict:
        return {"summary": self.summary(), "counts": self.counts,
                "minutes_per_case": self.minutes_per_case,
                "discussion_minutes": self.discussion_minutes,
                "sections": {route: [o.to_dict() for o in cases]
                             for route, cases in self.sections.items()},
                "rejected": [o.to_dict() for o in self.rejected]}


def build_agenda(outcomes: Iterable[CaseOutcome], minutes_per_case: float | None = None
                 ) -> Agenda:
    """Sort evaluated cases by route, keeping input order within each route."""
    agenda = Agenda()
    pack_minutes = None
    for outcome in outcomes:
        if outcome.evaluation is None:
            agenda.rejected.append(outcome)
            continue
        pack_minutes = pack_minutes or outcome.evaluation.pack.minutes_per_case
        agenda.sections[outcome.evaluation.route].append(outcome)
    agenda.minutes_per_case = minutes_per_case or pack_minutes or 3.2
    return agenda
