"""Reading FHIR R4 input into resources: a Bundle, one resource, or NDJSON.

Every resource that is read for a fact is validated with the fhir.resources R4B models (R4B
differs from R4 only in resources OpenMDT does not read). A resource that does not validate
is an error naming its place (``entry[3].resource`` or the NDJSON line); the others are
still read. Resources the reader has no use for (``wanted`` says which it needs) are kept
unvalidated: they are only listed as not read, and validating each of hundreds of them
would be most of the time of a CDS Hooks call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

from openmdt.cases.errors import CaseError

BUNDLE_TYPES = ("collection", "transaction", "searchset", "batch")
Wanted = Callable[[dict[str, Any]], bool]


def _every(_raw: dict[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class Record:
    """One resource: its JSON, its validated model (None when it is not read), its reference
    (``Type/id``) and where it was read."""

    raw: dict[str, Any]
    resource: Resource | None
    reference: str
    place: str

    @property
    def kind(self) -> str:
        return str(self.raw["resourceType"])


@dataclass(frozen=True)
class FhirInput:
    """What was read: the resources, the errors, and the bundle's fullUrl aliases
    (``urn:uuid:...`` to ``Type/id``) so that references between entries resolve."""

    records: list[Record]
    errors: list[CaseError]
    aliases: dict[str, str]

    def resolve(self, reference: str | None) -> str | None:
        """A reference as ``Type/id``: a fullUrl alias, an absolute URL or a relative one."""
        if not reference:
            return None
        if reference in self.aliases:
            return self.aliases[reference]
        parts = reference.rstrip("/").split("/")
        return "/".join(parts[-2:]) if len(parts) >= 2 else reference


def merge_inputs(inputs: Sequence[FhirInput]) -> FhirInput:
    """Several inputs read as one: their resources, errors and fullUrl aliases together."""
    records = [record for read in inputs for record in read.records]
    errors = [error for read in inputs for error in read.errors]
    aliases = {alias: target for read in inputs for alias, target in read.aliases.items()}
    return FhirInput(records, errors, aliases)


def raw_codes(raw: dict[str, Any]) -> set[tuple[str, str]]:
    """The (system, code) pairs of a resource's ``code`` or medication, from its JSON."""
    concept = raw.get("code") or raw.get("medicationCodeableConcept")
    if not isinstance(concept, dict):
        return set()
    return {(c["system"], c["code"]) for c in concept.get("coding") or []
            if isinstance(c, dict) and isinstance(c.get("system"), str)
            and isinstance(c.get("code"), str)}


def raw_reference(raw: dict[str, Any], name: str) -> str | None:
    value = raw.get(name)
    return value.get("reference") if isinstance(value, dict) else None


def read_resources(source_data: str | dict[str, Any], source: str = "<input>",
                   wanted: Wanted = _every) -> FhirInput:
    """The resources of a FHIR Bundle, a single resource, or NDJSON (text or parsed JSON)."""
    if isinstance(source_data, dict):
        return _read_document(source_data, source, wanted)
    stripped = source_data.lstrip("\ufeff").strip()
    if not stripped:
        return FhirInput([], [CaseError("invalid_fhir", f"{source}: the input is empty",
                                        path="$")], {})
    lines = stripped.splitlines()
    if len(lines) > 1 and _is_object_line(lines[0]) and _is_object_line(lines[1]):
        return FhirInput(*_read_ndjson(stripped, source, wanted), {})
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as exc:
        return FhirInput([], [CaseError("invalid_json", f"{source}:{exc.lineno}: invalid "
                                        f"JSON: {exc.msg}", path="$", line=exc.lineno)], {})
    return _read_document(data, source, wanted)


def looks_like_fhir(text: str) -> bool:
    """Whether a list is FHIR: its first JSON object (or line) names a resourceType."""
    first = text.lstrip("\ufeff").lstrip()
    if not first.startswith("{"):
        return False
    line = first.splitlines()[0]
    try:
        data = json.loads(line) if _is_object_line(line) else json.loads(first)
    except json.JSONDecodeError:
        return '"resourceType"' in first[:2000]
    return isinstance(data, dict) and "resourceType" in data


def _is_object_line(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def _read_ndjson(text: str, source: str, wanted: Wanted
                 ) -> tuple[list[Record], list[CaseError]]:
    records, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(CaseError("invalid_json", f"{source}:{number}: invalid JSON: "
                                    f"{exc.msg}", path="$", line=number))
            continue
        record, error = _record(data, f"{source}:{number}", number, "$", wanted)
        _keep(record, error, records, errors)
    return records, errors


def _read_document(data: Any, source: str, wanted: Wanted) -> FhirInput:
    if not isinstance(data, dict) or "resourceType" not in data:
        return FhirInput([], [CaseError("invalid_fhir", f"{source}: not a FHIR resource (no "
                                        "resourceType)", path="$.resourceType")], {})
    if data["resourceType"] != "Bundle":
        record, error = _record(data, source, 1, "$", wanted)
        return FhirInput([record] if record else [], [error] if error else [], {})
    return _read_bundle(data, source, wanted)


def _read_bundle(bundle: dict[str, Any], source: str, wanted: Wanted) -> FhirInput:
    if bundle.get("type") not in BUNDLE_TYPES:
        return FhirInput([], [CaseError(
            "invalid_fhir", f"{source}: Bundle.type {bundle.get('type')!r} is not read: "
            f"allowed {', '.join(BUNDLE_TYPES)}", path="$.type", value=bundle.get("type"),
            allowed=", ".join(BUNDLE_TYPES))], {})
    records, errors = [], []
    aliases: dict[str, str] = {}
    for index, entry in enumerate(bundle.get("entry") or []):
        place = f"{source}: entry[{index}].resource"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            errors.append(CaseError("invalid_fhir", f"{place}: the entry has no resource",
                                    path=f"$.entry[{index}]"))
            continue
        record, error = _record(resource, place, index + 1, f"$.entry[{index}].resource",
                                wanted)
        if record is not None and entry.get("fullUrl"):
            aliases[str(entry["fullUrl"])] = record.reference
        _keep(record, error, records, errors)
    return FhirInput(records, errors, aliases)


def _record(data: dict[str, Any], place: str, line: int, path: str, wanted: Wanted
            ) -> tuple[Record | None, CaseError | None]:
    kind = data.get("resourceType")
    if not isinstance(kind, str):
        return None, CaseError("invalid_fhir", f"{place}: the resource has no resourceType",
                               path=f"{path}.resourceType", line=line)
    ident = data.get("id")
    reference = f"{kind}/{ident}" if isinstance(ident, str) and ident else f"{kind}/#{line}"
    if not wanted(data):
        return Record(data, None, reference, place), None
    resource, error = _validated(data, kind, place, line, path)
    return (None if resource is None else Record(data, resource, reference, place)), error


def _validated(data: dict[str, Any], kind: str, place: str, line: int, path: str
               ) -> tuple[Resource | None, CaseError | None]:
    try:
        model = get_fhir_model_class(kind)
    except (KeyError, ValueError, AttributeError):
        return None, CaseError("invalid_fhir", f"{place}: {kind!r} is not a FHIR R4 resource "
                               "type", path=f"{path}.resourceType", line=line, value=kind)
    try:
        return model.model_validate(data), None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return None, CaseError("invalid_fhir", f"{place}: {kind} is not valid FHIR R4: "
                               f"{where}: {first.get('msg')}", path=f"{path}.{where}",
                               line=line)


def _keep(record: Record | None, error: CaseError | None, records: list[Record],
          errors: list[CaseError]) -> None:
    if record is not None:
        records.append(record)
    if error is not None:
        errors.append(error)
