"""RFC 9457 problem details: the one error shape of the JSON API, with stable codes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
    503: ("database_busy", "Service busy"),
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


def allowed_methods(request: Request) -> str:
    """Every method the API documents for the request's path (Starlette's 405 lists only the
    methods of the first route that matched the path, not those of the others)."""
    from starlette.routing import compile_path, get_route_path

    path = get_route_path(request.scope)
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern, _, _ = compile_path(template)
        if pattern.match(path):
            methods |= {method.upper() for method in operations}
    return ", ".join(sorted(methods))


async def _on_http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 405:
        headers = {**(error.headers or {}), "Allow": allowed_methods(request)}
        return problem(405, "method_not_allowed", "Method not allowed",
                       f"This resource accepts {headers['Allow']}.", headers=headers)
    if error.status_code == 400 and isinstance(error.__cause__, RecursionError):
        # FastAPI's body parser met JSON nested deeper than Python can parse
        return problem(422, "invalid_json", "The request is not valid",
                       "The JSON body is nested too deeply.")
    code, title = HTTP_STATUS_CODES.get(error.status_code, ("http_error", "Request failed"))
    detail = error.detail if isinstance(error.detail, str) else title
    return problem(error.status_code, code, title, detail, headers=error.headers)


def internal_error_problem() -> Response:
    """The 500 problem: says nothing about the cause (that stays on the server, as a type)."""
    return problem(
        500, "internal_error", "Internal server error", "The server could not complete the request."
    )


BUSY_RETRY_AFTER = 5  # seconds; a write lock is held for well under that
_BUSY_ERRORS = {"LockNotAvailable", "SerializationFailure", "DeadlockDetected"}


def database_busy(error: BaseException) -> bool:
    """Whether `error` is the database refusing a write because another holds the lock
    (SQLite's busy timeout, PostgreSQL's lock timeout or a deadlock): worth a retry."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    if type(original).__name__ in _BUSY_ERRORS:
        return True
    return "database is locked" in str(original) or "database table is locked" in str(original)


def busy_problem() -> Response:
    """503 with Retry-After: the database is busy with another write; nothing was changed."""
    return problem(
        503, "database_busy", "Service busy",
        "The database is busy with another change; nothing was saved. Try again shortly.",
        headers={"Retry-After": str(BUSY_RETRY_AFTER)},
    )


class UnexpectedErrors:
    """ASGI middleware: an unexpected exception becomes a 500 and one log line with its type.

    Starlette's own 500 handler re-raises the exception so that the server logs it, and
    uvicorn logs the traceback with the exception's text, which can quote SQL parameters or a
    request body (patient details). This middleware never re-raises: only the exception's
    type is logged, here, and nothing reaches uvicorn.
    """

    def __init__(self, app: ASGIApp, respond: Callable[[Scope], Response] | None = None,
                 busy: Callable[[Scope], Response] | None = None) -> None:
        self.app = app
        self.respond = respond or (lambda _scope: internal_error_problem())
        self.busy = busy or (lambda _scope: busy_problem())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception as error:  # noqa: BLE001 - the last line of defence, logged by type
            busy = database_busy(error)
            if busy:
                log.warning("database busy: %s", type(error).__name__)
            else:
                log.error("unexpected error: %s", type(error).__name__)
            if not started:
                answer = self.busy(scope) if busy else self.respond(scope)
                await answer(scope, receive, send)


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of `app` (ours and FastAPI's own) a problem-details response."""
    app.add_exception_handler(ServiceError, _on_service_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_middleware(UnexpectedErrors)
