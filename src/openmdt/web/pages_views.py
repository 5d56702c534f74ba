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

from openmdt.knowledge.words import date_words, humanise
from openmdt.meetings.options import option_ref

ROUTES = ("full_discussion", "not_ready", "standard_of_care")
ROUTE_LABELS = {
    "full_discussion": "Full discussion",
    "not_ready": "Not ready",
    "standard_of_care": "Standard of care",
}


def _first(mapping: Mapping[str, Any] | None, *keys: str, default: Any = None) -> Any:
    """The value of the first key present (the evaluation contract names some things twice)."""
    if not mapping:
        return default
    for key in keys:
        if key in mapping and mapping[key] is not None:
            return mapping[key]
    return default


def _as_list(value: Any) -> list[Any]:
    """A list of records whether stored as a list or as a mapping keyed by id."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [
            {"id": key, **item} if isinstance(item, Mapping) else {"id": key, "value": item}
            for key, item in value.items()
        ]
    return list(value)


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


def conflict_views(evaluation: Mapping[str, Any], items: Mapping[str, Any]
                   ) -> list[ConflictView]:
    """The conflicts of a stored evaluation (none for one stored before they existed)."""
    return [ConflictView(str(c["message"]),
                         [(_label(name, items), format_fact(items.get(name), value))
                          for name, value in c["values"].items()])
            for c in evaluation.get("conflicts") or ()]


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


def _held(argument: Mapping[str, Any]) -> bool | None:
    value = _first(argument, "held", "holds", "value", "result", "status")
    if isinstance(value, bool) or value is None:
        return value
    lowered = str(value).lower()
    return {"true": True, "false": False}.get(lowered)


def _source_text(source: Any) -> str:
    if isinstance(source, Mapping):
        parts = [_first(source, "title", "id", default=""), _first(source, "reference", "ref")]
        return " ".join(str(p) for p in parts if p)
    return str(source or "")


def argument_view(argument: Mapping[str, Any]) -> ArgumentView:
    """One stored argument as shown on the case page."""
    return ArgumentView(
        id=str(_first(argument, "id", default="")),
        polarity=str(_first(argument, "polarity", "kind", default="for")),
        weight=_first(argument, "weight"),
        held=_held(argument),
        text=str(_first(argument, "text", "description", default="")),
        source=_source_text(_first(argument, "source")),
        strength=_first(argument, "strength"),
    )


def _request(item: Any, labels: Mapping[str, Any]) -> DataRequest:
    if isinstance(item, Mapping):
        name = str(_first(item, "item", "name", "id", default=""))
        label = _first(item, "label", default=None) or _label(name, labels)
        question = _first(item, "question", default=None) or _question(name, labels)
        return DataRequest(name, str(label), str(question))
    return DataRequest(str(item), _label(str(item), labels), _question(str(item), labels))


def _label(name: str, labels: Mapping[str, Any]) -> str:
    item = labels.get(name)
    return str(getattr(item, "label", None) or humanise(name))


def _question(name: str, labels: Mapping[str, Any]) -> str:
    item = labels.get(name)
    return str(getattr(item, "question", None) or f"What is the {humanise(name).lower()}?")


def candidate_view(candidate: Mapping[str, Any]) -> CandidateView:
    """One stored candidate as shown on the case page."""
    option_id = str(_first(candidate, "id", "option", default=""))
    return CandidateView(
        id=option_id,
        title=str(_first(candidate, "title", default=None) or humanise(option_id)),
        net_support=_first(candidate, "net_support", "support"),
        recommended=_first(candidate, "recommended"),
        arguments=[argument_view(a) for a in _as_list(_first(candidate, "arguments"))],
        conflict=_first(candidate, "conflict"),
    )


def decision_view(decision: Mapping[str, Any], items: Mapping[str, Any]) -> DecisionView:
    """One stored decision as shown on the case page."""
    decision_id = str(_first(decision, "id", default=""))
    return DecisionView(
        id=decision_id,
        title=str(_first(decision, "title", default=None) or humanise(decision_id)),
        status=str(_first(decision, "status", default="provisional")),
        missing=[_request(m, items) for m in _as_list(_first(decision, "missing"))],
        candidates=[candidate_view(c) for c in _as_list(_first(decision, "candidates"))],
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


def _derived_views(
    evaluation: Mapping[str, Any], items: Mapping[str, Any], definitions: Mapping[str, Any]
) -> list[DerivedView]:
    """Derived facts with the pack's words for them (description and source)."""
    return [
        _derived_view(str(entry.get("id") or entry.get("name")), entry.get("value"), items,
                      definitions.get(str(entry.get("id") or entry.get("name"))))
        for entry in _as_list(_first(evaluation, "derived", "derived_facts"))
    ]


def triage_view(
    evaluation: Mapping[str, Any] | None,
    items: Mapping[str, Any],
    standard_titles: Mapping[str, str] | None = None,
) -> TriageView:
    """The triage part of a stored evaluation (standards of care named by their titles)."""
    triage = _first(evaluation, "triage", default=None) or evaluation or {}
    reasons = [
        str(_first(r, "text", "reason", "message", default=r)) if isinstance(r, Mapping) else str(r)
        for r in _as_list(_first(triage, "reasons"))
    ]
    soc = _first(triage, "standard_of_care")
    if isinstance(soc, Mapping):
        soc = _first(soc, "title", "id")
    if soc and standard_titles:
        soc = standard_titles.get(str(soc), soc)
    return TriageView(
        route=_first(triage, "route") or _first(evaluation, "route"),
        reasons=reasons,
        data_requests=[_request(r, items) for r in _as_list(_first(triage, "data_requests"))],
        standard_of_care=str(soc) if soc else None,
        minutes=_first(triage, "minutes", "estimated_minutes"),
    )


def pack_line(evaluation: Mapping[str, Any] | None) -> str:
    """The pack id, version and hash an evaluation was made with."""
    pack = _first(evaluation, "pack", default={}) or {}
    if not isinstance(pack, Mapping):
        return str(pack)
    parts = [_first(pack, "id"), _first(pack, "version"), _first(pack, "hash")]
    return " ".join(str(p) for p in parts if p)


def evaluation_view(
    evaluation: Mapping[str, Any] | None,
    items: Mapping[str, Any] | None = None,
    derived_definitions: Mapping[str, Any] | None = None,
    standard_titles: Mapping[str, str] | None = None,
) -> EvaluationView:
    """The case page's view of a stored evaluation (empty when there is none)."""
    items = items or {}
    evaluation = evaluation or {}
    return EvaluationView(
        decisions=[decision_view(d, items) for d in _as_list(_first(evaluation, "decisions"))],
        derived=_derived_views(evaluation, items, derived_definitions or {}),
        triage=triage_view(evaluation, items, standard_titles),
        pack=pack_line(evaluation),
        conflicts=conflict_views(evaluation, items),
        assumed=[(_label(name, items), format_fact(items.get(name), value))
                 for name, value in (_first(evaluation, "assumed", default={}) or {}).items()],
    )


def route_counts(routes: Iterable[str | None]) -> dict[str, int]:
    """How many cases take each route."""
    counts = dict.fromkeys(ROUTES, 0)
    for route in routes:
        if route in counts:
            counts[route] += 1
    return counts
