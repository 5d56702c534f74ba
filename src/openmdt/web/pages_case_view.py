"""What the case page shows: the facts form, the stored evaluation, history and outcome form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from openmdt.cases.pathway import PATHWAY_DATES, PATHWAY_LABELS, day_text, parse_pathway_dates
from openmdt.knowledge.words import summary_line
from openmdt.meetings.codes import (
    CARE_PLAN_INTENTS,
    DEVIATION_REASONS,
    PLANNED_TREATMENT_TYPES,
)
from openmdt.meetings.evaluation import recommended_options
from openmdt.meetings.options import option_ref
from openmdt.meetings.stored import StoredEvaluationUnreadable, read_evaluation
from openmdt.store.models import MeetingCase
from openmdt.web.pages_agenda import _pack, mdt_type_label
from openmdt.web.pages_views import EvaluationView, evaluation_view, format_fact, humanise


@dataclass(frozen=True)
class FactField:
    """One fact as a form field: the item's definition, the value shown and any error."""

    name: str
    label: str
    type: str
    unit: str | None
    question: str | None
    values: Sequence[str]
    allowed: str
    value: str  # what the input shows (the user's text after a failed save)
    saved: str  # the stored value, formatted for reading
    error: str | None = None


def input_text(value: Any) -> str:
    """A stored fact as the text of a form input ("" for unknown)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fact_fields(
    items: Mapping[str, Any],
    facts: Mapping[str, Any],
    *,
    submitted: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[FactField]:
    """Every data dictionary item as a field, in dictionary order."""
    errors = errors or {}
    fields = []
    for name, item in items.items():
        stored = facts.get(name)
        shown = submitted[name] if submitted is not None and name in submitted else stored
        fields.append(FactField(
            name=name,
            label=str(item.label or humanise(name)),
            type=str(item.type),
            unit=item.unit,
            question=item.question,
            values=tuple(item.values or ()),
            allowed=item.allowed(),
            value=input_text(shown),
            saved=format_fact(item, stored),
            error=errors.get(name),
        ))
    return fields


def date_fields(dates: Mapping[str, Any], *, submitted: Mapping[str, str] | None = None,
                errors: Mapping[str, str] | None = None) -> list[FactField]:
    """The pathway dates (cases.pathway) as date fields, in pathway order."""
    errors = errors or {}
    fields = []
    for name in PATHWAY_DATES:
        stored = dates.get(name)
        shown = submitted[name] if submitted is not None and name in submitted else stored
        fields.append(FactField(
            name=name, label=PATHWAY_LABELS[name], type="date", unit=None, question=None,
            values=(), allowed="a date", value=input_text(shown),
            saved=day_text(date.fromisoformat(stored)) if stored else "Not recorded",
            error=errors.get(name)))
    return fields


def check_dates(submitted: Mapping[str, str]) -> tuple[dict[str, str | None], dict[str, str]]:
    """The submitted pathway dates as ISO text (None clears one), and an error per bad date."""
    from openmdt.cases import CaseError

    values: dict[str, str | None] = {}
    errors: dict[str, str] = {}
    for name, text in submitted.items():
        if not text.strip():
            values[name] = None
            continue
        try:
            values[name] = parse_pathway_dates({name: text})[name].isoformat()
        except CaseError:
            errors[name] = f"{PATHWAY_LABELS[name]} must be a date, for example 16 June 2026"
    return values, errors


def check_facts(
    pack: Any, case_ref: str, submitted: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The submitted facts converted to their types, and an error per bad field."""
    from openmdt.cases import CaseError
    from openmdt.engine.normalise import normalise_facts

    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, text in submitted.items():
        item = pack.items.get(name)
        if item is None:
            continue
        if not text.strip():
            values[name] = None
            continue
        try:
            values[name] = normalise_facts(pack, case_ref, {name: text})[name]
        except CaseError as error:
            errors[name] = f"{item.label or humanise(name)} must be {error.allowed or 'valid'}"
    return values, errors


def changed_facts(current: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Only the facts whose value differs from the stored one (None clears a fact)."""
    changes = {}
    for name, value in new.items():
        old = current.get(name)
        if isinstance(value, date):
            value = value.isoformat()
        if value != old:
            changes[name] = value
    return changes


@dataclass(frozen=True)
class OptionChoice:
    """An option the chair can choose, whether the guideline recommends it, and whether its
    decision applies to this patient (options of other decisions are offered apart)."""

    id: str  # decision_id/option_id
    title: str
    recommended: bool
    applicable: bool
    decision_title: str = ""

    @property
    def html_id(self) -> str:
        return "opt-" + self.id.replace("/", "--")


@dataclass(frozen=True)
class CasePage:
    """Everything the case page shows except the per-request form state."""

    case: MeetingCase
    meeting: Any
    mdt_type: str
    patient: Mapping[str, Any]
    items: Mapping[str, Any]
    evaluation: EvaluationView
    recommended: Sequence[str]
    options: Sequence[OptionChoice]
    pack_reference: str
    summary: str = ""  # the case in one line (the pack's summary_line)
    evaluation_error: str | None = None  # the stored evaluation could not be read: why


def case_page(case: MeetingCase) -> CasePage:
    """The case page's view of one stored case (no re-evaluation)."""
    pack = _pack(case.meeting.pack_id)
    items = pack.items if pack is not None else {}
    derived = {d.name: d for d in pack.derived} if pack is not None else {}
    standards = {s.id: s.title for s in pack.standards} if pack is not None else {}
    error = None
    try:
        stored = read_evaluation(case.current_evaluation)
        recommended = recommended_options(case.current_evaluation)
    except StoredEvaluationUnreadable as unreadable:
        stored, recommended, error = None, [], unreadable.detail
    view = evaluation_view(stored, items, derived, standards)
    seen: dict[str, OptionChoice] = {}
    for decision in sorted(view.decisions, key=lambda d: d.status == "not_applicable"):
        for candidate in decision.candidates:
            ref = option_ref(decision.id, candidate.id)
            seen[ref] = OptionChoice(ref, candidate.title, ref in recommended,
                                     decision.status != "not_applicable", decision.title)
    return CasePage(
        case=case,
        meeting=case.meeting,
        mdt_type=mdt_type_label(case.meeting.mdt_type),
        patient=case.patient or {},
        items=items,
        evaluation=view,
        recommended=recommended,
        options=list(seen.values()),
        pack_reference=view.pack,
        summary=summary_line(pack, case.current_facts or {},
                             stored.derived if stored is not None else {})
        if pack is not None else "",
        evaluation_error=error,
    )


def outcome_form_defaults(case: MeetingCase) -> dict[str, Any]:
    """The outcome form filled from the newest outcome, or empty for a first outcome."""
    outcome = case.current_outcome
    if outcome is None:
        return {"chosen_options": [], "care_plan_intent": "", "planned_treatment_types": [],
                "rationale": "", "deviation_code": "", "deviation_text": ""}
    return {
        "chosen_options": list(outcome.chosen_options),
        "care_plan_intent": outcome.care_plan_intent or "",
        "planned_treatment_types": list(outcome.planned_treatment_types),
        "rationale": outcome.rationale,
        "deviation_code": outcome.deviation_code or "",
        "deviation_text": outcome.deviation_text or "",
    }


def check_outcome(form: Mapping[str, Any], recommended: Sequence[str],
                  options: Sequence[str], *, amending: bool) -> dict[str, str]:
    """Every problem with a submitted outcome, keyed by field (the service checks again)."""
    errors: dict[str, str] = {}
    chosen = form["chosen_options"]
    if not chosen:
        errors["chosen_options"] = "Select the option or options the MDT chose"
    elif any(option not in options for option in chosen):
        errors["chosen_options"] = "Select options from the list"
    if form["care_plan_intent"] not in CARE_PLAN_INTENTS:
        errors["care_plan_intent"] = "Select the care plan intent"
    treatments = form["planned_treatment_types"]
    if not treatments or any(t not in PLANNED_TREATMENT_TYPES for t in treatments):
        errors["planned_treatment_types"] = "Select at least one planned treatment type"
    if not form["rationale"].strip():
        errors["rationale"] = "Enter the rationale for the decision"
    if chosen and any(option not in recommended for option in chosen):
        if form["deviation_code"] not in DEVIATION_REASONS:
            errors["deviation_code"] = (
                "You chose an option the guideline does not recommend: select the reason")
        if not form["deviation_text"].strip():
            errors["deviation_text"] = "Explain the deviation from the guideline"
    if amending and not form.get("amendment_reason", "").strip():
        errors["amendment_reason"] = "Enter why the outcome is being amended"
    return errors


OUTCOME_ERROR_FIELDS = {
    "missing_chosen_option": "chosen_options",
    "unknown_option": "chosen_options",
    "unknown_care_plan_intent": "care_plan_intent",
    "unknown_treatment_type": "planned_treatment_types",
    "missing_rationale": "rationale",
    "missing_deviation_reason": "deviation_code",
    "missing_deviation_text": "deviation_text",
    "missing_amendment_reason": "amendment_reason",
}
