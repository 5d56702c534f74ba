"""Tenancy, roles, sessions, CSRF, throttling, headers, problem details and OpenAPI."""

from __future__ import annotations

import pytest
from api_helpers import import_list, new_meeting, synthetic_list

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def _other_org_resources(client, tenants):
    meeting_id = new_meeting(client, tenants)
    later_id = new_meeting(client, tenants, meeting_date="2026-12-15")
    case_id = import_list(client, tenants, meeting_id, synthetic_list(2)).json()["case_ids"][0]
    return meeting_id, later_id, case_id


def _guesses(meeting_id, later_id, case_id):
    outcome = {
        "chosen_options": ["x"],
        "care_plan_intent": "C",
        "planned_treatment_types": ["01"],
        "rationale": "r",
    }
    return [
        ("get", f"/api/v1/meetings/{meeting_id}", None),
        ("get", f"/api/v1/meetings/{meeting_id}/agenda", None),
        ("get", f"/api/v1/cases/{case_id}", None),
        ("patch", f"/api/v1/cases/{case_id}/facts", {"facts": {"psa": 1}, "version": 1}),
        ("post", f"/api/v1/cases/{case_id}/flag", {}),
        ("post", f"/api/v1/cases/{case_id}/outcome", outcome),
        ("post", f"/api/v1/cases/{case_id}/roll-over", {"to_meeting_id": later_id}),
        ("post", f"/api/v1/meetings/{meeting_id}/attendance", {"attendees": []}),
        ("post", f"/api/v1/meetings/{meeting_id}/confirm-standard-of-care", {}),
        ("post", f"/api/v1/meetings/{meeting_id}/finalise", {}),
    ]


def test_another_organisations_ids_are_not_found(client, tenants):
    meeting_id, later_id, case_id = _other_org_resources(client, tenants)
    for method, url, body in _guesses(meeting_id, later_id, case_id):
        for who in ("other_coordinator", "other_chair"):
            response = client.request(method, url, json=body, headers=tenants.headers(who))
            if response.status_code == 403:
                continue  # the role check came first; the chair's attempt is the tenancy test
            assert response.status_code == 404, (method, url, who, response.text)
            assert response.json()["code"] == "not_found"
    imported = client.post(
        f"/api/v1/meetings/{meeting_id}/cases",
        content="[]",
        headers={**tenants.headers("other_coordinator"), "Content-Type": "application/json"},
    )
    assert imported.status_code == 404
    listed = client.get("/api/v1/meetings", headers=tenants.headers("other_chair")).json()
    assert listed["meetings"] == []


def test_audit_trail_is_per_organisation(client, tenants):
    _other_org_resources(client, tenants)
    ours = client.get("/api/v1/audit", headers=tenants.headers("auditor")).json()["events"]
    theirs = client.get("/api/v1/audit", headers=tenants.headers("other_auditor")).json()
    assert {e["action"] for e in ours} >= {"create_meeting", "import_cases"}
    assert not {e["action"] for e in theirs["events"]} & {"create_meeting", "import_cases"}
    assert theirs["chain_ok"] is True


@pytest.mark.parametrize(
    ("who", "method", "path", "status"),
    [
        ("clinician", "post", "/api/v1/meetings", 403),
        ("auditor", "post", "/api/v1/meetings", 403),
        ("coordinator", "post", "/api/v1/meetings/1/finalise", 403),
        ("coordinator", "post", "/api/v1/cases/1/outcome", 403),
        ("clinician", "post", "/api/v1/meetings/1/confirm-standard-of-care", 403),
        ("auditor", "post", "/api/v1/cases/1/flag", 403),
        ("chair", "get", "/api/v1/audit", 403),
        ("coordinator", "get", "/api/v1/audit", 403),
        ("auditor", "get", "/api/v1/audit", 200),
        ("admin", "get", "/api/v1/audit", 200),
    ],
)
def test_each_route_checks_the_role(client, tenants, who, method, path, status):
    response = client.request(method, path, json={}, headers=tenants.headers(who))
    assert response.status_code == status, response.text
    if status == 403:
        assert response.json()["code"] == "forbidden"


def test_no_credentials_is_401_problem(client):
    response = client.get("/api/v1/meetings")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json().keys() >= PROBLEM_KEYS
    bad = client.get("/api/v1/meetings", headers={"Authorization": "Bearer mdt_wrong"})
    assert bad.status_code == 401


def _user_with_password(app, email="chair.pw@example.nhs.uk", role="chair"):
    from openmdt.accounts import create_user, get_or_create_organisation

    with app.state.openmdt.sessions() as db:
        organisation = get_or_create_organisation(db, "Demo NHS Trust")
        create_user(
            db, organisation=organisation, email=email, role=role, password="correct horse battery"
        )
    return email


def test_session_cookie_flags_and_csrf(app, client):
    email = _user_with_password(app, role="coordinator")
    signed_in = client.post(
        "/api/v1/session", json={"email": email, "password": "correct horse battery"}
    )
    assert signed_in.status_code == 200, signed_in.text
    cookie = signed_in.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    csrf = signed_in.json()["csrf_token"]
    body = {
        "meeting_date": "2026-12-01",
        "mdt_type": "1201",
        "site_code": "RX1",
        "pack_id": "prostate-nice-ng131",
    }
    assert client.get("/api/v1/meetings").status_code == 200
    missing = client.post("/api/v1/meetings", json=body)
    assert missing.status_code == 403
    assert missing.json()["code"] == "csrf_failed"
    wrong = client.post("/api/v1/meetings", json=body, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    ok = client.post("/api/v1/meetings", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201, ok.text


def test_login_is_throttled_after_five_failures(app, client):
    email = _user_with_password(app)
    for _ in range(5):
        failed = client.post("/api/v1/session", json={"email": email, "password": "wrong one!"})
        assert failed.status_code == 401
        assert failed.json()["code"] == "invalid_credentials"
    blocked = client.post(
        "/api/v1/session", json={"email": email, "password": "correct horse battery"}
    )
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "login_throttled"
    assert int(blocked.headers["retry-after"]) > 0


def test_security_headers_on_every_response(client):
    for path in ("/api/v1/health", "/api/v1/meetings", "/api/v1/openapi.json"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_framework_errors_are_problem_details(client, tenants):
    unknown = client.get("/api/v1/no-such-thing", headers=tenants.headers("chair"))
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    invalid = client.post(
        "/api/v1/meetings", json={"mdt_type": 1201}, headers=tenants.headers("coordinator")
    )
    assert invalid.status_code == 422
    problem = invalid.json()
    assert problem["code"] == "validation_failed"
    assert problem["type"] == "urn:openmdt:problem:validation_failed"
    assert {e["path"] for e in problem["errors"]} >= {"body.meeting_date", "body.site_code"}
    wrong_code = client.post(
        "/api/v1/meetings",
        headers=tenants.headers("coordinator"),
        json={"meeting_date": "2026-12-01", "mdt_type": "9999", "site_code": "R", "pack_id": "x"},
    )
    assert wrong_code.json()["code"] == "unknown_mdt_type"


def test_openapi_is_published(client):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    for path in (
        "/meetings",
        "/meetings/{meeting_id}/cases",
        "/meetings/{meeting_id}/agenda",
        "/cases/{case_id}/facts",
        "/cases/{case_id}/outcome",
        "/evaluate",
        "/audit",
    ):
        assert path in paths
    assert "text/csv" in paths["/meetings/{meeting_id}/cases"]["post"]["requestBody"]["content"]


def test_stateless_evaluate_needs_auth_and_stores_nothing(client, tenants):
    case = synthetic_list(1)[0]
    assert client.post("/api/v1/evaluate", json={"case": case}).status_code == 401
    before = client.get("/api/v1/audit", headers=tenants.headers("auditor")).json()["events"]
    response = client.post(
        "/api/v1/evaluate",
        json={"case": case, "as_of": "2026-11-27"},
        headers=tenants.headers("clinician"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["triage"]["route"] in {
        "full_discussion",
        "not_ready",
        "standard_of_care",
    }
    after = client.get("/api/v1/audit", headers=tenants.headers("auditor")).json()["events"]
    assert after == before
    bad = client.post(
        "/api/v1/evaluate",
        json={"case": {**case, "facts": {"psa": -1}}},
        headers=tenants.headers("clinician"),
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["code"] == "value_out_of_range"


def test_stateless_evaluate_gives_a_summary_on_request(client, tenants):
    case = synthetic_list(1)[0]
    full = client.post("/api/v1/evaluate", json={"case": case, "as_of": "2026-11-27"},
                       headers=tenants.headers("clinician")).json()
    summary = client.post(
        "/api/v1/evaluate", json={"case": case, "as_of": "2026-11-27", "detail": "summary"},
        headers=tenants.headers("clinician"))
    assert summary.status_code == 200, summary.text
    assert summary.json()["triage"] == full["triage"]
    assert "title" not in summary.json()["decisions"][0]
    bad = client.post("/api/v1/evaluate", json={"case": case, "detail": "short"},
                      headers=tenants.headers("clinician"))
    assert bad.status_code == 422
