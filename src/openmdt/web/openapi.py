"""The API's OpenAPI document: every status an operation can answer, as problem details.

FastAPI documents only the success response and a 422 in `application/json`; the API also
answers 401, 403, 404, 409, 413, 428, 429, 503 and 500, all as `application/problem+json`.
The document is completed here once, from what each operation is (authenticated or not,
takes an id in its path, writes, has a body), so a new route is documented the same way.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details with a stable `code` (docs/errors.md).",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
DESCRIPTIONS = {
    "400": "The body cannot be read (e.g. not UTF-8 JSON)",
    "401": "Not signed in, or the token or password is wrong",
    "403": "The role may not do this, or the CSRF token is missing",
    "404": "No such meeting or case in the caller's organisation",
    "409": "Conflict with the stored record or the meeting workflow",
    "413": "The request body is larger than the route accepts",
    "422": "A field of the request is missing or not allowed",
    "428": "The version being changed was not given",
    "429": "Too many failed sign-ins; see Retry-After",
    "500": "Internal error (nothing about its cause is returned)",
    "503": "The database is busy with another change; see Retry-After",
}
UNAUTHENTICATED = {("get", "/health"), ("post", "/session")}
WRITES = {"post", "patch", "put", "delete"}


def _statuses(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    if (method, path) == ("get", "/health"):
        return ["500"]
    statuses = ["413", "422", "500", "503"]
    if (method, path) not in UNAUTHENTICATED:
        statuses += ["401", "403"]
    if "{" in path:
        statuses.append("404")
    if method in WRITES and path not in ("/session", "/evaluate"):
        statuses.append("409")
    if "requestBody" in operation:
        statuses.append("400")
    if (method, path) == ("patch", "/cases/{case_id}/facts"):
        statuses.append("428")
    if (method, path) == ("post", "/session"):
        statuses += ["401", "429"]
    return sorted(set(statuses))


def _problem_response(status: str) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS[status],
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def complete_document(document: dict[str, Any]) -> dict[str, Any]:
    """Add the problem responses of every operation (and the Problem schema) to `document`."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for schema in ("HTTPValidationError", "ValidationError"):
        schemas.pop(schema, None)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, method, operation):
                responses[status] = _problem_response(status)
    return document


def install_openapi(api: FastAPI) -> None:
    """Serve the completed document (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            api.openapi_schema = complete_document(get_openapi(
                title=api.title, version=api.version, description=api.description,
                routes=api.routes))
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]
