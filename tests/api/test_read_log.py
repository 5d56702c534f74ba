"""Reads of patient records through the API are written to the audit trail (who viewed which
case), the chain still verifies at GET /api/v1/audit, and a case's history lists changes only."""

from __future__ import annotations

from api_helpers import import_list, new_meeting, synthetic_list


def test_api_reads_are_logged_and_the_chain_still_verifies(client, tenants) -> None:
    meeting_id = new_meeting(client, tenants)
    assert import_list(client, tenants, meeting_id, synthetic_list(3)).status_code in (200, 201)
    cases = client.get(f"/api/v1/meetings/{meeting_id}", headers=tenants.headers("chair"))
    case_id = cases.json()["cases"][0]["id"]
    detail = client.get(f"/api/v1/cases/{case_id}", headers=tenants.headers("chair")).json()
    assert all(event["action"] != "view_case" for event in detail["history"])
    trail = client.get("/api/v1/audit", headers=tenants.headers("auditor")).json()
    assert trail["chain_ok"] is True
    reads = [e for e in trail["events"] if e["action"] == "view_case"]
    assert [(e["entity_id"], e["user_id"], e["details"]) for e in reads] == [
        (case_id, tenants.user_ids["chair"], {"page": "API case"})]
    assert any(e["action"] == "view_meeting" and e["entity_id"] == meeting_id
               for e in trail["events"])


def test_another_organisations_case_is_neither_shown_nor_logged(client, tenants) -> None:
    meeting_id = new_meeting(client, tenants)
    import_list(client, tenants, meeting_id, synthetic_list(2))
    case_id = client.get(f"/api/v1/meetings/{meeting_id}",
                         headers=tenants.headers("chair")).json()["cases"][0]["id"]
    refused = client.get(f"/api/v1/cases/{case_id}", headers=tenants.headers("other_chair"))
    assert refused.status_code == 404
    trail = client.get("/api/v1/audit", headers=tenants.headers("auditor")).json()
    assert not [e for e in trail["events"] if e["action"] == "view_case"]
