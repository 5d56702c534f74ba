"""A small real FHIR server on loopback for the tests: reads and patient searches over the
resources of a Bundle, answered only with the expected bearer token."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlparse

from loopback import JsonHandler, serving


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

    class Handler(JsonHandler):
        content_type = "application/fhir+json"

        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            time.sleep(delay)
            seen.append(self.headers.get("Authorization", ""))
            if self.headers.get("Authorization") != f"Bearer {token}":
                return self.send_json(401, {"resourceType": "OperationOutcome", "issue": []})
            url = urlparse(self.path)
            kind, _, ident = url.path.strip("/").partition("/")
            if ident:
                resource = store.get(kind, {}).get(ident)
                return self.send_json(200 if resource else 404, resource or {})
            patient = parse_qs(url.query).get("patient", [""])[0]
            matches = [r for r in store.get(kind, {}).values()
                       if r.get("subject", {}).get("reference") == f"Patient/{patient}"]
            self.send_json(200, {"resourceType": "Bundle", "type": "searchset",
                                "entry": [{"resource": r} for r in matches]})

    with serving(Handler) as base:
        yield base, seen
