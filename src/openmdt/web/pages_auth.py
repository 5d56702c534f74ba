"""Sign-in and sign-out pages.

Before sign-in there is no session, so the sign-in form is protected by a double-submit token:
a random value in a strict same-site cookie that the form must echo back. After sign-in every
form carries the session's synchronizer token (`csrf_token_for`).
"""

from __future__ import annotations

import hmac
import math
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openmdt import accounts
from openmdt.store.errors import InvalidCredentials, LoginThrottled
from openmdt.store.models import ALLIANCE_ANALYST
from openmdt.web.pages_common import PageUser, render
from openmdt.web.security import DbSession, end_session, start_session

router = APIRouter()

LOGIN_CSRF_COOKIE = "openmdt_login_csrf"


SACT_HOME_ROLES = ("prescriber", "pharmacist", "nurse")


def _safe_next(next_url: str | None) -> str:
    """Only same-site paths are followed after sign-in (no open redirect)."""
    if next_url and next_url.startswith("/") and not next_url.startswith("//"):
        return next_url
    return "/meetings"


def _login_page(
    request: Request, *, status_code: int = 200, next_url: str = "/meetings", **context: object
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = render(
        request, "login.html", None, status_code=status_code, csrf_token=token,
        next_url=next_url, **context,
    )
    secure = request.url.scheme == "https"
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/login"
    )
    return response


def _wait_text(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _home(target: str, role: str) -> str:
    """Where a role starts when no other page was asked for."""
    if target != "/meetings":
        return target
    if role in SACT_HOME_ROLES:
        return "/sact"  # prescribers, pharmacists and nurses work on the chemotherapy pages
    if role == ALLIANCE_ANALYST:
        return "/alliance"  # the alliance's aggregate figures: the role's only page
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, user: PageUser, next: str | None = None) -> Response:
    """The sign-in page (signed-in users go straight on)."""
    if user is not None:
        return RedirectResponse(_home(_safe_next(next), user.role), status_code=303)
    return _login_page(request, next_url=_safe_next(next), email="")


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    db: DbSession,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/meetings",
) -> Response:
    """Check the password, start a session and go to the page asked for."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return _login_page(
            request, status_code=403, next_url=_safe_next(next), email=email,
            error="The sign-in form had expired. Please try again.",
        )
    client_ip = request.client.host if request.client else "unknown"
    try:
        user = accounts.login(db, email=email, password=password, client_ip=client_ip)
    except LoginThrottled as throttled:
        return _login_page(
            request, status_code=429, next_url=_safe_next(next), email=email, throttled=True,
            retry_after_text=_wait_text(float(getattr(throttled, "retry_after", 900))),
        )
    except InvalidCredentials:
        return _login_page(
            request, status_code=401, next_url=_safe_next(next), email=email,
            error="Enter a correct email address and password.",
        )
    response = RedirectResponse(_home(_safe_next(next), user.role), status_code=303)
    start_session(response, db, user, request)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, db: DbSession, user: PageUser) -> Response:
    """End the session (the CSRF check in `PageUser` stops forced sign-outs)."""
    response = RedirectResponse("/login", status_code=303)
    end_session(response, db, request)
    return response
