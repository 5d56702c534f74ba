"""A small real FHIR server on loopback for the tests: reads and patient searches over the
resources of a Bundle, answered only with the expected bearer token."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


def resources_by_type(bundle: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    aliases = {e["fullUrl"]: f"{e['resource']['resourceType']}/{e['resource']['id']}"
               for e in bundle["entry"] if "fullUrl" in e}
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for entry in bundle["entry"]:
        resource = json.loads(json.dumps(entry["resource"]))
        subject = resource.get("subject", {}).get("reference")
        if subject in aliases:
            resource["subject"]["reference"] = aliases[subject]
        found.setdefault(resource["resourceType"], {})[resource["id"]] = resource
    return found


@contextmanager
def fhir_server(bundle: dict[str, Any], token: str, delay: float = 0.0
                ) -> Iterator[tuple[str, list[str]]]:
    """Serve ``bundle``'s resources at http://127.0.0.1:PORT; yields the base URL and the
    Authorization headers the server received."""
    store = resources_by_type(bundle)
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            time.sleep(delay)
            seen.append(self.headers.get("Authorization", ""))
            if self.headers.get("Authorization") != f"Bearer {token}":
                return self._send(401, {"resourceType": "OperationOutcome", "issue": []})
            url = urlparse(self.path)
            kind, _, ident = url.path.strip("/").partition("/")
            if ident:
                resource = store.get(kind, {}).get(ident)
                return self._send(200 if resource else 404, resource or {})
            patient = parse_qs(url.query).get("patient", [""])[0]
            matches = [r for r in store.get(kind, {}).values()
                       if r.get("subject", {}).get("reference") == f"Patient/{patient}"]
            self._send(200, {"resourceType": "Bundle", "type": "searchset",
                             "entry": [{"resource": r} for r in matches]})

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
