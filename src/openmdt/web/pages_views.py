"""Views for the pages: stored evaluations and records turned into what a reader sees.

The pages never re-evaluate a case: they read the evaluation stored with the case's current
facts version (`Evaluation.to_dict()`), so an agenda of 90 cases renders from stored data.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openmdt.engine.result import (
    ArgumentRecord,
    DecisionRecord,
    EvaluationRecord,
    OptionRecord,
    TriageRecord,
)
from openmdt.knowledge.words import date_words, humanise
from openmdt.meetings.options import option_ref

ROUTES = ("full_discussion", "not_ready", "standard_of_care")
ROUTE_LABELS = {
    "full_discussion": "Full discussion",
    "not_ready": "Not ready",
    "standard_of_care": "Standard of care",
}


def option_label(titles: Mapping[str, str], ref: str) -> str:
    """An option's title by its reference, else its id in words (a stored outcome whose
    option the current evaluation no longer lists)."""
    return titles.get(ref) or humanise(str(ref).rsplit("/", 1)[-1])


SMALL_WORDS = frozenset({"of", "to", "at", "in", "on", "and", "or", "the", "by", "for", "per"})


def short_label(name: str) -> str:
    """A label from an identifier, short words read as abbreviations: "cpg" -> "CPG"."""
    words = str(name).split("_")
    shown = [w.upper() if (len(w) <= 3 or not set(w) & set("aeiouy")) and w not in SMALL_WORDS
             else w for w in words]
    text = " ".join(shown)
    return text[:1].upper() + text[1:]


def format_fact(item: Any, value: Any) -> str:
    """A stored fact as a reader sees it, converted to its item's type first ("true" -> Yes)."""
    from openmdt.knowledge.values import convert_fact

    if value is None or value == "":
        return "Unknown"
    # A stored value that no longer converts (pack changed) is shown as stored, not hidden.
    with contextlib.suppress(Exception):
        value = convert_fact(item, value)
    if isinstance(value, str):
        value = value.replace("_", " ")
    return format_value(value, getattr(item, "unit", None))


def format_value(value: Any, unit: str | None = None) -> str:
    """A fact value as a reader sees it; unknown is said, never left blank."""
    if value is None:
        return "Unknown"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return date_words(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value} {unit}" if unit else str(value)


@dataclass(frozen=True)
class DataRequest:
    """One item of data the coordinator must obtain before the case can be triaged."""

    item: str
    label: str
    question: str


@dataclass(frozen=True)
class ArgumentView:
    """One argument for or against a candidate, whether it held and where it comes from."""

    id: str
    polarity: str
    weight: float | None
    held: bool | None
    text: str
    source: str
    strength: str | None


@dataclass(frozen=True)
class CandidateView:
    """One treatment option with its net support and arguments."""

    id: str
    title: str
    net_support: float | None
    recommended: bool | None
    arguments: Sequence[ArgumentView]
    conflict: str | None = None

    @property
    def excluded_by(self) -> list[ArgumentView]:
        """The excluding arguments that hold: the option is not offered, whatever its support."""
        return [a for a in self.arguments if a.polarity == "excluding" and a.held is True]


@dataclass(frozen=True)
class DecisionView:
    """One decision of the pack: status (definitive / provisional / not applicable) and options."""

    id: str
    title: str
    status: str
    missing: Sequence[DataRequest]
    candidates: Sequence[CandidateView]

    @property
    def recommended(self) -> list[CandidateView]:
        """The candidates the guideline recommends."""
        return [c for c in self.candidates if c.recommended]


@dataclass(frozen=True)
class DerivedView:
    """A derived fact (e.g. CPG) with its value and source."""

    name: str
    label: str
    value: str
    source: str
    description: str = ""
    for_letters: bool = False  # cited to a guideline, known, and more than a yes/no helper


@dataclass(frozen=True)
class TriageView:
    """The route a case was given, why, and what data is still needed."""

    route: str | None
    reasons: Sequence[str]
    data_requests: Sequence[DataRequest]
    standard_of_care: str | None
    minutes: float | None


@dataclass(frozen=True)
class ConflictView:
    """Recorded facts that contradict each other, with their labels and values."""

    message: str
    values: Sequence[tuple[str, str]]  # (label, value as shown)


@dataclass(frozen=True)
class EvaluationView:
    """Everything the case page shows from one stored evaluation."""

    decisions: Sequence[DecisionView]
    derived: Sequence[DerivedView]
    triage: TriageView
    pack: str
    assumed: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (label, value)
    conflicts: Sequence[ConflictView] = field(default_factory=tuple)

    def option_titles(self) -> dict[str, str]:
        """Every option (``decision_id/option_id``) mapped to its title, for outcomes and
        letters: one option id can name different treatments in different decisions."""
        return {option_ref(d.id, c.id): c.title for d in self.decisions for c in d.candidates}

    def recommended_ids(self) -> list[str]:
        """The ids of every recommended candidate of applicable decisions."""
        return [c.id for d in self.decisions for c in d.recommended]


def argument_view(argument: ArgumentRecord) -> ArgumentView:
    """One stored argument as shown on the case page."""
    return ArgumentView(argument.id, argument.polarity, argument.weight, argument.holds,
                        argument.text, str(argument.source or ""), argument.strength)


def _request(name: str, labels: Mapping[str, Any]) -> DataRequest:
    return DataRequest(name, _label(name, labels), _question(name, labels))


def _label(name: str, labels: Mapping[str, Any]) -> str:
    item = labels.get(name)
    return str(getattr(item, "label", None) or humanise(name))


def _question(name: str, labels: Mapping[str, Any]) -> str:
    item = labels.get(name)
    return str(getattr(item, "question", None) or f"What is the {humanise(name).lower()}?")


def candidate_view(option: OptionRecord) -> CandidateView:
    """One stored candidate as shown on the case page."""
    return CandidateView(
        id=option.id,
        title=option.title or humanise(option.id),
        net_support=option.net_support,
        recommended=option.recommended,
        arguments=[argument_view(a) for a in option.arguments],
        conflict=option.conflict,
    )


def decision_view(decision: DecisionRecord, items: Mapping[str, Any]) -> DecisionView:
    """One stored decision as shown on the case page."""
    return DecisionView(
        id=decision.id,
        title=decision.title or humanise(decision.id),
        status=decision.status,
        missing=[_request(m, items) for m in decision.missing],
        candidates=[candidate_view(o) for o in decision.options],
    )


def _derived_view(name: str, value: Any, items: Mapping[str, Any], definition: Any) -> DerivedView:
    description = str(getattr(definition, "description", None) or "")
    source = str(getattr(definition, "source", None) or "")
    if name in items:
        label = _label(name, items)
    elif getattr(definition, "label", None):
        label = definition.label
    else:
        label = description if 0 < len(description) <= 40 else short_label(name)
    cited = bool(source) and not source.lower().startswith("local policy")
    for_letters = (cited and value is not None and not isinstance(value, bool)
                   and not getattr(definition, "fills_item", False)
                   and not getattr(definition, "helper", False))
    shown = value.replace("_", " ") if isinstance(value, str) else value
    return DerivedView(name, str(label), format_value(shown), source, description, for_letters)


def conflict_views(record: EvaluationRecord, items: Mapping[str, Any]) -> list[ConflictView]:
    """The conflicts of a stored evaluation, with the pack's labels."""
    return [ConflictView(c.message, [(_label(name, items), format_fact(items.get(name), value))
                                     for name, value in c.values.items()])
            for c in record.conflicts]


def triage_view(
    triage: TriageRecord | None,
    items: Mapping[str, Any],
    standard_titles: Mapping[str, str] | None = None,
) -> TriageView:
    """The triage part of a stored evaluation (standards of care named by their titles)."""
    if triage is None:
        return TriageView(None, [], [], None, None)
    standard = triage.standard_of_care
    if standard and standard_titles:
        standard = standard_titles.get(standard, standard)
    return TriageView(route=triage.route, reasons=list(triage.reasons),
                      data_requests=[_request(r, items) for r in triage.data_requests],
                      standard_of_care=standard, minutes=triage.minutes)


def evaluation_view(
    record: EvaluationRecord | None,
    items: Mapping[str, Any] | None = None,
    derived_definitions: Mapping[str, Any] | None = None,
    standard_titles: Mapping[str, str] | None = None,
) -> EvaluationView:
    """The case page's view of a stored evaluation (empty when there is none)."""
    items = items or {}
    if record is None:
        return EvaluationView(decisions=[], derived=[], triage=triage_view(None, items), pack="")
    definitions = derived_definitions or {}
    return EvaluationView(
        decisions=[decision_view(d, items) for d in record.decisions],
        derived=[_derived_view(name, value, items, definitions.get(name))
                 for name, value in record.derived.items()],
        triage=triage_view(record.triage, items, standard_titles),
        pack=record.pack.line,
        conflicts=conflict_views(record, items),
        assumed=[(_label(name, items), format_fact(items.get(name), value))
                 for name, value in record.assumed.items()],
    )


def route_counts(routes: Iterable[str | None]) -> dict[str, int]:
    """How many cases take each route."""
    counts = dict.fromkeys(ROUTES, 0)
    for route in routes:
        if route in counts:
            counts[route] += 1
    return counts
