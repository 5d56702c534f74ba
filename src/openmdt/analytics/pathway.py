"""Pathway KPIs (issue 11 §5): days between pathway dates by route, performance against the
waiting-time standards (settings with their source), and days lost to cases that were not
ready or rolled over, with the data items that caused them.
"""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from openmdt.analytics.stats import Proportion, proportion
from openmdt.cases.pathway import MEETING, PATHWAY_DATES, PATHWAY_LABELS

__all__ = ["STEPS", "Delay", "DaysSummary", "PathwayCase", "PathwayReport", "Standard",
           "StandardsError", "cases_from_rows", "load_standards", "pathway_report"]

# The pathway, step by step, the MDT meeting in its place.
_ORDER = ("referral_date", "first_seen_date", "diagnosis_date", MEETING,
          "decision_to_treat_date", "first_treatment_date")
STEPS = tuple(zip(_ORDER, _ORDER[1:], strict=False))
ROUTES = ("standard_of_care", "full_discussion", "not_ready")


class StandardsError(ValueError):
    """A standards file that cannot be used: where, the value and what is allowed."""


@dataclass(frozen=True)
class Standard:
    """A waiting-time standard: at most ``days`` from ``start`` to ``end``; target share."""

    key: str
    label: str
    start: str
    end: str
    days: int
    target: float | None
    source: str


@dataclass(frozen=True)
class Standards:
    """The standards in force, with the file they came from and its hash."""

    items: tuple[Standard, ...]
    source: str
    hash: str


@dataclass(frozen=True)
class Delay:
    """A case listed again later: the days lost and the data items that caused it."""

    case_id: str
    meeting_date: date
    days: int
    cause: str  # not_ready | rolled_over
    items: tuple[str, ...]
    referring_team: str


@dataclass(frozen=True)
class PathwayCase:
    """One case at one meeting: route, pathway dates (the meeting date included) and, when
    it was listed again later, the delay."""

    case_id: str
    route: str | None
    dates: Mapping[str, date]
    referring_team: str = ""
    delay: Delay | None = None
    final: bool = True  # the case's last listing (its completed pathway)


@dataclass(frozen=True)
class DaysSummary:
    """The distribution of a number of days: count, median, quartiles, range."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None
    minimum: int | None
    maximum: int | None

    @classmethod
    def of(cls, days: Sequence[int]) -> DaysSummary:
        if not days:
            return cls(0, None, None, None, None, None)
        ordered = sorted(days)
        if len(ordered) == 1:
            q1 = q3 = float(ordered[0])
        else:
            q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
        return cls(len(ordered), float(statistics.median(ordered)), q1, q3, ordered[0],
                   ordered[-1])

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "median": self.median, "q1": self.q1, "q3": self.q3,
                "min": self.minimum, "max": self.maximum}


@dataclass(frozen=True)
class StandardResult:
    """How many cases with both dates met a standard, with the interval, against target."""

    standard: Standard
    met: Proportion

    @property
    def meets_target(self) -> bool | None:
        if self.standard.target is None or self.met.rate is None:
            return None
        return self.met.rate >= self.standard.target


@dataclass(frozen=True)
class PathwayReport:
    """Days per step and per standard by route, standards met, and days lost."""

    cases: int
    steps: Mapping[str, Mapping[str, DaysSummary]]  # route ("all" first) -> step -> days
    standards: Sequence[StandardResult]
    by_route_standards: Mapping[str, Sequence[StandardResult]]
    delays: Sequence[Delay]
    standards_source: str
    standards_hash: str

    def days_lost_by_item(self) -> dict[str, tuple[int, int]]:
        """Item -> (cases, days lost), most days first."""
        cases: Counter[str] = Counter()
        days: Counter[str] = Counter()
        for delay in self.delays:
            for item in delay.items or ("(no item recorded)",):
                cases[item] += 1
                days[item] += delay.days
        return {k: (cases[k], days[k]) for k in sorted(days, key=lambda k: (-days[k], k))}

    def days_lost_by_team(self) -> dict[str, tuple[int, int]]:
        """Referring team -> (cases, days lost)."""
        found: dict[str, list[int]] = {}
        for delay in self.delays:
            found.setdefault(delay.referring_team or "(not recorded)", []).append(delay.days)
        return {k: (len(v), sum(v)) for k, v in sorted(found.items())}

    def to_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "steps": {route: {step: s.to_dict() for step, s in steps.items()}
                      for route, steps in self.steps.items()},
            "standards": [_standard_dict(r) for r in self.standards],
            "standards_by_route": {route: [_standard_dict(r) for r in results]
                                   for route, results in self.by_route_standards.items()},
            "days_lost": {
                "cases": len(self.delays), "days": sum(d.days for d in self.delays),
                "by_cause": dict(Counter(d.cause for d in self.delays)),
                "by_item": {k: {"cases": c, "days": d}
                            for k, (c, d) in self.days_lost_by_item().items()},
                "by_referring_team": {k: {"cases": c, "days": d}
                                      for k, (c, d) in self.days_lost_by_team().items()},
                "delays": [{"case_id": d.case_id, "meeting_date": d.meeting_date.isoformat(),
                            "days": d.days, "cause": d.cause, "items": list(d.items),
                            "referring_team": d.referring_team} for d in self.delays]},
            "standards_file": self.standards_source, "standards_hash": self.standards_hash,
        }


def _standard_dict(result: StandardResult) -> dict[str, Any]:
    s = result.standard
    return {"key": s.key, "label": s.label, "start": s.start, "end": s.end, "days": s.days,
            "target": s.target, "source": s.source, "met": result.met.count,
            "with_both_dates": result.met.total, "rate": result.met.rate,
            "ci95": list(result.met.ci95) if result.met.ci95 else None,
            "meets_target": result.meets_target}


def step_name(start: str, end: str) -> str:
    """'referral_date->first_seen_date' as the key of a step."""
    return f"{start}->{end}"


def step_label(step: str) -> str:
    start, end = step.split("->")
    later = _short(end)
    return f"{_short(start)} to {later if later == 'MDT' else later.lower()}"


def _short(name: str) -> str:
    return PATHWAY_LABELS[name].removesuffix(" date").replace("MDT meeting", "MDT")


def _days(case: PathwayCase, start: str, end: str) -> int | None:
    first, last = case.dates.get(start), case.dates.get(end)
    if first is None or last is None:
        return None
    return (last - first).days


def _step_summaries(cases: Sequence[PathwayCase]) -> dict[str, DaysSummary]:
    summaries = {}
    for start, end in STEPS:
        days = [d for c in cases if (d := _days(c, start, end)) is not None]
        summaries[step_name(start, end)] = DaysSummary.of(days)
    return summaries


def _standard_results(cases: Sequence[PathwayCase], standards: Standards
                      ) -> list[StandardResult]:
    results = []
    for standard in standards.items:
        days = [d for c in cases if (d := _days(c, standard.start, standard.end)) is not None]
        results.append(StandardResult(standard, proportion(
            sum(d <= standard.days for d in days), len(days))))
    return results


def pathway_report(cases: Iterable[PathwayCase], standards: Standards) -> PathwayReport:
    """The pathway KPIs: days and standards over each case's last listing (its completed
    pathway, by the route it took there), days lost over every listing that was followed by
    a later one."""
    listings = list(cases)
    cases = [c for c in listings if c.final]
    groups = {"all": cases, **{r: [c for c in cases if c.route == r] for r in ROUTES}}
    return PathwayReport(
        len(cases), {route: _step_summaries(group) for route, group in groups.items()},
        _standard_results(cases, standards),
        {route: _standard_results(group, standards) for route, group in groups.items()
         if route != "all"},
        [c.delay for c in listings if c.delay is not None], standards.source, standards.hash)


def cases_from_rows(rows: Sequence[Any]) -> list[PathwayCase]:
    """Pathway cases from historic rows (``AuditRow``). A case listed again at a later
    meeting lost the days in between: because it was not ready (the data items requested),
    or, discussed with no decision recorded, because it was deferred (rolled over)."""
    by_case: dict[tuple[str, str], list[Any]] = {}
    for row in rows:
        by_case.setdefault((row.organisation, row.case_id), []).append(row)
    cases = []
    for listed in by_case.values():
        listed.sort(key=lambda row: row.meeting_date)
        for row, later in zip(listed, [*listed[1:], None], strict=True):
            cases.append(_pathway_case(row, later))
    return cases


def _pathway_case(row: Any, later: Any) -> PathwayCase:
    meeting = date.fromisoformat(row.meeting_date)
    delay = None
    if later is not None and (row.route == "not_ready" or not row.chosen):
        cause = "not_ready" if row.route == "not_ready" else "rolled_over"
        delay = Delay(row.case_id, meeting,
                      (date.fromisoformat(later.meeting_date) - meeting).days, cause,
                      tuple(row.requests) if cause == "not_ready" else (), row.referring_team)
    return PathwayCase(row.case_id, row.route, {**row.pathway, MEETING: meeting},
                       row.referring_team, delay, final=later is None)


def load_standards(path: Path | None = None) -> Standards:
    """The waiting-time standards in ``path``, or the shipped defaults."""
    if path is None:
        text = resources.files("openmdt.analytics").joinpath(
            "data/pathway_standards.yaml").read_text(encoding="utf-8")
        name = "shipped defaults (openmdt/analytics/data/pathway_standards.yaml)"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise StandardsError(f"{path}: cannot read the standards file: {exc}") from None
        name = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise StandardsError(f"{name}: not valid YAML: {exc}") from None
    raw = data.get("standards") if isinstance(data, Mapping) else None
    if not isinstance(raw, Mapping) or not raw:
        raise StandardsError(f"{name}: 'standards' must be a mapping of standards")
    items = tuple(_standard(key, value, name) for key, value in raw.items())
    return Standards(items, name, "sha256:" + hashlib.sha256(text.encode()).hexdigest())


def _standard(key: str, raw: Any, name: str) -> Standard:
    where = f"{name}: standards.{key}"
    if not isinstance(raw, Mapping):
        raise StandardsError(f"{where}: must be a mapping with start, end, days, source")
    allowed = (*PATHWAY_DATES, MEETING)
    for field_name in ("start", "end"):
        if raw.get(field_name) not in allowed:
            raise StandardsError(f"{where}.{field_name}: {raw.get(field_name)!r} is not "
                                 f"allowed; allowed: {', '.join(allowed)}")
    days = raw.get("days")
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise StandardsError(f"{where}.days: {days!r} is not allowed; allowed: a whole number "
                             "of days, 0 or more")
    target = raw.get("target")
    if target is not None and (isinstance(target, bool) or not isinstance(target, int | float)
                               or not 0 <= target <= 1):
        raise StandardsError(f"{where}.target: {target!r} is not allowed; allowed: a share "
                             "from 0 to 1, or null")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise StandardsError(f"{where}.source: every standard names its source")
    return Standard(key, str(raw.get("label") or key), raw["start"], raw["end"], days,
                    None if target is None else float(target), source.strip())
