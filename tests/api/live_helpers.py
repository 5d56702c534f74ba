"""Helpers for tests that start `openmdt serve` as a real process and read its log."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(database_url: str, log_path: Path, *extra_args: str,
           env: dict[str, str] | None = None) -> Iterator[str]:
    """`openmdt serve` on a free loopback port, stdout and stderr into `log_path`."""
    port = free_port()
    environment = {**os.environ, "OPENMDT_DATABASE_URL": database_url,
                   "OPENMDT_SECRET_KEY": "live-test", **(env or {})}
    environment.pop("OPENMDT_DEBUG", None)
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "openmdt.cli", "serve", "--host", "127.0.0.1",
             "--port", str(port), *extra_args], env=environment, stdout=log, stderr=log)
        try:
            _wait_until_up(server, port)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(5)


def _wait_until_up(server: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("openmdt serve exited")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("openmdt serve did not start")
