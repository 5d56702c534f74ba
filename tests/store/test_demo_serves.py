"""`make demo` runs `openmdt demo`: it must get as far as serving the app (a real process on a
free local port), not stop after printing the credentials."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

OPENMDT = str(Path(sys.executable).parent / "openmdt")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def test_demo_serves_the_app(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "OPENMDT_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    demo = subprocess.Popen([OPENMDT, "demo", "--port", str(port), "--output-dir",
                             str(tmp_path / "out")], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        status = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and demo.poll() is None:
            status = _status(f"http://127.0.0.1:{port}/login")
            if status is not None:
                break
            time.sleep(0.5)
        assert demo.poll() is None, demo.stdout.read() if demo.stdout else ""
        assert status == 200
    finally:
        demo.terminate()
        demo.wait(timeout=30)
    output = demo.stdout.read() if demo.stdout else ""
    assert "internal error" not in output
    assert "password:" in output and f"http://127.0.0.1:{port}/login" in output
