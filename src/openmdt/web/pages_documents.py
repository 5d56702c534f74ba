"""Printable documents as pages: outcome form, GP letter and meeting summary (HTML and PDF)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from openmdt import meetings as service
from openmdt.cases.patient_details import address_lines
from openmdt.meetings import audit_trail, documents
from openmdt.meetings.codes import (
    CARE_PLAN_INTENTS,
    DEVIATION_REASONS,
    PLANNED_TREATMENT_TYPES,
    PROFESSIONAL_ROLES,
)
from openmdt.meetings.letters import CareTeam, PlanLine, gp_next_steps, patient_next_steps
from openmdt.meetings.quoracy import ATTENDANCE_STATUSES
from openmdt.store.errors import ServiceError
from openmdt.store.models import MeetingCase, User
from openmdt.web.pages_agenda import agenda_view, mdt_type_label
from openmdt.web.pages_case_view import case_page
from openmdt.web.pages_common import PageUser, error_page, login_redirect, service_error_page
from openmdt.web.pages_views import format_fact, humanise, option_label
from openmdt.web.security import DbSession

router = APIRouter()

DOCUMENT_STYLESHEET = "/static/document.css"


def _code_label(code: str | None, labels: dict[str, str]) -> str:
    if not code:
        return "Not recorded"
    return f"{code} - {labels.get(code, 'unknown code')}"


def _date_of_birth(patient: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(str(patient.get("date_of_birth")))
    except ValueError:
        return None


def _recorder_name(db: Any, user_id: int) -> str:
    recorder = db.get(User, user_id)
    return recorder.display_name if recorder is not None else "the MDT chair"


def outcome_document(db: Any, case: MeetingCase,
                     organisation: str) -> documents.OutcomeDocument | None:
    """The outcome form / GP letter content for a case with an outcome (None without one)."""
    outcome = case.current_outcome
    if outcome is None:
        return None
    page = case_page(case)
    titles = page.evaluation.option_titles()
    patient = page.patient
    facts = _letter_facts(page.items, case.current_facts)
    team = CareTeam(_text(patient, "consultant"), _text(patient, "key_worker"))
    plan = _plan(page, outcome.chosen_options)
    missing = [r.label for r in page.evaluation.triage.data_requests]
    return documents.OutcomeDocument(
        organisation=organisation,
        meeting_date=case.meeting.meeting_date,
        meeting_type=mdt_type_label(case.meeting.mdt_type),
        meeting_site=case.meeting.site_code,
        case_id=case.case_ref,
        patient_name=str(patient.get("name") or "Name not given"),
        nhs_number=str(patient.get("nhs_number") or "Not given"),
        date_of_birth=_date_of_birth(patient),
        route=case.route or "",
        chosen_options=[option_label(titles, o) for o in outcome.chosen_options],
        care_plan_intent=_code_label(outcome.care_plan_intent, CARE_PLAN_INTENTS),
        planned_treatments=[_code_label(t, PLANNED_TREATMENT_TYPES)
                            for t in outcome.planned_treatment_types],
        rationale=outcome.rationale,
        recorded_by=_recorder_name(db, outcome.recorded_by_id),
        recorded_at=outcome.recorded_at,
        outcome_version=outcome.version,
        recommended_options=[option_label(titles, o) for o in outcome.recommended_options],
        deviation_reason=DEVIATION_REASONS.get(outcome.deviation_code or "",
                                               outcome.deviation_code),
        deviation_text=outcome.deviation_text,
        key_facts=facts,
        derived_facts=[documents.FactLine(d.label, d.value)
                       for d in page.evaluation.derived if d.for_letters],
        guideline=page.pack_reference,
        gp_name=_text(patient, "gp_name"),
        gp_practice=_text(patient, "gp_practice"),
        gp_practice_code=_text(patient, "gp_practice_code"),
        gp_address=address_lines(patient.get("gp_practice_address")),
        hospital_number=_text(patient, "hospital_number"),
        consultant=team.consultant,
        key_worker=team.key_worker,
        plan=plan,
        next_steps=gp_next_steps(plan, team, missing),
        patient_steps=patient_next_steps(team),
    )


def _text(patient: Mapping[str, Any], key: str) -> str | None:
    value = patient.get(key)
    return str(value).strip() or None if value is not None else None


def _plan(page: Any, chosen: Sequence[str]) -> list[PlanLine]:
    """The chosen options (``decision_id/option_id``) with their decisions' titles."""
    options = {option.id: option for option in page.options}
    titles = page.evaluation.option_titles()
    return [PlanLine(option_label(titles, ref),
                     options[ref].decision_title if ref in options else "")
            for ref in chosen]


def _letter_facts(items: Mapping[str, Any], facts: Mapping[str, Any]) -> list[documents.FactLine]:
    """The known facts triage uses (the pack's minimum data set), for documents."""
    return [
        documents.FactLine(str(item.label or humanise(name)), format_fact(item, facts[name]))
        for name, item in items.items()
        if (item.triage_always or item.triage_when is not None)
        and facts.get(name) not in (None, "")
    ]


def content_disposition(filename: str) -> str:
    """An inline Content-Disposition for `filename` (RFC 6266): an ASCII fallback name with
    anything but letters, digits, `.`, `_` and `-` replaced, and the exact name as UTF-8 in
    `filename*`, so a case reference with accents, quotes or line breaks is safe."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename) or "document"
    encoded = quote(filename, safe="")
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _document_response(html: str, *, pdf: bool, filename: str) -> Response:
    if pdf:
        return Response(
            documents.html_to_pdf(html), media_type="application/pdf",
            headers={"Content-Disposition": content_disposition(f"{filename}.pdf")},
        )
    return HTMLResponse(html)


def _case_document(request: Request, db: Any, user: User | None, case_id: int,
                   kind: str, pdf: bool) -> Response:
    if user is None:
        return login_redirect(request)
    try:
        case = service.get_case(db, case_id, user=user)
    except ServiceError as error:
        return service_error_page(request, user, error)
    audit_trail.record_case_read(db, case, acting_user=user, what=DOCUMENT_NAMES[kind])
    document = outcome_document(db, case, user.organisation.name)
    if document is None:
        return error_page(request, user, 409, "Record the MDT outcome first, on the case page.",
                          heading="No outcome has been recorded for this patient yet")
    render = RENDERERS[kind]
    if pdf:
        html = render(document)
    else:
        html = render(document, stylesheet_href=DOCUMENT_STYLESHEET,
                      links=[("Back to the case", f"/cases/{case_id}"),
                             ("PDF", f"/cases/{case_id}/{kind}.pdf")])
    return _document_response(html, pdf=pdf, filename=f"{kind}-{case.case_ref}")


DOCUMENT_NAMES = {"gp-letter": "GP letter", "patient-letter": "Patient copy",
                  "outcome-form": "Outcome form"}
RENDERERS = {
    "gp-letter": documents.render_gp_letter,
    "patient-letter": documents.render_patient_letter,
    "outcome-form": documents.render_outcome_form,
}


@router.get("/cases/{case_id}/outcome-form", response_class=HTMLResponse)
def outcome_form_html(case_id: int, request: Request, db: DbSession,
                      user: PageUser) -> Response:
    """The printable MDT outcome form."""
    return _case_document(request, db, user, case_id, "outcome-form", pdf=False)


@router.get("/cases/{case_id}/outcome-form.pdf")
def outcome_form_pdf(case_id: int, request: Request, db: DbSession,
                     user: PageUser) -> Response:
    """The MDT outcome form as PDF."""
    return _case_document(request, db, user, case_id, "outcome-form", pdf=True)


@router.get("/cases/{case_id}/gp-letter", response_class=HTMLResponse)
def gp_letter_html(case_id: int, request: Request, db: DbSession,
                   user: PageUser) -> Response:
    """The printable letter to the GP."""
    return _case_document(request, db, user, case_id, "gp-letter", pdf=False)


@router.get("/cases/{case_id}/gp-letter.pdf")
def gp_letter_pdf(case_id: int, request: Request, db: DbSession,
                  user: PageUser) -> Response:
    """The letter to the GP as PDF."""
    return _case_document(request, db, user, case_id, "gp-letter", pdf=True)


@router.get("/cases/{case_id}/patient-letter", response_class=HTMLResponse)
def patient_letter_html(case_id: int, request: Request, db: DbSession,
                        user: PageUser) -> Response:
    """The patient's own copy of the outcome, in plain language."""
    return _case_document(request, db, user, case_id, "patient-letter", pdf=False)


@router.get("/cases/{case_id}/patient-letter.pdf")
def patient_letter_pdf(case_id: int, request: Request, db: DbSession,
                       user: PageUser) -> Response:
    """The patient's copy as PDF."""
    return _case_document(request, db, user, case_id, "patient-letter", pdf=True)


def meeting_document(db: Any, meeting_id: int, user: User,
                     now: datetime | None = None) -> documents.MeetingSummaryDocument:
    """The meeting summary content, from the same stored data as the agenda."""
    agenda = agenda_view(db, meeting_id, user)
    meeting = agenda.meeting
    rows = [documents.SummaryRow(row.case_ref, row.patient_name, row.nhs_number,
                                 row.route or "", row.outcome or "No outcome recorded",
                                 row.deviation, agenda_number=number)
            for number, row in enumerate(agenda.in_order, 1)]
    attendance = [documents.AttendanceLine(a.name, PROFESSIONAL_ROLES.get(
        a.professional_role, a.professional_role), a.present,
        ATTENDANCE_STATUSES[a.attendance_status]) for a in agenda.attendance]
    return documents.MeetingSummaryDocument(
        organisation=user.organisation.name, meeting_date=meeting.meeting_date,
        meeting_type=agenda.mdt_type, meeting_site=meeting.site_code, status=meeting.status,
        rows=rows, attendance=attendance, quorate=agenda.quorate,
        quoracy_note=("missing " + ", ".join(agenda.missing_roles)) if agenda.missing_roles
        else "", estimated_minutes=agenda.estimated_minutes, guideline=agenda.pack_title,
        generated_at=now, counts=dict(agenda.counts),
    )


def _summary(request: Request, db: Any, user: User | None, meeting_id: int,
             pdf: bool) -> Response:
    if user is None:
        return login_redirect(request)
    try:
        document = meeting_document(db, meeting_id, user)
    except ServiceError as error:
        return service_error_page(request, user, error)
    audit_trail.record_meeting_read(db, service.get_meeting(db, meeting_id, user=user),
                                    acting_user=user, what="Meeting summary")
    if pdf:
        html = documents.render_meeting_summary(document)
    else:
        html = documents.render_meeting_summary(
            document, stylesheet_href=DOCUMENT_STYLESHEET,
            links=[("Back to the agenda", f"/meetings/{meeting_id}"),
                   ("PDF", f"/meetings/{meeting_id}/summary.pdf")])
    return _document_response(html, pdf=pdf, filename=f"meeting-summary-{meeting_id}")


@router.get("/meetings/{meeting_id}/summary", response_class=HTMLResponse)
def meeting_summary_html(meeting_id: int, request: Request, db: DbSession,
                         user: PageUser) -> Response:
    """The printable meeting summary."""
    return _summary(request, db, user, meeting_id, pdf=False)


@router.get("/meetings/{meeting_id}/summary.pdf")
def meeting_summary_pdf(meeting_id: int, request: Request, db: DbSession,
                        user: PageUser) -> Response:
    """The meeting summary as PDF."""
    return _summary(request, db, user, meeting_id, pdf=True)
