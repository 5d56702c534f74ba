"""FHIR out: the evaluation Bundle validates with fhir.resources and round-trips unchanged."""

from __future__ import annotations

import json
from datetime import date

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir_builders import bundle, ecog, patient, prostate_cancer, psa

from openmdt.engine import evaluate
from openmdt.interop.fhir_cases import evaluate_fhir
from openmdt.interop.fhir_out import bundle_json, evaluation_bundle, inputs_for

AS_OF = date(2026, 12, 5)


def _types(data: dict) -> list[str]:
    return [e["resource"]["resourceType"] for e in data["entry"]]


def _round_trip(data: dict) -> None:
    model = Bundle.model_validate(data)
    text = model.model_dump_json()
    assert json.loads(text) == data  # the model keeps every element as built
    assert Bundle.model_validate_json(text).model_dump_json() == text


def test_missing_data_gives_data_required_with_one_requirement_per_item(prostate_pack) -> None:
    case = {"case_id": "A1", "facts": {"pathway_point": "new_diagnosis", "psa": 8.4}}
    result = evaluate(prostate_pack, case, AS_OF).to_dict()
    data = bundle_json(result, prostate_pack, inputs_for("A1"))
    _round_trip(data)
    assert _types(data) == ["GuidanceResponse", "RequestGroup", "Provenance"]
    guidance = data["entry"][0]["resource"]
    assert guidance["status"] == "data-required"
    items = [r["extension"][0]["valueString"] for r in guidance["dataRequirement"]]
    assert "grade_group" in items and len(items) == len(set(items))
    grade = next(r for r in guidance["dataRequirement"]
                 if r["extension"][0]["valueString"] == "grade_group")
    assert {"system": "http://loinc.org", "code": "94734-1"} in grade["codeFilter"][0]["code"]
    assert guidance["moduleUri"] == "urn:openmdt:pack:prostate-nice-ng131:1.0.0"


def _soc_case(pack) -> dict:
    test = next(t for t in pack.tests if t.expect.get("route") == "standard_of_care")
    return {"case_id": "S1", "facts": dict(test.case["facts"])}


def test_a_complete_case_gives_success_and_one_action_per_option(prostate_pack) -> None:
    result = evaluate(prostate_pack, _soc_case(prostate_pack), AS_OF).to_dict()
    data = bundle_json(result, prostate_pack, inputs_for("S1", nhs_number="9990000018"))
    _round_trip(data)
    guidance, group = data["entry"][0]["resource"], data["entry"][1]["resource"]
    assert guidance["status"] == "success" and "dataRequirement" not in guidance
    assert guidance["subject"]["identifier"]["value"] == "9990000018"
    applicable = [d for d in result["decisions"] if d["status"] != "not_applicable"]
    assert [a["title"] for a in group["action"]] == [d["title"] for d in applicable]
    options = group["action"][0]["action"]
    assert len(options) == len(applicable[0]["candidates"])
    recommended = [o for o in options if o["code"][0]["coding"][0]["code"] == "recommended"]
    assert recommended and all(o["documentation"] for o in recommended)
    assert all(o["extension"][0]["url"].endswith("cpg-rating") for o in options)
    provenance = data["entry"][-1]["resource"]
    assert len(provenance["target"]) == len(data["entry"]) - 1
    assert result["pack"]["hash"] in provenance["entity"][0]["what"]["display"]


def test_same_evaluation_same_bytes(prostate_pack) -> None:
    result = evaluate(prostate_pack, _soc_case(prostate_pack), AS_OF).to_dict()
    first = evaluation_bundle(result, prostate_pack, inputs_for("S1")).model_dump_json()
    again = evaluation_bundle(result, prostate_pack, inputs_for("S1")).model_dump_json()
    assert first == again


def test_record_conflicts_become_detected_issues_and_inputs_are_provenance(prostate_pack):
    text = bundle(patient(), prostate_cancer(), psa("o1", 5, "2026-01-02"),
                  ecog("e1", 0, "2026-01-02"), ecog("e2", 2, "2025-01-02"))
    [outcome] = evaluate_fhir(text, prostate_pack, AS_OF).outcomes
    report = outcome.fhir.report()
    data = bundle_json(outcome.evaluation.to_dict(), prostate_pack,
                       inputs_for(outcome.fhir.case_id, report))
    _round_trip(data)
    [issue] = [e["resource"] for e in data["entry"]
               if e["resource"]["resourceType"] == "DetectedIssue"]
    assert {r["reference"] for r in issue["implicated"]} == {"Observation/e1", "Observation/e2"}
    assert issue["patient"] == {"reference": "Patient/p1"}
    provenance = data["entry"][-1]["resource"]
    sources = {e["what"].get("reference") for e in provenance["entity"]}
    assert {"Observation/o1", "Observation/e1"} <= sources


def test_a_recorded_outcome_is_a_care_plan_with_cosd_codes(prostate_pack) -> None:
    result = evaluate(prostate_pack, _soc_case(prostate_pack), AS_OF).to_dict()
    outcome = {"version": 1, "discussion_type": "2", "care_plan_intent": "Z",
               "planned_treatment_types": ["04", "02"], "rationale": "Agreed.",
               "discussed_on": "2026-12-01"}
    data = bundle_json(result, prostate_pack, inputs_for("S1"), outcome)
    _round_trip(data)
    plan = CarePlan.model_validate(data["entry"][-2]["resource"])
    codes = {(c.coding[0].system.rsplit("/", 1)[1], c.coding[0].code) for c in plan.category}
    assert codes == {("CR8110", "2"), ("CR0460", "Z")}
    assert [a.detail.code.coding[0].code for a in plan.activity] == ["04", "02"]
    assert plan.created.isoformat().startswith("2026-12-01")
