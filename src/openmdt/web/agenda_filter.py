"""Agenda filters and search: by route, by the pack's agenda_filters (e.g. the risk group),
by whether an outcome is recorded, and by name, case reference or NHS number."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from openmdt.web.pages_views import ROUTES

OUTCOME_CHOICES = {"recorded": "Outcome recorded", "none": "No outcome yet"}
FACT_PREFIX = "f_"


class Filterable(Protocol):
    """What a filter reads of an agenda row."""

    route: str | None
    outcome: str | None
    patient_name: str
    case_ref: str
    nhs_number: str
    filter_values: Mapping[str, str]


@dataclass(frozen=True)
class FilterChoice:
    """One filter the form shows: its query name, label and (value, words) options."""

    name: str
    label: str
    options: Sequence[tuple[str, str]]
    chosen: str = ""


@dataclass(frozen=True)
class AgendaFilter:
    """What the person asked the agenda to show ("" = any)."""

    route: str = ""
    outcome: str = ""
    search: str = ""
    facts: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: Mapping[str, str], fact_names: Sequence[str]) -> AgendaFilter:
        """The filter from a page's query string; unknown values are ignored."""
        route = query.get("route", "")
        outcome = query.get("outcome", "")
        facts = {name: query.get(FACT_PREFIX + name, "").strip() for name in fact_names}
        return cls(route if route in ROUTES else "",
                   outcome if outcome in OUTCOME_CHOICES else "",
                   " ".join(query.get("q", "").split())[:200],
                   {name: value for name, value in facts.items() if value})

    @property
    def active(self) -> bool:
        """Whether anything is filtered."""
        return bool(self.route or self.outcome or self.search or self.facts)

    def keeps(self, row: Filterable) -> bool:
        """Whether a row passes every chosen filter."""
        return (not self.route or row.route == self.route) \
            and self._outcome_matches(row) and self._search_matches(row) \
            and all(row.filter_values.get(name) == value for name, value in self.facts.items())

    def _outcome_matches(self, row: Filterable) -> bool:
        if not self.outcome:
            return True
        return (row.outcome is not None) == (self.outcome == "recorded")

    def _search_matches(self, row: Filterable) -> bool:
        if not self.search:
            return True
        wanted = self.search.lower()
        digits = wanted.replace(" ", "")
        return (wanted in row.patient_name.lower() or wanted in row.case_ref.lower()
                or (digits.isdigit() and digits in row.nhs_number.replace(" ", "")))

    def query(self) -> str:
        """The filter as a query string ("" when nothing is filtered), for links."""
        pairs: list[tuple[str, str]] = [(k, v) for k, v in (
            ("route", self.route), ("outcome", self.outcome), ("q", self.search)) if v]
        pairs += [(FACT_PREFIX + name, value) for name, value in self.facts.items()]
        return urlencode(pairs)


def fact_choices(rows: Sequence[Any], names: Sequence[str], labels: Mapping[str, str],
                 chosen: AgendaFilter) -> list[FilterChoice]:
    """One drop-down per pack filter, offering the values the listed cases have (a row's
    `filter_words` give each value in the pack's words)."""
    choices = []
    for name in names:
        words = {row.filter_values[name]: row.filter_words[name]
                 for row in rows if name in row.filter_values}
        options = [(value, words[value]) for value in sorted(words, key=_natural)]
        choices.append(FilterChoice(FACT_PREFIX + name, labels.get(name, name), options,
                                    chosen.facts.get(name, "")))
    return choices


def _natural(value: str) -> tuple[int, float, str]:
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)
