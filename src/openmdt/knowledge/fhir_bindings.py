"""Where a pack's data items are found in a FHIR R4 record: the `fhir:` bindings of data.yaml.

A binding names the resource type, the codes that identify the item (LOINC, SNOMED CT, ...),
the units a quantity may come in with the factor to the item's unit, and which coded values
mean which item value. The FHIR reader (openmdt.interop.fhir_in) is generic: everything
tumour-site specific is written here, in the pack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from openmdt.knowledge.checks import Reporter, did_you_mean
from openmdt.knowledge.model import DataItem
from openmdt.knowledge.values import FactProblem, convert_fact
from openmdt.knowledge.yamlsource import LocatedDict

# Short names for the code systems packs use; any other system is written as its URI.
SYSTEM_ALIASES: dict[str, str] = {
    "loinc": "http://loinc.org",
    "snomed": "http://snomed.info/sct",
    "icd10": "http://hl7.org/fhir/sid/icd-10",
    "icd10cm": "http://hl7.org/fhir/sid/icd-10-cm",
    "rxnorm": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "ncit": "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl",
    "ucum": "http://unitsofmeasure.org",
}
RESOURCE_TYPES = ("Observation", "Condition", "Procedure", "MedicationStatement",
                  "MedicationRequest", "Patient")
PATIENT_ELEMENTS = ("age",)
BINDING_KEYS = {"resource", "code", "units", "values", "present", "element"}

Code = tuple[str, str]  # (system URI, code)


@dataclass(frozen=True)
class FhirBinding:
    """Where one data item is found in a FHIR record.

    ``resource``: the resource types that carry it; ``codes``: the codes (of
    ``Observation.code``, ``Condition.code``, ``Procedure.code`` or the medication) that
    identify it; ``units``: for numbers, each accepted UCUM unit with the factor to the item's
    unit; ``values``: coded values and the item value each means; ``present``: the item value
    when a matching resource exists (absence says nothing); ``element``: a Patient element
    (``age``: whole years from birthDate to the evaluation date).
    """

    resource: tuple[str, ...]
    codes: frozenset[Code] = frozenset()
    units: Mapping[str, float] = field(default_factory=dict)
    values: Mapping[Code, Any] = field(default_factory=dict)
    present: Any = None
    element: str | None = None


@dataclass(frozen=True)
class FhirProfile:
    """A pack's FHIR bindings: the primary-cancer codes of its site and each item's binding."""

    primary_cancer: frozenset[Code]
    items: Mapping[str, FhirBinding]


EMPTY_PROFILE = FhirProfile(frozenset(), MappingProxyType({}))


def parse_code(text: str) -> Code | None:
    """``"loinc 2857-1"`` or ``"http://loinc.org 2857-1"`` as (system URI, code)."""
    parts = str(text).split()
    if len(parts) != 2:
        return None
    system, code = parts
    system = SYSTEM_ALIASES.get(system.lower(), system)
    if "://" not in system and not system.startswith("urn:"):
        return None
    return system, code


def code_text(code: Code) -> str:
    """A code as people read it in reports: ``system|code``."""
    return f"{code[0]}|{code[1]}"


class BindingCompiler:
    """Checks the `fhir:` entries of data.yaml, reporting every problem with its place."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter

    def profile(self, data: Any, items: Mapping[str, DataItem]) -> FhirProfile:
        if not isinstance(data, LocatedDict):
            return EMPTY_PROFILE
        bindings: dict[str, FhirBinding] = {}
        raw_items = data.get("items") or {}
        for name, item in items.items():
            node = raw_items.get(name) if isinstance(raw_items, LocatedDict) else None
            if isinstance(node, LocatedDict) and "fhir" in node:
                binding = self.binding(node, f"data.items.{name}.fhir", item)
                if binding is not None:
                    bindings[name] = binding
        return FhirProfile(self._primary_cancer(data), MappingProxyType(bindings))

    def _primary_cancer(self, data: LocatedDict) -> frozenset[Code]:
        node = data.get("fhir")
        if node is None:
            return frozenset()
        node = self.reporter.mapping(data, "fhir", "data.fhir", node)
        if node is None:
            return frozenset()
        self.reporter.check_keys(node, "data.fhir", {"primary_cancer"})
        return frozenset(self._codes(node, "primary_cancer", "data.fhir.primary_cancer"))

    def binding(self, parent: LocatedDict, path: str, item: DataItem) -> FhirBinding | None:
        rep = self.reporter
        node = rep.mapping(parent, "fhir", path, parent.get("fhir"))
        if node is None:
            return None
        rep.check_keys(node, path, BINDING_KEYS, required=("resource",))
        resources = self._resources(node, path)
        element = node.get("element")
        if element is not None and element not in PATIENT_ELEMENTS:
            rep.report(node, "element", f"{path}.element", "value_not_allowed",
                       f"element {element!r} is not one of {', '.join(PATIENT_ELEMENTS)}")
        return FhirBinding(
            resource=resources, codes=frozenset(self._codes(node, "code", f"{path}.code")),
            units=MappingProxyType(self._units(node, path, item)),
            values=MappingProxyType(self._values(node, path, item)),
            present=self._value(node, "present", f"{path}.present", item),
            element=None if element is None else str(element))

    def _resources(self, node: LocatedDict, path: str) -> tuple[str, ...]:
        raw = node.get("resource")
        listed = raw if isinstance(raw, list) else [raw]
        for name in listed:
            if name not in RESOURCE_TYPES:
                self.reporter.report(node, "resource", f"{path}.resource", "value_not_allowed",
                                     f"resource {name!r} is not one of "
                                     f"{', '.join(RESOURCE_TYPES)}",
                                     did_you_mean(str(name), RESOURCE_TYPES))
        return tuple(str(name) for name in listed if name in RESOURCE_TYPES)

    def _codes(self, node: LocatedDict, key: str, path: str) -> list[Code]:
        raw = node.get(key) or []
        listed = raw if isinstance(raw, list) else [raw]
        codes = []
        for text in listed:
            code = parse_code(text)
            if code is None:
                self.reporter.report(node, key, path, "invalid_code",
                                     f"{text!r} is not a code: write 'SYSTEM CODE' with SYSTEM "
                                     f"one of {', '.join(SYSTEM_ALIASES)} or a URI")
            else:
                codes.append(code)
        return codes

    def _units(self, node: LocatedDict, path: str, item: DataItem) -> dict[str, float]:
        raw = node.get("units")
        if raw is None:
            return {}
        if item.type not in ("number", "integer") or not isinstance(raw, dict):
            self.reporter.report(node, "units", f"{path}.units", "wrong_shape",
                                 "units maps each accepted unit to its factor to the item's "
                                 "unit, for number items")
            return {}
        units = {}
        for unit, factor in raw.items():
            if isinstance(factor, bool) or not isinstance(factor, (int, float)) or factor <= 0:
                self.reporter.report(raw, unit, f"{path}.units.{unit}", "wrong_type",
                                     f"the factor of unit {unit!r} is a positive number")
                continue
            units[str(unit)] = float(factor)
        return units

    def _values(self, node: LocatedDict, path: str, item: DataItem) -> dict[Code, Any]:
        raw = node.get("values")
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.reporter.report(node, "values", f"{path}.values", "wrong_shape",
                                 "values maps 'SYSTEM CODE' to the item value it means")
            return {}
        values = {}
        for text in raw:
            code = parse_code(text)
            if code is None:
                self.reporter.report(raw, text, f"{path}.values", "invalid_code",
                                     f"{text!r} is not a code: write 'SYSTEM CODE'")
                continue
            value = self._value(raw, text, f"{path}.values.{text}", item)
            if value is not None:
                values[code] = value
        return values

    def _value(self, node: LocatedDict, key: str, path: str, item: DataItem) -> Any:
        if key not in node:
            return None
        try:
            return convert_fact(item, node[key])
        except FactProblem as problem:
            self.reporter.report(node, key, path, problem.code,
                                 f"{node[key]!r} {problem.reason}: allowed {item.allowed()}")
            return None
