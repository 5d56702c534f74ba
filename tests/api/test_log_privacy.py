"""No server log line holds a request body, SQL parameters or a patient or staff identifier.

A real `openmdt serve` process on SQLite is driven into database errors (a write lock held by
another connection, a missing table) while it handles patient lists and sign-ins; its whole
log is then scanned for the identifiers that were sent.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
from live_helpers import served
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

PATIENT = {"name": "Zebedee Quartermaine", "nhs_number": "9990012342",
           "date_of_birth": "1941-03-17", "hospital_number": "HOSPQX77"}
STAFF_EMAIL = "locked.out.person@example.nhs.uk"
SECRETS = [*PATIENT.values(), STAFF_EMAIL, "Quartermaine"]


def _case(case_id: str) -> str:
    return json.dumps({"case_id": case_id, "site": "prostate", "patient": PATIENT,
                       "facts": {"psa": 7.5, "age": 70}})


def _tenants(database_url: str, tenant_maker):
    engine = create_engine(database_url)
    try:
        return tenant_maker(sessionmaker(engine))
    finally:
        engine.dispose()


def _new_meeting(http: httpx.Client) -> int:
    body = {"meeting_date": "2026-12-01", "mdt_type": "1201", "site_code": "RX1",
            "pack_id": "prostate-nice-ng131"}
    response = http.post("/api/v1/meetings", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _post_list(http: httpx.Client, meeting_id: int, case_id: str) -> httpx.Response:
    return http.post(f"/api/v1/meetings/{meeting_id}/cases", content=_case(case_id),
                     headers={"Content-Type": "application/x-ndjson"})


def _errors_under_a_held_lock(db_path: Path, http: httpx.Client, meeting_id: int) -> None:
    holder = sqlite3.connect(db_path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # every other writer now times out
        assert _post_list(http, meeting_id, "LOCKED-1").status_code >= 500
        signin = http.post("/api/v1/session", json={"email": STAFF_EMAIL, "password": "x" * 12})
        assert signin.status_code >= 500
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _error_on_a_missing_table(db_path: Path, http: httpx.Client, meeting_id: int) -> None:
    with sqlite3.connect(db_path) as tamper:
        tamper.execute("ALTER TABLE fact_versions RENAME TO fact_versions_gone")
    response = _post_list(http, meeting_id, "MISSING-1")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"


def test_database_errors_leave_no_identifier_in_the_log(tmp_path, tenant_maker):
    db_path = tmp_path / "openmdt.db"
    url = f"sqlite:///{db_path}"
    log_path = tmp_path / "server.log"
    with served(url, log_path, env={"OPENMDT_SQLITE_BUSY_TIMEOUT": "0.2"}) as base:
        tenants = _tenants(url, tenant_maker)
        with httpx.Client(base_url=base, headers=tenants.headers("coordinator"),
                          timeout=30) as http:
            meeting_id = _new_meeting(http)
            _errors_under_a_held_lock(db_path, http, meeting_id)
            _error_on_a_missing_table(db_path, http, meeting_id)
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "unexpected error: OperationalError" in log  # the errors did happen, by type
    assert "Traceback" not in log
    for secret in SECRETS:
        assert secret not in log, f"{secret!r} is in the server log"
    assert "INSERT" not in log and "parameters" not in log
