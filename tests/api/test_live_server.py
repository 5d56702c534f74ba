"""The app served by a real uvicorn on a loopback port, spoken to over real HTTP."""

from __future__ import annotations

import socket
import threading

import httpx
import pytest
import uvicorn


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_url(app):
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        thread.join(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_live_server_answers_over_loopback(live_url, tenants):
    with httpx.Client(base_url=live_url) as http:
        assert http.get("/api/v1/health").json() == {"status": "ok"}
        body = {
            "meeting_date": "2026-12-01",
            "mdt_type": "1201",
            "site_code": "RX1",
            "pack_id": "prostate-nice-ng131",
        }
        created = http.post("/api/v1/meetings", json=body, headers=tenants.headers("chair"))
        assert created.status_code == 201
        listed = http.get("/api/v1/meetings", headers=tenants.headers("chair"))
        assert [m["id"] for m in listed.json()["meetings"]] == [created.json()["id"]]
        assert listed.headers["x-content-type-options"] == "nosniff"
