"""The audit page for auditors and admins (/audit, /audit.csv), and the logging of reads of
patient records by the pages (who viewed which case or meeting list).

The JSON audit trail with chain verification stays at GET /api/v1/audit.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from openmdt import meetings as service
from openmdt.meetings import audit_trail
from openmdt.meetings.access import AUDIT_ROLES, MAX_ID
from openmdt.store.errors import PermissionDenied, ServiceError
from openmdt.store.models import User
from openmdt.web.pages_common import PageUser, login_redirect, render, service_error_page
from openmdt.web.pages_documents import content_disposition
from openmdt.web.security import DbSession

router = APIRouter()


def log_case_read(db: Any, user: User, case_id: int, what: str) -> None:
    """Log that the user opened a patient's record; nothing when the case is not theirs
    (the page itself answers 404)."""
    try:
        case = service.get_case(db, case_id, user=user)
    except ServiceError:
        return
    audit_trail.record_case_read(db, case, acting_user=user, what=what)


def log_meeting_read(db: Any, user: User, meeting_id: int, what: str) -> None:
    """Log that the user opened a meeting's list of patients."""
    try:
        meeting = service.get_meeting(db, meeting_id, user=user)
    except ServiceError:
        return
    audit_trail.record_meeting_read(db, meeting, acting_user=user, what=what)


def _filters(case: str, user: str, action: str) -> audit_trail.AuditFilter:
    """The filter from the form's query (a user id that is not a number is no filter)."""
    user_id = int(user) if user.strip().isdigit() and int(user) <= MAX_ID else None
    return audit_trail.AuditFilter(case.strip() or None, user_id, action.strip() or None)


def _denied(request: Request, user: User) -> Response:
    return service_error_page(request, user, PermissionDenied(
        "The audit trail is for auditors and administrators.",
        required_roles=list(AUDIT_ROLES)))


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, db: DbSession, user: PageUser, case: str = "",
               who: str = "", action: str = "") -> Response:
    """Who did what and when in the organisation, newest first, with filters."""
    if user is None:
        return login_redirect(request)
    if user.role not in AUDIT_ROLES:
        return _denied(request, user)
    filters = _filters(case, who, action)
    lines = audit_trail.audit_lines(db, user=user, filters=filters)
    return render(
        request, "audit.html", user, lines=lines, filters=filters,
        users=audit_trail.audit_users(db, user=user),
        actions=audit_trail.audit_actions(db, user=user),
        limit=audit_trail.MAX_LINES_SHOWN, query=request.url.query,
    )


@router.get("/audit.csv")
def audit_csv(request: Request, db: DbSession, user: PageUser, case: str = "",
              who: str = "", action: str = "") -> Response:
    """The filtered audit trail as CSV (newest first)."""
    if user is None:
        return login_redirect(request)
    if user.role not in AUDIT_ROLES:
        return _denied(request, user)
    lines = audit_trail.audit_lines(db, user=user, filters=_filters(case, who, action),
                                    limit=audit_trail.MAX_LINES_EXPORTED)
    return Response(audit_trail.audit_csv(lines), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": content_disposition("audit-trail.csv")
                             .replace("inline", "attachment")})
