"""Helpers for the API tests: a seeded synthetic list, creating a meeting, importing a list."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

PACK_ID = "prostate-nice-ng131"


def synthetic_list(n: int = 12, seed: int = 7) -> list[dict[str, Any]]:
    """A seeded synthetic prostate list (fictional patients)."""
    from openmdt.synth import generate_prostate_list

    return json.loads(json.dumps(generate_prostate_list(n=n, seed=seed), default=str))


def new_meeting(
    client: TestClient, tenants: Any, who: str = "coordinator", meeting_date: str = "2026-12-01"
) -> int:
    body = {
        "meeting_date": meeting_date,
        "mdt_type": "1201",
        "site_code": "RX101",
        "pack_id": PACK_ID,
    }
    response = client.post("/api/v1/meetings", json=body, headers=tenants.headers(who))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def import_list(
    client: TestClient,
    tenants: Any,
    meeting_id: int,
    cases: list[dict[str, Any]],
    who: str = "coordinator",
):
    body = "\n".join(json.dumps(case) for case in cases)
    headers = {**tenants.headers(who), "Content-Type": "application/x-ndjson"}
    return client.post(f"/api/v1/meetings/{meeting_id}/cases", content=body, headers=headers)
