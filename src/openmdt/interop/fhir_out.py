"""An evaluation as a FHIR R4 Bundle: GuidanceResponse, RequestGroup, DetectedIssue, Provenance.

Built from the evaluation's output contract (``Evaluation.to_dict()``, also what is stored for
a meeting case) so the CLI and the API give the same Bundle; every resource is a
fhir.resources R4B model and the Bundle is validated when built. Ids are derived from the
case, the pack and the date, so the same evaluation gives the same bytes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from openmdt import __version__ as openmdt_version
from openmdt.engine.result import DecisionRecord, EvaluationRecord, OptionRecord, PackRecord
from openmdt.interop.fhir_in import NHS_NUMBER_SYSTEM
from openmdt.knowledge import Pack

OPENMDT_SYSTEM = "https://openmdt.example/fhir"  # local code systems (documented in interop.md)
RECOMMENDATION_SYSTEM = f"{OPENMDT_SYSTEM}/CodeSystem/recommendation"
DATA_ITEM_EXTENSION = f"{OPENMDT_SYSTEM}/StructureDefinition/data-item"
CPG_RATING = "http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-rating"
COSD_SYSTEM = f"{OPENMDT_SYSTEM}/CodeSystem/cosd"  # + /CR0460, /CR0470, /CR8110
NAMESPACE = uuid.UUID("8d6f0b5e-2f7e-4c51-9a39-5f0a3f3f6a10")


@dataclass(frozen=True)
class BundleInputs:
    """What the Bundle is about: the patient reference and the FHIR resources the facts came
    from (``item -> Type/id``), with the conflicts the FHIR reader reported."""

    subject: Mapping[str, Any]  # a FHIR Reference to the patient
    sources: Mapping[str, str]
    record_conflicts: Sequence[Mapping[str, Any]] = ()
    case_url: str | None = None


def module_uri(reference: PackRecord) -> str:
    """The pack an evaluation used (its ``pack`` reference: id, version, hash) as a URI."""
    return f"urn:openmdt:pack:{reference.id}:{reference.version}"


def _id(*parts: Any) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(str(p) for p in parts)))


def evaluation_bundle(evaluation: Mapping[str, Any], pack: Pack, inputs: BundleInputs,
                      outcome: Mapping[str, Any] | None = None) -> Bundle:
    """The Bundle (type collection) for one evaluation, validated by the model library;
    with a recorded ``outcome`` (meetings.reads.outcome_summary) its CarePlan too."""
    return Bundle.model_validate(bundle_json(evaluation, pack, inputs, outcome))


def bundle_json(evaluation: EvaluationRecord | Mapping[str, Any], pack: Pack,
                inputs: BundleInputs, outcome: Mapping[str, Any] | None = None
                ) -> dict[str, Any]:
    """The Bundle as JSON-ready data (``evaluation_bundle`` validates it); the evaluation
    as its record or as the engine's JSON (read through engine.result)."""
    if not isinstance(evaluation, EvaluationRecord):
        evaluation = EvaluationRecord.read(evaluation)
    key = (evaluation.case_id, evaluation.pack.hash, evaluation.as_of)
    resources = _resources(evaluation, pack, inputs, key)
    if outcome is not None:
        resources.append(care_plan(outcome, inputs, evaluation.pack, key))
    resources.append(_provenance(evaluation, pack, inputs, resources, key))
    entries = [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]
    return {"resourceType": "Bundle", "id": _id("bundle", *key), "type": "collection",
            "entry": entries}


def _resources(evaluation: EvaluationRecord, pack: Pack, inputs: BundleInputs,
               key: tuple[Any, ...]) -> list[dict[str, Any]]:
    group = _request_group(evaluation, pack, inputs, key)
    issues = _detected_issues(evaluation, pack, inputs, key)
    guidance = _guidance_response(evaluation, pack, inputs, key, group["id"])
    return [guidance, group, *issues]


def _when(evaluation: EvaluationRecord) -> str | None:
    return evaluation.as_of


def missing_items(evaluation: EvaluationRecord) -> list[str]:
    """The items whose values would settle the evaluation: data requests, then the missing
    items of provisional decisions, each once."""
    names = list(evaluation.triage.data_requests)
    for decision in evaluation.decisions:
        if decision.status == "provisional":
            names += decision.missing
    return list(dict.fromkeys(names))


def _guidance_response(evaluation: EvaluationRecord, pack: Pack, inputs: BundleInputs,
                       key: tuple[Any, ...], group_id: str) -> dict[str, Any]:
    missing = missing_items(evaluation)
    resource: dict[str, Any] = {
        "resourceType": "GuidanceResponse", "id": _id("guidance", *key),
        "requestIdentifier": {"system": f"{OPENMDT_SYSTEM}/evaluation",
                              "value": _id("request", *key)},
        "moduleUri": module_uri(evaluation.pack),
        "status": "data-required" if missing else "success",
        "subject": dict(inputs.subject),
        "result": {"reference": f"urn:uuid:{group_id}"},
    }
    if _when(evaluation):
        resource["occurrenceDateTime"] = _when(evaluation)
    if missing:
        resource["dataRequirement"] = [_data_requirement(pack, name) for name in missing]
    used = sorted(set(inputs.sources.values()))
    if used:
        resource["reasonReference"] = [{"reference": ref} for ref in used]
    return resource


def _data_requirement(pack: Pack, name: str) -> dict[str, Any]:
    """What is missing: the item (extension), and where a FHIR record would carry it."""
    item = pack.items.get(name)
    label = item.label if item is not None else name
    binding = pack.fhir.items.get(name) if pack.fhir is not None else None
    requirement: dict[str, Any] = {
        "extension": [{"url": DATA_ITEM_EXTENSION, "valueString": name},
                      {"url": f"{DATA_ITEM_EXTENSION}-label", "valueString": label}],
        "type": binding.resource[0] if binding is not None else "Observation",
    }
    codes = sorted(binding.codes) if binding is not None else []
    if codes:
        requirement["codeFilter"] = [{"path": "code",
                                      "code": [{"system": s, "code": c} for s, c in codes]}]
    return requirement


def _request_group(evaluation: EvaluationRecord, pack: Pack, inputs: BundleInputs,
                   key: tuple[Any, ...]) -> dict[str, Any]:
    actions = [_decision_action(decision) for decision in evaluation.decisions
               if decision.applicable]
    group: dict[str, Any] = {
        "resourceType": "RequestGroup", "id": _id("requestgroup", *key),
        "instantiatesUri": [module_uri(evaluation.pack)], "status": "draft",
        "intent": "proposal",
        "subject": dict(inputs.subject),
    }
    if actions:
        group["action"] = actions
    return group


def _decision_action(decision: DecisionRecord) -> dict[str, Any]:
    options = [_option_action(c) for c in decision.options]
    action: dict[str, Any] = {"title": decision.title or decision.id, "selectionBehavior": "any",
                              "description": f"Decision status: {decision.status}"}
    if options:
        action["action"] = options
    return action


def _option_action(candidate: OptionRecord) -> dict[str, Any]:
    """One candidate option: its title, why (the arguments that hold), the guideline
    citations, and its strength (net support as a cpg-rating)."""
    held = [a for a in candidate.arguments if a.holds is True]
    code = {True: "recommended", False: "not-recommended"}.get(candidate.recommended,
                                                              "undetermined")
    action: dict[str, Any] = {
        "title": candidate.title or candidate.id,
        "code": [{"coding": [{"system": RECOMMENDATION_SYSTEM, "code": code}]}],
        "extension": [_rating(candidate)],
    }
    if held:
        action["description"] = " ".join(
            f"{'For' if a.polarity in ('for', 'confirming') else 'Against'}: {a.text}"
            for a in held)
        sources = list(dict.fromkeys(a.source for a in held if a.source))
        action["documentation"] = [{"type": "citation", "citation": s} for s in sources]
    return action


def _rating(candidate: OptionRecord) -> dict[str, Any]:
    """Net support as a cpg-rating: a number, or the range it may take while unknown."""
    if candidate.net_support is not None:
        return {"url": CPG_RATING, "valueQuantity": {"value": candidate.net_support}}
    low, high = candidate.net_support_range or (None, None)
    bounds = {name: {"value": value} for name, value in (("low", low), ("high", high))
              if value is not None}
    return {"url": CPG_RATING, "valueRange": bounds}


def _detected_issues(evaluation: EvaluationRecord, pack: Pack, inputs: BundleInputs,
                     key: tuple[Any, ...]) -> list[dict[str, Any]]:
    issues = []
    for conflict in evaluation.conflicts:
        implicated = [inputs.sources[i] for i in conflict.items if i in inputs.sources]
        issues.append(_issue(key, conflict.id, conflict.message, inputs, implicated))
    for conflict in inputs.record_conflicts:
        refs = [v["reference"] for v in conflict["values"]]
        values = ", ".join(f"{v['value']} ({v['effective'] or 'no date'})"
                           for v in conflict["values"])
        label = pack.items[conflict["item"]].label
        issues.append(_issue(key, f"record:{conflict['item']}",
                             f"{label}: the record gives different values: {values}",
                             inputs, refs))
    return issues


def _issue(key: tuple[Any, ...], name: str, detail: str, inputs: BundleInputs,
           implicated: list[str]) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "resourceType": "DetectedIssue", "id": _id("issue", name, *key), "status": "final",
        "code": {"text": "Conflicting data"}, "severity": "high",
        "patient": dict(inputs.subject), "detail": detail,
    }
    if implicated:
        issue["implicated"] = [{"reference": ref} for ref in implicated]
    return issue


def _provenance(evaluation: EvaluationRecord, pack: Pack, inputs: BundleInputs,
                resources: list[dict[str, Any]], key: tuple[Any, ...]) -> dict[str, Any]:
    ref = evaluation.pack
    entities = [{"role": "source", "what": {
        "identifier": {"system": "urn:openmdt:pack", "value": f"{ref.id}|{ref.version}"},
        "display": f"{pack.title} {ref.version} ({ref.hash})"}}]
    entities += [{"role": "source", "what": {"reference": ref}}
                 for ref in sorted(set(inputs.sources.values()))]
    return {
        "resourceType": "Provenance", "id": _id("provenance", *key),
        "target": [{"reference": f"urn:uuid:{r['id']}"} for r in resources],
        "recorded": f"{_when(evaluation) or '1970-01-01'}T00:00:00Z",
        "agent": [{"who": {"display": f"OpenMDT {openmdt_version}"}}],
        "entity": entities,
    }


def care_plan(outcome: Mapping[str, Any], inputs: BundleInputs, pack: PackRecord,
              key: tuple[Any, ...]) -> dict[str, Any]:
    """The recorded MDT outcome as a CarePlan with the COSD care-plan codes: CR0460 intent,
    CR0470 planned treatment types (one activity each), CR8110 discussion type, CR0430 the
    date the plan was discussed (``created``)."""
    from openmdt.knowledge.cosd import CARE_PLAN_INTENTS, PLANNED_TREATMENT_TYPES
    from openmdt.meetings.codes import DISCUSSION_TYPES

    categories = [_cosd("CR8110", outcome["discussion_type"], DISCUSSION_TYPES)]
    if outcome.get("care_plan_intent"):
        categories.append(_cosd("CR0460", outcome["care_plan_intent"], CARE_PLAN_INTENTS))
    plan: dict[str, Any] = {
        "resourceType": "CarePlan", "id": _id("careplan", outcome["version"], *key),
        "status": "active", "intent": "plan", "subject": dict(inputs.subject),
        "instantiatesUri": [module_uri(pack)], "category": categories,
        "description": outcome.get("rationale") or None,
        "activity": [{"detail": {"code": _cosd("CR0470", code, PLANNED_TREATMENT_TYPES),
                                 "status": "not-started"}}
                     for code in outcome.get("planned_treatment_types") or []],
    }
    if outcome.get("discussed_on"):
        plan["created"] = outcome["discussed_on"]
    return {k: v for k, v in plan.items() if v not in (None, [])}


def _cosd(item: str, code: str, labels: Mapping[str, str]) -> dict[str, Any]:
    """A COSD code as a CodeableConcept (one local code system per COSD item)."""
    return {"coding": [{"system": f"{COSD_SYSTEM}/{item}", "code": code,
                        "display": labels.get(code, code)}]}


def inputs_for(case_id: str, fhir_report: Mapping[str, Any] | None = None,
               case_url: str | None = None, nhs_number: str | None = None) -> BundleInputs:
    """What a Bundle is about: for a case read from FHIR, its Patient and the resources its
    facts came from; otherwise the patient by NHS number, else the case by its id."""
    if fhir_report is None:
        subject = {"identifier": {"system": NHS_NUMBER_SYSTEM, "value": nhs_number}}
        if not nhs_number:
            subject = {"identifier": {"system": f"{OPENMDT_SYSTEM}/case", "value": case_id}}
        return BundleInputs(subject, {}, (), case_url)
    return BundleInputs({"reference": f"Patient/{case_id}"}, dict(fhir_report["sources"]),
                        tuple(fhir_report["conflicts"]), case_url)


__all__ = ["BundleInputs", "bundle_json", "care_plan", "evaluation_bundle",
           "inputs_for", "missing_items", "module_uri"]
