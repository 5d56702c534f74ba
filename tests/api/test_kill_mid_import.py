"""Killing the server in the middle of an import loses nothing committed and stores no half
list: a real uvicorn process is killed with SIGKILL while it imports a long list."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
from sqlalchemy import func, select

from openmdt.store.audit import verify_audit_chain
from openmdt.store.models import MeetingCase
from openmdt.synth import generate_prostate_list

LIST_SIZE = 4000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(database_url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "OPENMDT_DATABASE_URL": database_url, "OPENMDT_SECRET_KEY": "kill"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "openmdt.web.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "error"], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("uvicorn did not start")


def _cases_in(app, meeting_id: int) -> int:
    with app.state.openmdt.sessions() as db:
        return db.scalar(select(func.count()).select_from(MeetingCase)
                         .where(MeetingCase.meeting_id == meeting_id))


def test_a_killed_import_stores_nothing_and_keeps_what_was_committed(app, tenants,
                                                                      database_url) -> None:
    port = _free_port()
    server = _serve(database_url, port)
    base = f"http://127.0.0.1:{port}"
    headers = tenants.headers("coordinator")
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            body = {"meeting_date": "2026-12-01", "mdt_type": "1201", "site_code": "RK1",
                    "pack_id": "prostate-nice-ng131"}
            kept = http.post("/api/v1/meetings", json=body).json()["id"]
            small = "\n".join(json.dumps(c) for c in generate_prostate_list(5, seed=1))
            assert http.post(f"/api/v1/meetings/{kept}/cases", content=small,
                             headers={"Content-Type": "application/x-ndjson"}).status_code == 201
            target = http.post("/api/v1/meetings", json=body).json()["id"]
        text = "\n".join(json.dumps(c) for c in generate_prostate_list(LIST_SIZE, seed=2))
        thread = threading.Thread(target=_post_ignoring_errors,
                                  args=(f"{base}/api/v1/meetings/{target}/cases", text, headers))
        thread.start()
        time.sleep(1.0)  # the server is now reading, checking and storing the list
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        thread.join(30)
    finally:
        if server.poll() is None:
            server.kill()
    assert _cases_in(app, kept) == 5
    assert _cases_in(app, target) in (0, LIST_SIZE)  # all or nothing, never part of it
    with app.state.openmdt.sessions() as db:
        assert verify_audit_chain(db).ok


def _post_ignoring_errors(url: str, text: str, headers: dict[str, str]) -> None:
    with contextlib.suppress(httpx.TransportError):  # the server was killed: no answer
        httpx.post(url, content=text, headers={**headers,
                                               "Content-Type": "application/x-ndjson"},
                   timeout=60)
