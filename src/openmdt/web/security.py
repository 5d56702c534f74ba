"""Who is calling: DB session, bearer token or session cookie, CSRF, roles, security headers."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from openmdt.accounts import close_session, open_session, user_for_api_token, user_for_session
from openmdt.accounts.sessions import SESSION_LIFETIME
from openmdt.store.errors import InvalidCredentials, PermissionDenied, ServiceError
from openmdt.store.models import ALLIANCE_ANALYST, User

SESSION_COOKIE = "openmdt_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfFailed(ServiceError):
    """An unsafe request authenticated by the cookie lacked the right CSRF token."""

    code = "csrf_failed"
    status = 403
    title = "CSRF check failed"


@dataclass(frozen=True)
class AppSettings:
    """What request handlers need from the app: the database and the secret key."""

    engine: Engine
    sessions: sessionmaker[Session]
    secret_key: bytes


def settings_of(request: Request) -> AppSettings:
    """The settings `create_app` stored (the API sub-app shares the main app's)."""
    return request.app.state.openmdt


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One SQLAlchemy session per request; named actions commit their own transactions.

    Opening and closing a session does no waiting I/O (connections come from the pool when
    the first query runs, in the worker thread), so this runs on the event loop: two fewer
    thread hops per request. The session is used by one request at a time.
    """
    with settings_of(request).sessions() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]


def csrf_token_from(secret_key: bytes, session_token: str) -> str:
    """The CSRF token bound to one session (HMAC, so it is never stored)."""
    return hmac.new(secret_key, session_token.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_token_for(request: Request) -> str:
    """The CSRF token to render in forms of the signed-in session ('' when signed out)."""
    token = getattr(request.state, "new_session_token", None) or request.cookies.get(SESSION_COOKIE)
    return csrf_token_from(settings_of(request).secret_key, token) if token else ""


async def submitted_csrf_token(request: Request) -> str | None:
    """The CSRF token sent with an unsafe request: the header, else the form field."""
    if request.method in SAFE_METHODS:
        return None
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def _bearer_token(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _check_csrf(request: Request, session_token: str, submitted: str | None) -> None:
    if request.method in SAFE_METHODS:
        return
    expected = csrf_token_from(settings_of(request).secret_key, session_token)
    if not submitted or not hmac.compare_digest(expected, submitted):
        raise CsrfFailed(
            f"Send the session's CSRF token in the {CSRF_HEADER} header or the "
            f"{CSRF_FIELD} form field."
        )


# The only paths an alliance analyst may use: the alliance's aggregate view, signing in and
# out. Every other page and endpoint (cases, meetings, audit trail, API, FHIR) is refused
# here, once for all routes, so a route added later is closed to the role by default.
ALLIANCE_ANALYST_PATHS = ("/alliance", "/login", "/logout")


def _open_to_alliance_analyst(path: str) -> bool:
    return any(path == allowed or path.startswith(allowed + "/")
               for allowed in ALLIANCE_ANALYST_PATHS)


def _refuse_patient_level(request: Request, user: User) -> User:
    if user.role == ALLIANCE_ANALYST and not _open_to_alliance_analyst(request.url.path):
        raise PermissionDenied(
            "An alliance analyst sees the alliance's aggregate figures only (/alliance); "
            "patient-level pages and endpoints are not open to the role.",
            required_roles=[])
    return user


def optional_user(
    request: Request,
    db: DbSession,
    submitted: Annotated[str | None, Depends(submitted_csrf_token)],
) -> User | None:
    """The caller (bearer token first, then session cookie), or None; checks CSRF for cookies."""
    bearer = _bearer_token(request)
    if bearer is not None:
        user = user_for_api_token(db, bearer)
        if user is None:
            raise InvalidCredentials("The bearer token is not valid.")
        return _refuse_patient_level(request, user)
    session_token = request.cookies.get(SESSION_COOKIE)
    if not session_token:
        return None
    user = user_for_session(db, session_token)
    if user is not None:
        _check_csrf(request, session_token, submitted)
        _refuse_patient_level(request, user)
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]


async def current_user(user: OptionalUser) -> User:
    """The signed-in caller; 401 problem when there is none (async: nothing here blocks, so
    no worker-thread hop)."""
    if user is None:
        raise InvalidCredentials("Sign in, or send an API token as 'Authorization: Bearer ...'.")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*roles: str) -> Callable[..., User]:
    """A dependency giving the current user if their role is one of `roles` (403 otherwise)."""

    async def dependency(user: CurrentUser) -> User:
        if user.role not in roles:
            raise PermissionDenied(
                f"The {user.role} role cannot do this; it needs: {', '.join(roles)}.",
                required_roles=list(roles),
            )
        return user

    return dependency


def start_session(response: Response, db: Session, user: User, request: Request) -> str:
    """Sign the user in: set the session cookie; returns the new session's CSRF token."""
    token = open_session(db, user)
    request.state.new_session_token = token
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return csrf_token_from(settings_of(request).secret_key, token)


def end_session(response: Response, db: Session, request: Request) -> None:
    """Sign out: delete the server-side session and the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        close_session(db, token)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


NO_STORE = (b"cache-control", b"no-store")
CACHEABLE_PREFIXES = ("/static/",)  # stylesheets and scripts: no patient data


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response.

    Every response except static files also gets `Cache-Control: no-store`: pages, PDFs and
    API answers carry patient data, which no browser or proxy cache may keep.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        wanted = SECURITY_HEADERS
        if not str(scope.get("path", "")).startswith(CACHEABLE_PREFIXES):
            wanted = [*SECURITY_HEADERS, NO_STORE]

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                if NO_STORE in wanted:
                    present.discard(b"cache-control")  # no-store wins over any other policy
                    message["headers"] = [
                        (n, v) for n, v in message.get("headers", []) if n.lower() != NO_STORE[0]]
                extra = [(n, v) for n, v in wanted if n not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)
