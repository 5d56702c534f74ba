"""Meeting import of FHIR (application/fhir+json, application/fhir+ndjson)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from api_helpers import new_meeting

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "interop"))
from fhir_builders import FHIR, bundle, ecog, patient, prostate_cancer, psa  # noqa: E402


def _post(client, tenants, meeting_id, body: str, media: str = "application/fhir+json"):
    headers = {**tenants.headers("coordinator"), "Content-Type": media}
    return client.post(f"/api/v1/meetings/{meeting_id}/cases", content=body, headers=headers)


def _cases(client, tenants, meeting_id):
    meeting = client.get(f"/api/v1/meetings/{meeting_id}", headers=tenants.headers("chair"))
    return meeting.json()["cases"]


def test_a_fhir_bundle_imports_one_case_per_patient(client, tenants):
    meeting_id = new_meeting(client, tenants)
    body = bundle(patient("p1"), prostate_cancer("c1", "p1"), psa("o1", 6.2, "2026-11-01"),
                  patient("p2", "9990000026"), prostate_cancer("c2", "p2"),
                  psa("o2", 12, "2026-11-02", patient_id="p2"), kind="transaction")
    response = _post(client, tenants, meeting_id, body)
    assert response.status_code == 201, response.text
    assert response.json()["imported"] == 2
    case_id = response.json()["case_ids"][0]
    detail = client.get(f"/api/v1/cases/{case_id}", headers=tenants.headers("chair")).json()
    assert detail["facts"]["psa"] == 6.2


def test_ndjson_with_a_conflict_is_imported_flagged_for_discussion(client, tenants):
    meeting_id = new_meeting(client, tenants)
    lines = [patient(), prostate_cancer(), ecog("e1", 0, "2026-11-01"),
             ecog("e2", 2, "2026-10-01")]
    response = _post(client, tenants, meeting_id, "\n".join(json.dumps(r) for r in lines),
                     "application/fhir+ndjson")
    assert response.status_code == 201, response.text
    [case] = _cases(client, tenants, meeting_id)
    assert case["flagged"] is True
    assert "WHO performance status" in case["flag_note"]


def test_a_record_without_the_primary_cancer_is_rejected_and_nothing_written(client, tenants):
    meeting_id = new_meeting(client, tenants)
    jenny = (FHIR / "mcode-stu4" / "Bundle-mcode-patient-bundle-jenny-m.json").read_text()
    response = _post(client, tenants, meeting_id, jenny)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["code"] for e in response.json()["errors"]] == ["no_primary_cancer"]
    assert _cases(client, tenants, meeting_id) == []


def test_an_invalid_resource_rejects_the_import(client, tenants):
    meeting_id = new_meeting(client, tenants)
    broken = psa("o1", 6.2, "2026-11-01") | {"valueQuantity": {"value": "lots"}}
    response = _post(client, tenants, meeting_id, bundle(patient(), prostate_cancer(), broken))
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["code"] == "invalid_fhir" and "entry[2]" in error["message"]
    assert _cases(client, tenants, meeting_id) == []


def test_a_case_as_a_fhir_bundle_with_its_care_plan_and_no_other_organisation(client, tenants):
    from fhir.resources.R4B.bundle import Bundle

    meeting_id = new_meeting(client, tenants)
    body = bundle(patient(), prostate_cancer(), psa("o1", 6.2, "2026-11-01"))
    case_id = _post(client, tenants, meeting_id, body).json()["case_ids"][0]
    url = f"/api/v1/cases/{case_id}/fhir"
    response = client.get(url, headers=tenants.headers("chair"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/fhir+json"
    parsed = Bundle.model_validate_json(response.text)
    assert parsed.model_dump_json() == response.text
    kinds = [e.resource.get_resource_type() for e in parsed.entry]
    assert kinds[:2] == ["GuidanceResponse", "RequestGroup"] and "CarePlan" not in kinds
    guidance = parsed.entry[0].resource
    assert guidance.status == "data-required"
    assert guidance.subject.identifier.value == "9990000018"
    evaluation = client.get(f"/api/v1/cases/{case_id}", headers=tenants.headers("chair"))
    decision = evaluation.json()["evaluation"]["decisions"][0]
    option = f"{decision['id']}/{decision['candidates'][0]['id']}"
    outcome = {"chosen_options": [option], "care_plan_intent": "9",
               "planned_treatment_types": ["99"], "rationale": "More tests first",
               "deviation_code": "new_information", "deviation_text": "Biopsy awaited"}
    recorded = client.post(f"/api/v1/cases/{case_id}/outcome", json=outcome,
                           headers=tenants.headers("chair"))
    assert recorded.status_code == 201, recorded.text
    data = client.get(url, headers=tenants.headers("chair")).json()
    [plan] = [e["resource"] for e in data["entry"]
              if e["resource"]["resourceType"] == "CarePlan"]
    assert plan["created"] == "2026-12-01"
    assert plan["activity"][0]["detail"]["code"]["coding"][0]["code"] == "99"
    other = client.get(url, headers=tenants.headers("other_chair"))
    assert other.status_code == 404
    assert other.headers["content-type"] == "application/problem+json"
    assert client.get(url).status_code == 401
