"""A real HTTP server on loopback serving an issuer's JSON Web Key Set, counting requests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from loopback import JsonHandler, serving


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

    class Handler(JsonHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            host.requests.append(self.path)
            time.sleep(host.delay)
            self.send_json(200, {"keys": host.keys})

    with serving(Handler) as base:
        host.base = base
        yield host
