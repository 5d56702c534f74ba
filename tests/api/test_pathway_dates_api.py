"""Pathway dates over HTTP: imported with the list, edited like facts, versioned and audited."""

from __future__ import annotations

from api_helpers import import_list, new_meeting, synthetic_list

DATES = {"referral_date": "2026-10-01", "first_seen_date": "2026-10-08",
         "diagnosis_date": "2026-11-20"}


def _case_with_dates(client, tenants):
    case = {**synthetic_list(1)[0], "pathway": DATES}
    meeting_id = new_meeting(client, tenants)  # 1 December 2026
    response = import_list(client, tenants, meeting_id, [case])
    assert response.status_code == 201, response.text
    return response.json()["case_ids"][0]


def test_imported_dates_are_stored_with_the_first_facts_version(client, tenants):
    case_id = _case_with_dates(client, tenants)
    detail = client.get(f"/api/v1/cases/{case_id}", headers=tenants.headers("clinician")).json()
    assert detail["pathway_dates"] == DATES
    assert detail["fact_versions"][0]["pathway_dates"] == DATES


def test_a_list_with_a_date_after_the_meeting_is_rejected_naming_both_dates(client, tenants):
    good, bad = synthetic_list(2)
    bad = {**bad, "pathway": {"diagnosis_date": "2026-12-02"}}
    meeting_id = new_meeting(client, tenants)
    response = import_list(client, tenants, meeting_id, [good, bad])
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["line"] == 2 and error["code"] == "dates_out_of_order"
    assert error["path"] == "pathway.diagnosis_date"
    assert "2 December 2026" in error["message"] and "1 December 2026" in error["message"]
    agenda = client.get(f"/api/v1/meetings/{meeting_id}/agenda",
                        headers=tenants.headers("coordinator")).json()
    assert agenda["counts"]["total"] == 0  # nothing stored


def test_editing_dates_makes_a_new_version_and_an_audit_row(client, tenants):
    case_id = _case_with_dates(client, tenants)
    body = {"pathway_dates": {"decision_to_treat_date": "2026-12-03", "referral_date": None},
            "version": 1, "reason": "from the clinic letter"}
    response = client.patch(f"/api/v1/cases/{case_id}/facts", json=body,
                            headers=tenants.headers("coordinator"))
    assert response.status_code == 200, response.text
    detail = response.json()
    assert detail["version"] == 2
    assert detail["pathway_dates"] == {"first_seen_date": "2026-10-08",
                                       "diagnosis_date": "2026-11-20",
                                       "decision_to_treat_date": "2026-12-03"}
    assert detail["fact_versions"][0]["pathway_dates"] == DATES  # the old version is kept
    event = detail["history"][-1]
    assert event["action"] == "update_facts"
    assert event["details"]["changed_dates"] == ["decision_to_treat_date", "referral_date"]


def test_an_edit_out_of_order_is_refused_and_nothing_saved(client, tenants):
    case_id = _case_with_dates(client, tenants)
    body = {"pathway_dates": {"first_seen_date": "2026-09-30"}, "version": 1}
    response = client.patch(f"/api/v1/cases/{case_id}/facts", json=body,
                            headers=tenants.headers("coordinator"))
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "dates_out_of_order"
    assert "30 September 2026" in problem["detail"] and "1 October 2026" in problem["detail"]
    detail = client.get(f"/api/v1/cases/{case_id}", headers=tenants.headers("clinician")).json()
    assert detail["version"] == 1 and detail["pathway_dates"] == DATES


def test_another_organisation_cannot_edit_the_dates(client, tenants):
    case_id = _case_with_dates(client, tenants)
    body = {"pathway_dates": {"first_seen_date": "2026-10-09"}, "version": 1}
    response = client.patch(f"/api/v1/cases/{case_id}/facts", json=body,
                            headers=tenants.headers("other_coordinator"))
    assert response.status_code == 404
