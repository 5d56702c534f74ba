"""RFC 9457 problem details: the one error shape of the JSON API, with stable codes."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from openmdt.store.errors import LoginThrottled, ServiceError

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("openmdt.web")

# Codes for errors raised by the framework itself (routing, methods, auth headers).
HTTP_STATUS_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Bad request"),
    401: ("not_authenticated", "Not signed in"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("payload_too_large", "Payload too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    428: ("version_required", "Precondition required"),
}


def problem_type(code: str) -> str:
    """The `type` URI of a problem code (a URN: stable, and never fetched)."""
    return f"urn:openmdt:problem:{code}"


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem-details response: type, title, status, detail, code, plus extension members."""
    body = {
        "type": problem_type(code),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def service_problem(error: ServiceError) -> JSONResponse:
    """The problem for a service-layer error (its code, status, title and extras)."""
    headers: dict[str, str] = {}
    if isinstance(error, LoginThrottled):
        headers["Retry-After"] = str(error.retry_after)
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return problem(
        error.status, error.code, error.title, error.detail, headers=headers or None, **error.extra
    )


def _validation_errors(error: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "path": ".".join(str(part) for part in item.get("loc", ())),
            "code": item.get("type", "invalid"),
            "message": item.get("msg", ""),
        }
        for item in error.errors()
    ]


async def _on_service_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ServiceError)
    return service_problem(error)


async def _on_validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return problem(
        422,
        "validation_failed",
        "The request is not valid",
        "One or more fields of the request are missing or wrong.",
        errors=_validation_errors(error),
    )


async def _on_http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code, title = HTTP_STATUS_CODES.get(error.status_code, ("http_error", "Request failed"))
    detail = error.detail if isinstance(error.detail, str) else title
    return problem(error.status_code, code, title, detail, headers=error.headers)


async def _on_unexpected(_request: Request, error: Exception) -> JSONResponse:
    # Only the exception type is logged: messages could quote patient data.
    log.error("unexpected error: %s", type(error).__name__)
    return problem(
        500, "internal_error", "Internal server error", "The server could not complete the request."
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of `app` (ours and FastAPI's own) a problem-details response."""
    app.add_exception_handler(ServiceError, _on_service_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
