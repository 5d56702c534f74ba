"""A breast meeting runs a synthetic breast list end to end (issue 13), and a case of another
site is refused at import, naming the line - never read with the meeting's pack."""

from __future__ import annotations

import io
import json

from api_helpers import import_list, synthetic_list


def _breast_meeting(client, tenants) -> int:
    # CR3190: the shared notes confirm only the urology MDT types; see docs/pack-authoring.md.
    body = {"meeting_date": "2026-12-01", "mdt_type": "1201", "site_code": "RX101",
            "pack_id": "breast-nice-ng101", "title": "Breast MDT"}
    response = client.post("/api/v1/meetings", json=body, headers=tenants.headers("coordinator"))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _breast_list(n: int, seed: int = 7) -> list[dict]:
    from openmdt.synth import generate_breast_list

    return json.loads(json.dumps(generate_breast_list(n, seed), default=str))


def test_a_breast_list_is_triaged_with_the_breast_pack(client, tenants):
    meeting_id = _breast_meeting(client, tenants)
    response = import_list(client, tenants, meeting_id, _breast_list(60))
    assert response.status_code == 201, response.text
    agenda = client.get(f"/api/v1/meetings/{meeting_id}/agenda",
                        headers=tenants.headers("coordinator")).json()
    assert agenda["counts"]["total"] == 60
    assert agenda["counts"]["standard_of_care"] >= 1 and agenda["counts"]["not_ready"] >= 1
    assert all(case["data_requests"] for case in agenda["not_ready"])


def test_a_breast_csv_list_imports(client, tenants):
    from openmdt.synth import BREAST_FACT_NAMES, write_csv

    buffer = io.StringIO()
    write_csv(_breast_list(6, seed=3), buffer, BREAST_FACT_NAMES)
    meeting_id = _breast_meeting(client, tenants)
    response = client.post(f"/api/v1/meetings/{meeting_id}/cases", content=buffer.getvalue(),
                           headers={**tenants.headers("coordinator"), "Content-Type": "text/csv"})
    assert response.status_code == 201, response.text
    assert response.json()["imported"] == 6


def test_a_prostate_case_on_a_breast_list_is_refused_and_nothing_is_stored(client, tenants):
    meeting_id = _breast_meeting(client, tenants)
    cases = _breast_list(3)
    cases.insert(1, synthetic_list(1)[0])
    response = import_list(client, tenants, meeting_id, cases)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["line"], error["code"], error["path"]) == (2, "site_mismatch", "site")
    assert "'prostate'" in error["message"] and "'breast'" in error["message"]
    meeting = client.get(f"/api/v1/meetings/{meeting_id}", headers=tenants.headers("chair"))
    assert meeting.json()["case_count"] == 0


def test_a_breast_case_on_a_prostate_list_is_refused(client, tenants):
    from api_helpers import new_meeting

    meeting_id = new_meeting(client, tenants)
    response = import_list(client, tenants, meeting_id, synthetic_list(2) + _breast_list(1))
    assert response.status_code == 422
    assert [(e["line"], e["code"]) for e in response.json()["errors"]] == [(3, "site_mismatch")]
