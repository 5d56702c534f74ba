"""The corpus of bad inputs through the API: each is a 422 naming the problem, nothing is
stored, and the meeting's pages still open afterwards."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from api_helpers import new_meeting

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fuzz"))
from corpus_files import corpus_files, expected_code, read_text  # noqa: E402

MEDIA_TYPES = {".csv": "text/csv", ".jsonl": "application/x-ndjson"}


def _import(client, tenants, meeting_id: int, path: Path):
    headers = {**tenants.headers("coordinator"), "Content-Type": MEDIA_TYPES[path.suffix]}
    return client.post(f"/api/v1/meetings/{meeting_id}/cases",
                       content=read_text(path).encode("utf-8", "surrogatepass"), headers=headers)


def test_every_corpus_list_is_rejected_with_its_code(client, tenants):
    meeting_id = new_meeting(client, tenants)
    for path in corpus_files():
        response = _import(client, tenants, meeting_id, path)
        assert response.status_code == 422, (path.name, response.text)
        codes = [e["code"] for e in response.json()["errors"]]
        assert codes == [expected_code(path)], (path.name, codes)
    headers = tenants.headers("chair")
    for route in ("", "/agenda"):
        assert client.get(f"/api/v1/meetings/{meeting_id}{route}", headers=headers
                          ).status_code == 200
    assert client.get(f"/api/v1/meetings/{meeting_id}", headers=headers
                      ).json()["case_count"] == 0


def test_every_corpus_case_is_a_422_on_evaluate(client, tenants):
    headers = {**tenants.headers("clinician"), "Content-Type": "application/json"}
    for path in corpus_files():
        if path.suffix != ".jsonl":
            continue
        body = '{"case": ' + read_text(path).strip() + "}"
        response = client.post("/api/v1/evaluate", content=body.encode("utf-8"),
                               headers=headers)
        assert response.status_code == 422, (path.name, response.text)
        assert response.headers["content-type"] == "application/problem+json"


def test_text_fields_of_requests_refuse_bad_characters(client, tenants):
    meeting = {"meeting_date": "2026-12-01", "mdt_type": "1201", "site_code": "RX1",
               "pack_id": "prostate-nice-ng131", "title": "MDT \ud800"}
    headers = {**tenants.headers("chair"), "Content-Type": "application/json"}
    response = client.post("/api/v1/meetings", content=json.dumps(meeting), headers=headers)
    assert response.status_code == 422
    assert response.json()["field"] == "title" and response.json()["code"] == "invalid_text"
    signin = client.post("/api/v1/session", json={"email": "a\x00@x.uk", "password": "x" * 12})
    assert signin.status_code == 422 and signin.json()["field"] == "email"
