"""Request bodies are limited before they are read, /evaluate works off the event loop, and a
long string in a case is refused by name."""

from __future__ import annotations

import asyncio
import json

from api_helpers import new_meeting

CASE = {"case_id": "B1", "site": "prostate", "facts": {"psa": 6.1, "age": 66}}


def _json_headers(tenants, who: str = "clinician") -> dict[str, str]:
    return {**tenants.headers(who), "Content-Type": "application/json"}


def test_a_body_over_the_limit_is_a_413_before_it_is_read(client, tenants):
    body = json.dumps({"case": {**CASE, "facts": {"note": "x" * (2 * 1024 * 1024)}}})
    response = client.post("/api/v1/evaluate", content=body, headers=_json_headers(tenants))
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_a_streamed_body_without_length_is_cut_off_too(client, tenants):
    def chunks():
        yield b'{"case": {"case_id": "B2", "facts": {"note": "'
        for _ in range(40):
            yield b"y" * 65536
        yield b'"}}}'

    response = client.post("/api/v1/evaluate", content=chunks(), headers=_json_headers(tenants))
    assert response.status_code == 413


def test_a_meeting_list_may_be_larger(client, tenants):
    meeting_id = new_meeting(client, tenants)
    text = "reference,notes\n" + "R1," + "z" * (2 * 1024 * 1024) + "\n"  # no case_id column
    headers = {**tenants.headers("coordinator"), "Content-Type": "text/csv"}
    response = client.post(f"/api/v1/meetings/{meeting_id}/cases", content=text,
                           headers=headers)
    assert response.status_code == 422  # read and checked: over 1 MB is fine for a list
    assert response.json()["errors"][0]["code"] == "missing_case_id"


def test_evaluate_runs_in_a_worker_thread(client, tenants, monkeypatch):
    from openmdt.web import api

    on_loop: list[bool] = []
    original = api.evaluation_json

    def spy(*args, **kwargs):
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return original(*args, **kwargs)

    monkeypatch.setattr(api, "evaluation_json", spy)
    response = client.post("/api/v1/evaluate", json={"case": CASE},
                           headers=tenants.headers("clinician"))
    assert response.status_code == 200 and on_loop == [False]


def test_a_long_string_in_a_case_is_refused_by_name(client, tenants):
    case = {**CASE, "facts": {"psa": "1" * 3000}}
    response = client.post("/api/v1/evaluate", json={"case": case},
                           headers=tenants.headers("clinician"))
    assert response.status_code == 422
    assert response.json()["code"] == "text_too_long"
    assert response.json()["field"] == "facts.psa"
