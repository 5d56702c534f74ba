"""Shared pieces of the server-rendered pages: templates, who may do what, error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from openmdt.knowledge.words import date_words, time_words
from openmdt.store.errors import ServiceError
from openmdt.store.models import User
from openmdt.web.pages_views import option_label
from openmdt.web.security import DbSession, csrf_token_for, optional_user, submitted_csrf_token


def page_user(
    request: Request,
    db: DbSession,
    submitted: Annotated[str | None, Depends(submitted_csrf_token)],
) -> User | None:
    """The signed-in user or None; a failed CSRF check or bad token stops the request.

    The back end's `optional_user` raises service errors, which the main app does not turn
    into responses; pages turn them into HTTP errors here (403 for a missing CSRF token).
    """
    try:
        return optional_user(request, db, submitted)
    except ServiceError as error:
        raise HTTPException(status_code=error.status, detail=error.detail) from error


PageUser = Annotated[User | None, Depends(page_user)]

TEMPLATE_FOLDER = Path(__file__).resolve().parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATE_FOLDER))
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


def nhs_number(value: object) -> str:
    """An NHS number as people read it: 3 3 4 digits ("943 476 5919")."""
    digits = str(value or "").replace(" ", "")
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return str(value or "")


templates.env.filters["nhs_number"] = nhs_number
templates.env.filters["date_words"] = date_words
templates.env.filters["time_words"] = time_words
templates.env.globals["option_label"] = option_label

ROLE_LABELS = {
    "coordinator": "MDT coordinator",
    "clinician": "Clinician",
    "chair": "MDT chair",
    "auditor": "Auditor",
    "admin": "Administrator",
    "prescriber": "Prescriber",
    "pharmacist": "Pharmacist",
    "nurse": "Chemotherapy nurse",
    "alliance_analyst": "Alliance analyst",
}

# Who may do what, mirrored from docs/web-contract.md section 6 so that pages only offer the
# forms a user may submit; the services check again and are the authority.
PERMISSIONS: dict[str, frozenset[str]] = {
    "prepare": frozenset({"coordinator", "chair"}),  # meetings, imports, facts, attendance
    "flag": frozenset({"coordinator", "clinician", "chair"}),
    "decide": frozenset({"chair"}),  # outcomes, confirm standard of care, finalise
    "report": frozenset({"auditor", "admin"}),  # the proof-of-value dashboard
    "alliance": frozenset({"alliance_analyst", "admin"}),  # the alliance's aggregate view
}

ACTION_NEEDS = {
    "prepare": "This needs an MDT coordinator or the chair.",
    "flag": "This needs a coordinator, a clinician or the chair.",
    "decide": "Only the MDT chair can do this.",
    "report": "This needs an auditor or an admin.",
    "alliance": "This needs an alliance analyst or an admin.",
}


def may(user: User | None, action: str) -> bool:
    """Whether the user's role allows an action ("prepare", "flag", "decide", "report",
    "alliance")."""
    return user is not None and user.role in PERMISSIONS[action]


def user_view(user: User | None) -> dict[str, str] | None:
    """What the page frame shows about the signed-in user."""
    if user is None:
        return None
    return {
        "display_name": user.display_name,
        "role": user.role,
        "role_label": ROLE_LABELS.get(user.role, user.role),
        "organisation_name": user.organisation.name,
    }


def render(
    request: Request,
    template: str,
    user: User | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page rendered with the frame's context: the user, the CSRF token, permissions."""
    token = context.pop("csrf_token", None)
    if token is None and user is not None:
        token = csrf_token_for(request)
    base = {
        "user": user_view(user),
        "csrf_token": token or "",
        "may": {action: may(user, action) for action in PERMISSIONS},
    }
    return templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )


def login_redirect(request: Request) -> RedirectResponse:
    """Send a visitor who is not signed in to the sign-in page, coming back here after."""
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return RedirectResponse("/login?next=" + quote(target, safe="/"), status_code=303)


def error_page(
    request: Request, user: User | None, status_code: int, message: str = "",
    heading: str | None = None,
) -> HTMLResponse:
    """The page for 403, 404, 409 and 422 errors, with a plain-English heading."""
    headings = {
        403: "You do not have permission to do this",
        404: "Page not found",
        409: "This record has changed",
        422: "The request could not be accepted",
        429: "Too many attempts",
    }
    if status_code == 404 and not message:
        # The same words whether the thing is missing or belongs to another organisation.
        message = "If you typed the web address, check it is correct."
    return render(
        request,
        "error.html",
        user,
        status_code=status_code,
        heading=heading or headings.get(status_code, "Sorry, there is a problem"),
        message=message,
    )


def forbidden_page(request: Request, user: User, action: str) -> HTMLResponse:
    """The 403 page for a role that may not do an action, saying which role may."""
    return error_page(request, user, 403, ACTION_NEEDS[action])


def service_error_page(request: Request, user: User | None, error: ServiceError) -> Response:
    """A service error as a page: 404 never says whether the thing exists elsewhere."""
    message = "" if error.status == 404 else error.detail
    return error_page(request, user, error.status, message)
