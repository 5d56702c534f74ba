"""Views of a meeting for use in the room: one page per patient for printing, and the chair's
one-case-at-a-time view for projection."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from openmdt.store.errors import ServiceError
from openmdt.web.pages_agenda import agenda_view
from openmdt.web.pages_common import PageUser, login_redirect, render, service_error_page
from openmdt.web.security import DbSession

router = APIRouter()


@router.get("/meetings/{meeting_id}/print", response_class=HTMLResponse)
def patients_print(meeting_id: int, request: Request, db: DbSession,
                   user: PageUser) -> Response:
    """The agenda as one page per patient, in agenda order (filtered as the agenda was)."""
    if user is None:
        return login_redirect(request)
    try:
        view = agenda_view(db, meeting_id, user, dict(request.query_params))
    except ServiceError as error:
        return service_error_page(request, user, error)
    return render(request, "agenda_print.html", user, agenda=view)
