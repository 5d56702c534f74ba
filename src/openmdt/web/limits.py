"""Request body limits, enforced before the body is read (ASGI middleware).

A body larger than its route allows is refused with 413 as soon as the declared
Content-Length or the bytes received so far exceed the limit, so no handler ever reads a
huge body into memory.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1024 * 1024  # forms and JSON requests: far more than any of them needs
MAX_LIST_BYTES = 20 * 1024 * 1024  # a meeting list upload
_LIST_ROUTES = re.compile(r"^(/api/v1)?/meetings/[^/]+/(cases|import)$")


def body_limit(path: str) -> int:
    """The largest body the route at `path` accepts, in bytes."""
    return MAX_LIST_BYTES if _LIST_ROUTES.match(path) else MAX_BODY_BYTES


class TooLarge(HTTPException):
    """The body went over its limit while it was being received (an HTTPException, so that
    the framework's body parsing passes it on rather than calling it a bad body)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than this route accepts "
                              f"({limit:,} bytes).")


class BodyLimit:
    """ASGI middleware: 413 problem for a body over the route's limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope.get("path", ""))
        if _declared_length(scope) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except TooLarge:
            if not started:
                await _too_large(limit)(scope, receive, send)


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _too_large(limit: int) -> Any:
    from openmdt.web.problems import problem

    return problem(413, "payload_too_large", "Payload too large",
                   f"The request body is larger than this route accepts ({limit:,} bytes).",
                   limit=limit)
