"""The compiled, immutable knowledge pack: what the engine evaluates.

Each node kind's docstring is the author-facing meaning of the YAML it comes from; the full
format is in docs/pack-format.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from openmdt.language import Expression, ValueType

Polarity = Literal["for", "against", "confirming", "excluding"]
ItemType = Literal["number", "integer", "boolean", "enum", "date", "text"]

ITEM_VALUE_TYPES: dict[str, ValueType] = {
    "number": ValueType.NUMBER,
    "integer": ValueType.INTEGER,
    "boolean": ValueType.BOOLEAN,
    "enum": ValueType.ENUM,
    "date": ValueType.DATE,
    "text": ValueType.TEXT,
}


@dataclass(frozen=True)
class DataItem:
    """A data dictionary entry: a fact a case may carry, its type, unit and allowed values."""

    name: str
    type: ItemType
    label: str
    question: str | None = None
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    values: tuple[str, ...] | None = None
    codes: Mapping[str, str] = field(default_factory=dict)
    triage_always: bool = False
    triage_when: Expression | None = None
    description: str | None = None
    not_assessed: frozenset[str] = frozenset()
    default: Any = None
    default_source: str | None = None
    # A default that a Standard of Care may rest on: only when the pack says so, with a source.
    streamline_safe: bool = False
    streamline_safe_source: str | None = None
    # Words people read for enum codes ("bcs" -> "breast-conserving surgery"); codes without
    # one are shown with underscores as spaces.
    value_labels: Mapping[str, str] = field(default_factory=dict)

    def allowed(self) -> str:
        """What values are allowed, in words, for error messages."""
        if self.type == "enum" and self.values:
            return "one of " + ", ".join(self.values)
        if self.type in ("number", "integer"):
            kind = "a whole number" if self.type == "integer" else "a number"
            bounds = _bounds_text(self.minimum, self.maximum)
            unit = f" {self.unit}" if self.unit else ""
            return f"{kind}{bounds}{unit}"
        return {"boolean": "yes or no", "date": "a date (YYYY-MM-DD)"}.get(self.type, "text")


def _bounds_text(minimum: float | None, maximum: float | None) -> str:
    def show(value: float) -> str:
        return str(int(value)) if float(value).is_integer() else str(value)

    if minimum is not None and maximum is not None:
        return f" from {show(minimum)} to {show(maximum)}"
    if minimum is not None:
        return f" of at least {show(minimum)}"
    if maximum is not None:
        return f" of at most {show(maximum)}"
    return ""


@dataclass(frozen=True)
class TableRow:
    """One row of a first-match table: when ``condition`` holds the fact takes ``value``."""

    condition: Expression
    value: Expression | None


@dataclass(frozen=True)
class DerivedFact:
    """A fact computed from others, by one expression or an ordered first-match table.

    With ``fills_item`` the fact shares its name with a data item and is computed only when
    the case does not give that item.
    """

    name: str
    type: ValueType
    values: tuple[str, ...] | None
    expression: Expression | None
    rows: tuple[TableRow, ...]
    otherwise: Expression | None
    fills_item: bool = False
    description: str | None = None
    source: str | None = None
    helper: bool = False  # a working step for other rules: not shown in letters
    label: str | None = None  # what people read (the name in words when not given)


@dataclass(frozen=True)
class Argument:
    """A reason for or against a candidate, with the condition under which it holds."""

    id: str
    polarity: Polarity
    weight: float
    condition: Expression
    text: str
    source: str
    strength: str | None = None


@dataclass(frozen=True)
class Candidate:
    """An option a decision can recommend, with all its arguments."""

    id: str
    title: str
    arguments: tuple[Argument, ...]
    description: str | None = None
    information_only: bool = False


@dataclass(frozen=True)
class Decision:
    """A clinical decision: when it applies, its candidates and its recommendation rule."""

    id: str
    title: str
    applies_when: Expression | None
    threshold: float
    candidates: tuple[Candidate, ...]
    description: str | None = None

    def candidate(self, option_id: str) -> Candidate | None:
        return next((c for c in self.candidates if c.id == option_id), None)


@dataclass(frozen=True)
class Exclusion:
    """A condition that stops a Standard of Care and sends the case to full discussion."""

    id: str
    condition: Expression
    reason: str


@dataclass(frozen=True)
class StandardOfCare:
    """An agreed default management: listed at the meeting, not discussed, when it applies."""

    id: str
    title: str
    decision: str
    option: str
    condition: Expression | None
    exclusions: tuple[Exclusion, ...]
    source: str
    enabled: bool = True
    care_plan_intent: str | None = None  # COSD CR0460 recorded when the SoC is confirmed
    planned_treatment_types: tuple[str, ...] = ()  # COSD CR0470 (alternatives or sequence)


@dataclass(frozen=True)
class NeverStreamline:
    """A rule that always sends a case to full discussion when it holds."""

    id: str
    condition: Expression
    reason: str
    source: str


@dataclass(frozen=True)
class Conflict:
    """Recorded facts that cannot all be true: reported, never resolved silently.

    When ``condition`` holds the case goes to full discussion with ``message``; ``items`` are
    the data items whose recorded values are shown with it.
    """

    id: str
    items: tuple[str, ...]
    condition: Expression
    message: str
    source: str


@dataclass(frozen=True)
class PackTest:
    """One pack test: facts in, expectations out."""

    name: str
    case: Mapping[str, Any]
    expect: Mapping[str, Any]
    as_of: Any
    file: str
    line: int


@dataclass(frozen=True)
class Source:
    """A guideline or appraisal the pack cites."""

    id: str
    title: str
    publisher: str | None = None
    date: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Pack:
    """A compiled knowledge pack: immutable, shared by every evaluation."""

    id: str
    title: str
    version: str
    hash: str
    site: str | None
    status: str
    base: str | None
    minutes_per_case: float
    sources: tuple[Source, ...]
    parameters: Mapping[str, Any]
    items: Mapping[str, DataItem]
    derived: tuple[DerivedFact, ...]
    decisions: tuple[Decision, ...]
    standards: tuple[StandardOfCare, ...]
    never_streamline: tuple[NeverStreamline, ...]
    tests: tuple[PackTest, ...]
    root: str
    conflicts: tuple[Conflict, ...] = ()
    # The one-line summary: (item or derived fact, short label: None = its label, "" = none)
    summary_line: tuple[tuple[str, str | None], ...] = ()
    # Items and derived facts the agenda can be filtered by (e.g. the risk group)
    agenda_filters: tuple[str, ...] = ()
    dependencies: Mapping[str, frozenset[str]] = field(default_factory=dict)
    fhir: Any = None  # FhirProfile: where each item is found in a FHIR record (fhir_bindings)
    kernel: Any = field(default=None, compare=False, repr=False)

    def decision(self, decision_id: str) -> Decision | None:
        return next((d for d in self.decisions if d.id == decision_id), None)

    @property
    def reference(self) -> dict[str, str]:
        """The pack's identity as recorded in every evaluation."""
        return {"id": self.id, "version": self.version, "hash": self.hash}
