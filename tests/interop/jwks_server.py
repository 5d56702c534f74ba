"""A real HTTP server on loopback serving an issuer's JSON Web Key Set, counting requests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class KeySetHost:
    """What the server serves (change ``keys`` to rotate) and the paths it was asked for."""

    base: str = ""
    keys: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0
    requests: list[str] = field(default_factory=list)


@contextmanager
def jwks_server(keys: list[dict[str, Any]], delay: float = 0.0) -> Iterator[KeySetHost]:
    """Serve ``{"keys": keys}`` at http://127.0.0.1:PORT/<any path>."""
    host = KeySetHost(keys=list(keys), delay=delay)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            host.requests.append(self.path)
            time.sleep(host.delay)
            data = json.dumps({"keys": host.keys}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield host
    finally:
        server.shutdown()
        server.server_close()
