"""Cases from FHIR R4 records, through the code bindings of a pack's data dictionary.

Resources are grouped by patient (one case per patient). Each resource whose code a pack
binds gives a value for that item; two different values of one item: the latest by effective
date wins and the conflict is reported (with equal or missing dates the item stays unknown);
quantities are checked against the units the pack accepts and converted; every resource or
value that is not mapped is listed with the reason. Nothing here knows a tumour site.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from openmdt.cases.errors import CaseError
from openmdt.interop.fhir_records import (
    FhirInput,
    Record,
    merge_inputs,
    raw_codes,
    raw_reference,
    read_resources,
)
from openmdt.knowledge import Pack
from openmdt.knowledge.fhir_bindings import Code, FhirBinding, code_text
from openmdt.knowledge.model import DataItem
from openmdt.knowledge.words import date_words, label_of, value_words

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
NOT_VALID = {"entered-in-error", "cancelled", "refuted", "not-done"}
# An Observation gives a fact only once it is a result: not registered, preliminary or unknown.
RESULT_STATUSES = {"final", "amended", "corrected"}


@dataclass(frozen=True)
class Evidence:
    """One value of an item as a resource gives it."""

    value: Any
    effective: datetime | None
    reference: str

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "reference": self.reference,
                "effective": None if self.effective is None else self.effective.isoformat()}


@dataclass(frozen=True)
class ItemConflict:
    """Different values of one item: the one used (None when none could be chosen)."""

    item: str
    used: Evidence | None
    values: tuple[Evidence, ...]

    def message(self, pack: Pack) -> str:
        """The conflict as people read it: the item's label, each value with its date."""
        label = label_of(pack, self.item)
        shown = ", ".join(f"{value_words(pack, self.item, e.value)} ({_when(e)})"
                          for e in self.values)
        if self.used is None:
            return f"{label}: the record gives different values on the same date: {shown}"
        return (f"{label}: the record gives different values: {shown}; the latest "
                f"({value_words(pack, self.item, self.used.value)}) is used")

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "used": None if self.used is None else self.used.to_dict(),
                "values": [e.to_dict() for e in self.values]}


@dataclass(frozen=True)
class NotMapped:
    """A resource, or a value in one, that gave no fact, and why."""

    reference: str
    resource_type: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"reference": self.reference, "resource_type": self.resource_type,
                "reason": self.reason}


@dataclass(frozen=True)
class Conversion:
    """A quantity converted to the item's unit."""

    item: str
    reference: str
    value: float
    unit: str
    converted: float

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "reference": self.reference, "value": self.value,
                "unit": self.unit, "converted": self.converted}


@dataclass(frozen=True)
class FhirCase:
    """One patient's case as read from FHIR, with the report of how it was read."""

    case_id: str
    data: dict[str, Any]
    primary_cancer: tuple[str, ...]
    conflicts: tuple[ItemConflict, ...]
    not_mapped: tuple[NotMapped, ...]
    conversions: tuple[Conversion, ...]
    sources: dict[str, str] = field(default_factory=dict)  # item -> reference of its value

    def report(self) -> dict[str, Any]:
        """How the case was built, for people and machines (the `fhir` part of outputs)."""
        warnings = [] if self.primary_cancer else [
            "no Condition in the record is this pack's primary cancer: the facts read may be "
            "about another cancer"]
        return {"primary_cancer": list(self.primary_cancer), "warnings": warnings,
                "sources": dict(self.sources),
                "conflicts": [c.to_dict() for c in self.conflicts],
                "unit_conversions": [c.to_dict() for c in self.conversions],
                "not_mapped": [n.to_dict() for n in self.not_mapped]}


@dataclass(frozen=True)
class FhirRead:
    """Every case read from one input, the resources about no patient, and the errors."""

    cases: list[FhirCase]
    not_mapped: list[NotMapped]
    errors: list[CaseError]
    resources: FhirInput


def read_fhir_cases(text: str | dict[str, Any], pack: Pack, as_of: date,
                    source: str = "<input>") -> FhirRead:
    """The cases (one per patient) of a FHIR Bundle, resource or NDJSON, read with ``pack``."""
    return _cases_of(read_resources(text, source, _wanted_by(pack)), pack, as_of)


def read_fhir_files(sources: Sequence[tuple[str, str]], pack: Pack, as_of: date) -> FhirRead:
    """The cases of several FHIR inputs ((name, text) each: a Bundle or NDJSON, e.g. a bulk
    export's Patient.ndjson, Condition.ndjson, ...) read as one record: a patient's resources
    may be in different files."""
    wanted = _wanted_by(pack)
    return _cases_of(merge_inputs([read_resources(text, name, wanted)
                                   for name, text in sources]), pack, as_of)


def _cases_of(read: FhirInput, pack: Pack, as_of: date) -> FhirRead:
    groups, loose = _by_patient(read)
    cases = [_case(pack, patient, records, read, as_of) for patient, records in groups.items()]
    return FhirRead(cases, loose, read.errors, read)


def _wanted_by(pack: Pack) -> Callable[[dict[str, Any]], bool]:
    """Which resources the pack could read a fact from (only those are validated)."""
    codes = set(pack.fhir.primary_cancer)
    for binding in pack.fhir.items.values():
        codes |= binding.codes

    def wanted(raw: dict[str, Any]) -> bool:
        return raw.get("resourceType") == "Patient" or bool(raw_codes(raw) & codes)

    return wanted


def _by_patient(read: FhirInput) -> tuple[dict[str, list[Record]], list[NotMapped]]:
    groups: dict[str, list[Record]] = defaultdict(list)
    loose = []
    for record in read.records:
        patient = _patient_of(record, read)
        if patient is None:
            loose.append(NotMapped(record.reference, record.kind, "not about a patient"))
        else:
            groups[patient].append(record)
    return dict(groups), loose


def _patient_of(record: Record, read: FhirInput) -> str | None:
    if record.kind == "Patient":
        return record.reference
    for name in ("subject", "patient"):
        target = read.resolve(raw_reference(record.raw, name))
        if target and target.startswith("Patient/"):
            return target
    return None


@dataclass
class _Found:
    evidence: dict[str, list[Evidence]] = field(default_factory=lambda: defaultdict(list))
    not_mapped: list[NotMapped] = field(default_factory=list)
    conversions: list[Conversion] = field(default_factory=list)
    primary: list[str] = field(default_factory=list)


def _case(pack: Pack, patient: str, records: list[Record], read: FhirInput, as_of: date
          ) -> FhirCase:
    found = _Found()
    patient_resource = None
    other_cancers = _other_conditions(pack, records)
    for record in records:
        if record.kind == "Patient":
            patient_resource = record.resource
        focus = _focus(record, read) & other_cancers
        if focus:
            found.not_mapped.append(NotMapped(
                record.reference, record.kind,
                f"about {', '.join(sorted(focus))}, which is not this pack's primary cancer"))
        elif record.resource is None:
            found.not_mapped.append(NotMapped(record.reference, record.kind,
                                              _unbound(raw_codes(record.raw))))
        else:
            _read_record(pack, record, as_of, found)
    facts, sources, conflicts = _settle(found.evidence)
    data: dict[str, Any] = {"case_id": patient.removeprefix("Patient/"), "facts": facts}
    if found.primary and pack.site:
        data["site"] = pack.site
    if patient_resource is not None:
        data["patient"] = _patient_details(patient_resource)
    return FhirCase(data["case_id"], data, tuple(found.primary), tuple(conflicts),
                    tuple(found.not_mapped), tuple(found.conversions), sources)


def _other_conditions(pack: Pack, records: list[Record]) -> set[str]:
    """The patient's Conditions that are not the pack's primary cancer."""
    return {r.reference for r in records if r.kind == "Condition"
            and not raw_codes(r.raw) & pack.fhir.primary_cancer}


def _focus(record: Record, read: FhirInput) -> set[str]:
    """What an observation is about (mCODE staging names the cancer in ``focus``)."""
    focus = record.raw.get("focus")
    targets = [read.resolve(ref.get("reference")) for ref in focus or []
               if isinstance(ref, dict)] if isinstance(focus, list) else []
    return {t for t in targets if t}


def _unbound(codes: set[Code]) -> str:
    if not codes:
        return "it has no code a data item could be bound to"
    return f"no data item is bound to {', '.join(sorted(code_text(c) for c in codes))}"


def _read_record(pack: Pack, record: Record, as_of: date, found: _Found) -> None:
    resource = record.resource
    kind = record.kind
    status = _status(resource)
    if status in NOT_VALID or (kind == "Observation" and status not in RESULT_STATUSES):
        found.not_mapped.append(NotMapped(record.reference, kind, f"status {status}"))
        return
    codes = _codes(resource)
    if kind == "Condition" and codes & pack.fhir.primary_cancer:
        found.primary.append(record.reference)
    matched = False
    for name, binding in pack.fhir.items.items():
        if kind in binding.resource and (binding.element or codes & binding.codes):
            matched = True
            _read_value(pack.items[name], binding, record, as_of, found)
    if not matched and record.reference not in found.primary and kind != "Patient":
        found.not_mapped.append(NotMapped(record.reference, kind, _unbound(codes)))


def _read_value(item: DataItem, binding: FhirBinding, record: Record, as_of: date,
                found: _Found) -> None:
    try:
        value = _value(item, binding, record, as_of, found)
    except _Unmapped as why:
        found.not_mapped.append(NotMapped(record.reference, record.kind, f"{item.name}: {why}"))
        return
    if value is not None:
        found.evidence[item.name].append(Evidence(value, _effective(record.resource),
                                                  record.reference))


class _Unmapped(Exception):
    """A value that cannot become the item's value (the message says why)."""


def _value(item: DataItem, binding: FhirBinding, record: Record, as_of: date, found: _Found
           ) -> Any:
    resource = record.resource
    if binding.element == "age":
        return _age(resource, as_of)
    if binding.present is not None:
        return binding.present
    if getattr(resource, "valueCodeableConcept", None) is not None:
        return _coded(binding, resource.valueCodeableConcept)
    if getattr(resource, "valueQuantity", None) is not None:
        return _quantity(item, binding, record, found)
    if getattr(resource, "valueInteger", None) is not None and item.type in ("integer",
                                                                               "number"):
        return resource.valueInteger
    if getattr(resource, "valueBoolean", None) is not None and item.type == "boolean":
        return resource.valueBoolean
    raise _Unmapped("the resource has no value this item can take")


def _coded(binding: FhirBinding, concept: Any) -> Any:
    codings = [(c.system, c.code) for c in concept.coding or []]
    for code in codings:
        if code in binding.values:
            return binding.values[code]
    shown = ", ".join(code_text(c) for c in codings) or (concept.text or "no coding")
    raise _Unmapped(f"the value {shown} is not mapped")


def _quantity(item: DataItem, binding: FhirBinding, record: Record, found: _Found) -> float:
    quantity = record.resource.valueQuantity
    unit = quantity.code or quantity.unit
    if quantity.value is None:
        raise _Unmapped("the quantity has no value")
    value = float(quantity.value)
    if not binding.units and not unit:
        return value
    if unit not in binding.units:
        allowed = ", ".join(binding.units) or "no unit"
        raise _Unmapped(f"the unit {unit!r} is not accepted: allowed {allowed}")
    converted = value * binding.units[unit]
    if unit != item.unit:
        found.conversions.append(Conversion(item.name, record.reference, value, str(unit),
                                            converted))
    return converted


def _age(patient: Any, as_of: date) -> int | None:
    born = getattr(patient, "birthDate", None)
    if born is None:
        return None
    died = getattr(patient, "deceasedDateTime", None)
    end = min(as_of, died.date()) if died is not None else as_of
    return end.year - born.year - ((end.month, end.day) < (born.month, born.day))


def _settle(evidence: dict[str, list[Evidence]]
            ) -> tuple[dict[str, Any], dict[str, str], list[ItemConflict]]:
    """One value per item: the latest wins; different values are reported."""
    facts, sources, conflicts = {}, {}, []
    for name, found in evidence.items():
        if len({_key(e.value) for e in found}) == 1:
            latest = _latest(found) or found[-1]
            facts[name], sources[name] = latest.value, latest.reference
            continue
        used = _latest(found)
        conflicts.append(ItemConflict(name, used, tuple(sorted(found, key=_order))))
        if used is not None:
            facts[name], sources[name] = used.value, used.reference
    return facts, sources, conflicts


def _latest(found: list[Evidence]) -> Evidence | None:
    """The value with the latest date, or None when no single value is latest (a tie of
    different values, or a value without a date that differs from it)."""
    dated = [e for e in found if e.effective is not None]
    if not dated:
        return None
    last = max(e.effective for e in dated)
    latest = {_key(e.value): e for e in dated if e.effective == last}
    if len(latest) != 1:
        return None
    chosen = next(iter(latest.values()))
    undated = [e for e in found if e.effective is None]
    if any(_key(e.value) != _key(chosen.value) for e in undated):
        return None
    return chosen


def _key(value: Any) -> str:
    return repr(value)


def _order(evidence: Evidence) -> tuple[bool, datetime]:
    return (evidence.effective is None, evidence.effective or datetime.min.replace(tzinfo=UTC))


def _when(evidence: Evidence) -> str:
    if evidence.effective is None:
        return "no date"
    return date_words(evidence.effective.date())


def _status(resource: Any) -> str | None:
    status = getattr(resource, "status", None)
    verification = getattr(resource, "verificationStatus", None)
    if verification is not None and verification.coding:
        return verification.coding[0].code
    return None if status is None else str(status)


def _codes(resource: Any) -> set[Code]:
    concept = (getattr(resource, "code", None)
               or getattr(resource, "medicationCodeableConcept", None))
    if concept is None or not hasattr(concept, "coding"):
        return set()
    return {(c.system, c.code) for c in concept.coding or [] if c.system and c.code}


def _effective(resource: Any) -> datetime | None:
    for name in ("effectiveDateTime", "onsetDateTime", "performedDateTime", "recordedDate",
                 "authoredOn", "issued", "dateAsserted"):
        value = getattr(resource, name, None)
        if value is not None:
            return _as_datetime(value)
    for name in ("effectivePeriod", "performedPeriod", "onsetPeriod"):
        period = getattr(resource, name, None)
        if period is not None and period.start is not None:
            return _as_datetime(period.start)
    return None


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _patient_details(patient: Any) -> dict[str, Any]:
    details: dict[str, Any] = {}
    for identifier in patient.identifier or []:
        if identifier.system == NHS_NUMBER_SYSTEM and identifier.value:
            details["nhs_number"] = identifier.value
    name = (patient.name or [None])[0]
    if name is not None:
        words = [*(name.given or []), name.family or ""]
        text = name.text or " ".join(w for w in words if w)
        if text:
            details["name"] = text
    if patient.birthDate is not None:
        details["date_of_birth"] = patient.birthDate.isoformat()
    return details
