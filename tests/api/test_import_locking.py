"""Imports and the write lock: checked before the lock is taken, stored in one short
transaction, positions unique per meeting, and a lock timeout is a 503 with Retry-After."""

from __future__ import annotations

import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest
from api_helpers import import_list, new_meeting, synthetic_list
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from openmdt.store.models import MeetingCase


@pytest.fixture
def sqlite_app(tmp_path, monkeypatch):
    from openmdt.web.app import create_app

    monkeypatch.setenv("OPENMDT_SQLITE_BUSY_TIMEOUT", "0.2")
    application = create_app(f"sqlite:///{tmp_path / 'lock.db'}", secret_key="lock-tests")
    yield application, tmp_path / "lock.db"
    application.state.openmdt.engine.dispose()


def test_a_write_lock_timeout_is_a_503_with_retry_after(sqlite_app, tenant_maker):
    app, path = sqlite_app
    tenants = tenant_maker(app.state.openmdt.sessions)
    with TestClient(app, raise_server_exceptions=False) as client:
        meeting_id = new_meeting(client, tenants)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            busy = client.post(f"/api/v1/meetings/{meeting_id}/attendance",
                               json={"attendees": []}, headers=tenants.headers("coordinator"))
            imported = import_list(client, tenants, meeting_id, synthetic_list(3))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    for response in (busy, imported):
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"].isdigit()
        assert response.json()["code"] == "database_busy"


def test_an_import_is_checked_and_evaluated_before_the_write_lock(sqlite_app, tenant_maker,
                                                                  monkeypatch):
    from openmdt.meetings import actions

    app, path = sqlite_app
    tenants = tenant_maker(app.state.openmdt.sessions)
    free_while_evaluating: list[bool] = []
    original = actions.evaluate_facts

    def evaluate_and_probe(*args, **kwargs):
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")  # another writer can start now
            probe.execute("ROLLBACK")
            free_while_evaluating.append(True)
        except sqlite3.OperationalError:
            free_while_evaluating.append(False)
        finally:
            probe.close()
        return original(*args, **kwargs)

    monkeypatch.setattr(actions, "evaluate_facts", evaluate_and_probe)
    with TestClient(app, raise_server_exceptions=False) as client:
        meeting_id = new_meeting(client, tenants)
        assert import_list(client, tenants, meeting_id, synthetic_list(6)).status_code == 201
    assert free_while_evaluating == [True] * 6


def test_concurrent_imports_get_distinct_positions(app, client, tenants):
    meeting_id = new_meeting(client, tenants)
    lists = [synthetic_list(8, seed=seed) for seed in range(4)]
    for number, cases in enumerate(lists):
        for case in cases:
            case["case_id"] = f"L{number}-{case['case_id']}"
    headers = {**tenants.headers("coordinator"), "Content-Type": "application/x-ndjson"}

    def post(cases):
        body = "\n".join(json.dumps(case) for case in cases)
        return client.post(f"/api/v1/meetings/{meeting_id}/cases", content=body,
                           headers=headers).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(post, lists))
    assert all(status in (201, 503) for status in statuses), statuses
    with app.state.openmdt.sessions() as db:
        positions = db.scalars(select(MeetingCase.position)
                               .where(MeetingCase.meeting_id == meeting_id)).all()
    assert sorted(positions) == list(range(len(positions)))
    assert len(positions) == 8 * statuses.count(201)


def test_the_database_refuses_two_cases_at_one_position(app, client, tenants):
    meeting_id = new_meeting(client, tenants)
    assert import_list(client, tenants, meeting_id, synthetic_list(2)).status_code == 201
    with app.state.openmdt.sessions() as db:
        first, second = db.scalars(select(MeetingCase)
                                   .where(MeetingCase.meeting_id == meeting_id)).all()
        second.position = first.position
        with pytest.raises(IntegrityError):
            db.commit()


def test_a_postgresql_write_waits_only_as_long_as_the_lock_timeout(database_url, tenant_maker,
                                                                   monkeypatch):
    if not database_url.startswith("postgresql"):
        pytest.skip("the lock timeout of this test is PostgreSQL's (SQLite: the test above)")
    from sqlalchemy import create_engine, text

    from openmdt.web.app import create_app

    monkeypatch.setenv("OPENMDT_SQLITE_BUSY_TIMEOUT", "1")
    app = create_app(database_url, secret_key="lock-tests")
    tenants = tenant_maker(app.state.openmdt.sessions)
    holder = create_engine(database_url)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            meeting_id = new_meeting(client, tenants)
            with holder.connect() as connection:
                connection.execute(text("LOCK TABLE meetings IN ACCESS EXCLUSIVE MODE"))
                imported = import_list(client, tenants, meeting_id, synthetic_list(3))
                connection.rollback()
    finally:
        holder.dispose()
        app.state.openmdt.engine.dispose()
    assert imported.status_code == 503, imported.text
    assert imported.json()["code"] == "database_busy"
    assert imported.headers["retry-after"].isdigit()
