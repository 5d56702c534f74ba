"""The concordance audit's figures: counts and rates with intervals, by group, and kappa."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openmdt.analytics.concordance import CATEGORIES, AuditRow, PairResult, classify_row
from openmdt.analytics.stats import Kappa, Proportion, cohen_kappa, proportion

__all__ = ["GROUPINGS", "ConcordanceAudit", "Counts", "RowError", "Provenance",
           "concordance_audit"]

# The report's breakdowns: JSON key -> what the group is, per result.
GROUPINGS = ("by_decision", "by_option", "by_risk_group", "by_meeting", "by_month",
             "by_organisation")


@dataclass(frozen=True)
class RowError:
    """A rejected row: where, which column, the value, what is allowed, and why."""

    line: int | None
    column: str
    value: Any
    allowed: str | None
    message: str
    code: str
    case_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "case_id": self.case_id, "column": self.column,
                "value": self.value, "allowed": self.allowed, "code": self.code,
                "message": self.message}


@dataclass(frozen=True)
class Counts:
    """How many (case, decision) pairs fell in each category, and the concordance rate:
    (concordant + conditionally concordant) / evaluable, with its 95% Wilson interval."""

    concordant: int = 0
    conditionally_concordant: int = 0
    non_concordant: int = 0
    not_evaluable: int = 0

    @classmethod
    def of(cls, results: Iterable[PairResult]) -> Counts:
        tally = Counter(r.category for r in results)
        return cls(*(tally[c] for c in CATEGORIES))

    @property
    def total(self) -> int:
        return sum(getattr(self, c) for c in CATEGORIES)

    @property
    def evaluable(self) -> int:
        return self.total - self.not_evaluable

    @property
    def rate(self) -> Proportion:
        return proportion(self.concordant + self.conditionally_concordant, self.evaluable)

    def to_dict(self) -> dict[str, Any]:
        rate = self.rate
        return {**{c: getattr(self, c) for c in CATEGORIES}, "total": self.total,
                "evaluable": self.evaluable, "rate": rate.rate,
                "ci95": list(rate.ci95) if rate.ci95 else None}


@dataclass(frozen=True)
class Provenance:
    """What makes the figures reproducible: software and pack versions, source, period."""

    openmdt_version: str
    pack_id: str
    pack_version: str
    pack_hash: str
    source: str
    period: tuple[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"openmdt_version": self.openmdt_version, "pack_id": self.pack_id,
                "pack_version": self.pack_version, "pack_hash": self.pack_hash,
                "source": self.source,
                "period": list(self.period) if self.period else None}


@dataclass(frozen=True)
class ConcordanceAudit:
    """The whole audit: every pair's result, the rejected rows, and the figures."""

    cases: int  # distinct cases (a case listed at two meetings counts once)
    listings: int  # rows analysed: a case at a meeting
    results: Sequence[PairResult]
    errors: Sequence[RowError]
    provenance: Provenance
    without_decision: int = 0  # cases with no decision recorded (deferred)
    counts: Counts = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", Counts.of(self.results))

    def grouped(self, grouping: str) -> dict[str, Counts]:
        """The counts per group of one of GROUPINGS, groups in sorted order."""
        groups: dict[str, list[PairResult]] = {}
        for result in self.results:
            for key in _group_keys(grouping, result):
                groups.setdefault(key, []).append(result)
        return {key: Counts.of(groups[key]) for key in sorted(groups)}

    @property
    def kappa_mdt_panel(self) -> Kappa:
        """MDT vs the second rater, over (case, decision) pairs where each chose one option."""
        return cohen_kappa(_panel_pairs(self.results))

    @property
    def kappa_mdt_system(self) -> Kappa:
        """MDT vs the engine, over definitive decisions with a single recommended option
        where the MDT chose one option."""
        return cohen_kappa((f"{r.decision_id}/{r.chosen[0]}", f"{r.decision_id}/{r.recommended[0]}")
                           for r in self.results if _single_recommendation(r))

    def to_dict(self) -> dict[str, Any]:
        """The JSON report; the keys cases, rejected, concordance, by_decision and kappa are
        stable (issue 11 §2)."""
        return {
            "cases": self.cases,
            "listings": self.listings,
            "rejected": len(self.errors),
            "without_decision": self.without_decision,
            "concordance": self.counts.to_dict(),
            **{g: {k: c.to_dict() for k, c in self.grouped(g).items()} for g in GROUPINGS},
            "kappa": {"mdt_vs_panel": self.kappa_mdt_panel.to_dict(),
                      "mdt_vs_system": self.kappa_mdt_system.to_dict()},
            "non_concordant": [_pair_dict(r) for r in self.results
                               if r.category == "non_concordant"],
            "conditionally_concordant": [_pair_dict(r) for r in self.results
                                         if r.category == "conditionally_concordant"],
            "not_evaluable": [_pair_dict(r) for r in self.results
                              if r.category == "not_evaluable"],
            "deviation_reasons": dict(sorted(Counter(
                r.reason for r in self.results if r.category == "non_concordant").items())),
            "errors": [e.to_dict() for e in self.errors],
            "provenance": self.provenance.to_dict(),
        }


def _group_keys(grouping: str, result: PairResult) -> list[str]:
    row = result.row
    if grouping == "by_decision":
        return [result.decision_id or "(outside the pack)"]
    if grouping == "by_option":
        prefix = f"{result.decision_id}/" if result.decision_id else ""
        return [prefix + option for option in result.chosen]
    if grouping == "by_risk_group":
        return [row.risk_group]
    if grouping == "by_meeting":
        return [row.meeting]
    if grouping == "by_month":
        return [row.meeting_date[:7]]
    return [row.organisation]


def _single_recommendation(result: PairResult) -> bool:
    state = result.row.decisions.get(result.decision_id)
    return (state is not None and state.status == "definitive"
            and len(result.recommended) == 1 and len(result.chosen) == 1)


def _panel_pairs(results: Iterable[PairResult]) -> list[tuple[str, str]]:
    pairs = []
    for result in results:
        if result.row.panel is None or len(result.chosen) != 1:
            continue
        panel = [o.option_id for o in result.row.panel if o.decision_id == result.decision_id]
        if len(panel) == 1:
            decision = result.decision_id
            pairs.append((f"{decision}/{result.chosen[0]}", f"{decision}/{panel[0]}"))
    return pairs


def _pair_dict(result: PairResult) -> dict[str, Any]:
    row = result.row
    return {"line": row.line, "case_id": row.case_id, "meeting": row.meeting,
            "organisation": row.organisation, "decision": result.decision_id or None,
            "chosen": list(result.chosen), "recommended": list(result.recommended),
            "items": list(result.items), "reason": result.reason or None,
            "note": result.note or None}


def concordance_audit(rows: Iterable[AuditRow], errors: Sequence[RowError],
                      provenance: Provenance) -> ConcordanceAudit:
    """Classify every row's decisions and gather the figures."""
    rows = list(rows)
    results = [result for row in rows for result in classify_row(row)]
    distinct = len({(row.organisation, row.case_id) for row in rows})
    return ConcordanceAudit(distinct, len(rows), results, list(errors), provenance,
                            sum(not row.chosen for row in rows))
