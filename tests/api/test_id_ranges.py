"""Ids beyond 64 bits and out-of-range paging values are clear 404s and 422s, never 500s."""

from __future__ import annotations

from api_helpers import import_list, new_meeting, synthetic_list

HUGE = 2**63
ROUTES = [
    ("GET", "/meetings/{id}", None),
    ("GET", "/meetings/{id}/agenda", None),
    ("POST", "/meetings/{id}/attendance", {"attendees": []}),
    ("POST", "/meetings/{id}/confirm-standard-of-care", {}),
    ("POST", "/meetings/{id}/finalise", {}),
    ("GET", "/cases/{id}", None),
    ("PATCH", "/cases/{id}/facts", {"facts": {}, "version": 1}),
    ("POST", "/cases/{id}/flag", {}),
    ("POST", "/cases/{id}/roll-over", {"to_meeting_id": 1}),
    ("POST", "/cases/{id}/outcome", {"chosen_options": [], "care_plan_intent": "C",
                                     "planned_treatment_types": [], "rationale": "r"}),
]


def test_a_huge_id_in_a_path_is_not_found(client, tenants):
    headers = tenants.headers("chair")
    for value in (HUGE, 10**30, -(2**63) - 1):
        for method, route, body in ROUTES:
            url = "/api/v1" + route.format(id=value)
            response = client.request(method, url, json=body, headers=headers)
            assert response.status_code == 404, (method, url, response.text)
        listed = client.post(f"/api/v1/meetings/{value}/cases", content="case_id\nA\n",
                             headers={**headers, "Content-Type": "text/csv"})
        assert listed.status_code == 404


def test_a_huge_id_in_a_body_is_a_422_naming_the_field(client, tenants):
    meeting_id = new_meeting(client, tenants, "chair")
    assert import_list(client, tenants, meeting_id, synthetic_list(2), "chair").status_code == 201
    case_id = client.get(f"/api/v1/meetings/{meeting_id}",
                         headers=tenants.headers("chair")).json()["cases"][0]["id"]
    headers = tenants.headers("chair")
    for url, body, field in (
        (f"/meetings/{meeting_id}/confirm-standard-of-care", {"case_ids": [HUGE]}, "case_ids"),
        (f"/meetings/{meeting_id}/finalise", {"roll_over_to": HUGE}, "roll_over_to"),
        (f"/cases/{case_id}/roll-over", {"to_meeting_id": HUGE}, "to_meeting_id"),
    ):
        response = client.post("/api/v1" + url, json=body, headers=headers)
        assert response.status_code == 422, (url, response.text)
        assert any(field in e["path"] for e in response.json()["errors"])


def test_audit_paging_is_validated(client, tenants):
    headers = tenants.headers("auditor")
    for query in ("limit=-1", "limit=0", "limit=1001", f"after_id={HUGE}", "after_id=-1",
                  f"limit={HUGE}"):
        response = client.get(f"/api/v1/audit?{query}", headers=headers)
        assert response.status_code == 422, (query, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert len(client.get("/api/v1/audit?limit=1", headers=headers).json()["events"]) <= 1


def test_service_paging_is_validated_for_every_shell(app, tenants):
    import pytest

    from openmdt.meetings import list_audit_events
    from openmdt.store.errors import InvalidRequest
    from openmdt.store.models import User

    with app.state.openmdt.sessions() as db:
        auditor = db.get(User, tenants.user_ids["auditor"])
        for kwargs in ({"limit": -1}, {"limit": 5000}, {"after_id": -5}):
            with pytest.raises(InvalidRequest):
                list_audit_events(db, user=auditor, **kwargs)
