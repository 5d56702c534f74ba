"""Chemotherapy (SACT) pages: courses, prescribing a cycle, the prescription chart with the
pharmacist's verification and release and the nurse's administration record.

Each form posts with the CSRF token like every other page; the workflow actions check roles,
organisation and versions again and are the authority.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openmdt.meetings import documents
from openmdt.sact import workflow
from openmdt.sact.bsa import FORMULAS
from openmdt.sact.protocols import load_protocol, shipped_protocol_ids
from openmdt.sact.reads import course_json, prescription_json
from openmdt.sact.safety import Result
from openmdt.store.errors import InvalidRequest, ServiceError
from openmdt.store.models import User
from openmdt.web.pages_common import (
    PageUser,
    error_page,
    login_redirect,
    render,
    service_error_page,
    templates,
)
from openmdt.web.pages_documents import DOCUMENT_STYLESHEET, content_disposition
from openmdt.web.security import DbSession

router = APIRouter()
SACT_ROLES = frozenset(workflow.READ_ROLES)
NOTICES = {
    "started": "Course started. Prescribe cycle 1 next.",
    "prescribed": "Prescribed. A pharmacist verifies it next.",
    "verified": "Verified. Release it to the aseptic unit next.",
    "released": "Released to the aseptic unit.",
    "administered": "Administration recorded.",
    "recorded": "The dose given elsewhere is recorded and counts in lifetime totals.",
}
DPYD_LABELS = {"normal": "Normal (no variant found)", "partial_deficiency": "Partial deficiency",
               "complete_deficiency": "Complete deficiency", "unknown": "Not known yet"}
RESULT_FIELDS = (("neutrophils", "Neutrophils", "x10^9/L"),
                 ("platelets", "Platelets", "x10^9/L"),
                 ("bilirubin", "Bilirubin", "umol/L"),
                 ("creatinine", "Creatinine", "umol/L"))


def long_date(value: object) -> str:
    """A date as people read it: 16 June 1971."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return "" if value is None else str(value)


def sentence(text: str) -> str:
    """A check's words as a sentence: its first letter a capital."""
    return text[:1].upper() + text[1:]


templates.env.filters["long_date"] = long_date
templates.env.filters["sentence"] = sentence


def _names(db: Any, ids: set[int | None]) -> dict[int, str]:
    users = [db.get(User, i) for i in ids if i]
    return {u.id: u.display_name for u in users if u is not None}


def _people_of(db: Any, row: Any) -> dict[int, str]:
    """The names of everyone who signed a step or an override of a prescription."""
    return _names(db, {row.prescribed_by_id, row.verified_by_id, row.released_by_id,
                       row.administered_by_id}
                  | {o.get("acknowledged_by") for o in row.overrides.values()}
                  | {o.get("by") for o in row.overrides.values()})


def _guard(request: Request, user: User | None) -> Response | None:
    if user is None:
        return login_redirect(request)
    if user.role not in SACT_ROLES:
        return error_page(request, user, 403, "This needs a prescriber, a pharmacist or a "
                          "chemotherapy nurse.")
    return None


@router.get("/sact", response_class=HTMLResponse)
def courses_page(request: Request, db: DbSession, user: PageUser, done: str = "") -> Response:
    """The organisation's chemotherapy courses and, for prescribers, the form to start one."""
    if (stop := _guard(request, user)) is not None:
        return stop
    assert user is not None
    return _courses(request, db, user, form={}, errors=[], notice=NOTICES.get(done, ""))


def _courses(request: Request, db: Any, user: User, *, form: dict[str, str],
             errors: list[dict[str, str]], notice: str = "", status_code: int = 200
             ) -> HTMLResponse:
    courses = [course_json(c, with_cycles=False) for c in workflow.courses_of(db, user)]
    protocols = {p: load_protocol(p).title for p in shipped_protocol_ids()}
    return render(request, "sact_courses.html", user, status_code=status_code,
                  courses=courses, protocols=protocols, dpyd=DPYD_LABELS, form=form,
                  errors=errors, notice=notice, can_prescribe=user.role == "prescriber")


def _decimal(value: str, field: str, label: str, errors: list[dict[str, str]]
             ) -> Decimal | None:
    try:
        number = Decimal(value.strip())
    except (InvalidOperation, ValueError):
        errors.append({"field": field, "message": f"Enter {label} as a number"})
        return None
    if not number.is_finite():
        errors.append({"field": field, "message": f"Enter {label} as a number"})
        return None
    return number


def _date(value: str, field: str, label: str, errors: list[dict[str, str]]) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors.append({"field": field, "message": f"Enter {label}, for example 2026-12-07"})
        return None


@router.post("/sact/courses", response_class=HTMLResponse)
async def start_course(request: Request, db: DbSession, user: PageUser) -> Response:
    """Start a course from the form."""
    if (stop := _guard(request, user)) is not None:
        return stop
    assert user is not None
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}
    errors: list[dict[str, str]] = []
    height = _decimal(form.get("height_cm", ""), "height_cm", "the height in cm", errors)
    born = _date(form.get("birth_date", ""), "birth_date", "the date of birth", errors)
    case_text = form.get("meeting_case_id", "").strip()
    if case_text and not case_text.isdigit():
        errors.append({"field": "meeting_case_id", "message": "Enter the MDT case number"})
    if errors or height is None or born is None:
        return _courses(request, db, user, form=form, errors=errors, status_code=422)
    course = workflow.CourseIn(
        nhs_number=form.get("nhs_number", ""), patient_name=form.get("patient_name", ""),
        birth_date=born, sex=form.get("sex", ""), height_cm=height,
        protocol_id=form.get("protocol_id", ""), dpyd_status=form.get("dpyd_status", ""),
        chest_radiotherapy=form.get("chest_radiotherapy") == "yes",
        meeting_case_id=int(case_text) if case_text else None)
    try:
        row = workflow.start_course(db, course, acting_user=user)
    except ServiceError as error:
        field = error.extra.get("field", "nhs_number")
        return _courses(request, db, user, form=form, status_code=error.status,
                        errors=[{"field": str(field), "message": error.detail}])
    return RedirectResponse(f"/sact/courses/{row.id}?done=started", status_code=303)


@router.get("/sact/courses/{course_id}", response_class=HTMLResponse)
def course_page(course_id: int, request: Request, db: DbSession, user: PageUser,
                done: str = "") -> Response:
    """A course: the patient, the protocol, its cycles and the form for the next cycle."""
    if (stop := _guard(request, user)) is not None:
        return stop
    assert user is not None
    try:
        return _course(request, db, user, course_id, form={}, errors=[], blocked=[],
                       notice=NOTICES.get(done, ""))
    except ServiceError as error:
        return service_error_page(request, user, error)


def _course(request: Request, db: Any, user: User, course_id: int, *, form: dict[str, str],
            errors: list[dict[str, str]], blocked: list[dict[str, Any]], notice: str = "",
            status_code: int = 200) -> HTMLResponse:
    course = workflow.course_for(db, course_id, user)
    view = course_json(course)
    protocol = load_protocol(course.protocol_id)
    pending = [c for c in view["cycles"] if c["status"] != "administered"]
    return render(request, "sact_course.html", user, status_code=status_code, course=view,
                  protocol=protocol, form=form, errors=errors, blocked=blocked,
                  notice=notice, result_fields=RESULT_FIELDS, formulas=list(FORMULAS),
                  dpyd=DPYD_LABELS,
                  can_prescribe=(user.role == "prescriber" and not pending
                                 and course.status == "active"),
                  can_record=user.role in ("prescriber", "pharmacist"))


def _results(form: dict[str, str], errors: list[dict[str, str]]) -> tuple[Result, ...]:
    taken = _date(form.get("results_date", ""), "results_date", "the date the blood was taken",
                  errors)
    found = []
    for name, label, unit in RESULT_FIELDS:
        text = form.get(name, "").strip()
        if not text:
            continue  # a missing result is the protocol's to refuse, with its reason
        value = _decimal(text, name, label.lower(), errors)
        uln = None
        if name == "bilirubin" and form.get("bilirubin_uln", "").strip():
            uln = _decimal(form["bilirubin_uln"], "bilirubin_uln",
                           "the bilirubin upper limit of normal", errors)
        if value is not None and taken is not None:
            found.append(Result(name, value, unit, taken, uln))
    return tuple(found)


@router.post("/sact/courses/{course_id}/cycles", response_class=HTMLResponse)
async def prescribe(course_id: int, request: Request, db: DbSession, user: PageUser
                    ) -> Response:
    """Prescribe the next cycle; a blocked prescription comes back with every reason."""
    if (stop := _guard(request, user)) is not None:
        return stop
    assert user is not None
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}
    errors: list[dict[str, str]] = []
    day = _date(form.get("treatment_date", ""), "treatment_date", "the treatment date", errors)
    weight = _decimal(form.get("weight_kg", ""), "weight_kg", "today's weight in kg", errors)
    results = _results(form, errors)
    overrides = {k.removeprefix("override_"): v for k, v in form.items()
                 if k.startswith("override_") and v.strip()}
    try:
        if errors or day is None or weight is None:
            return _course(request, db, user, course_id, form=form, errors=errors, blocked=[],
                           status_code=422)
        cycle = workflow.CycleIn(day, weight, results, overrides=overrides,
                                 bsa_formula=form.get("bsa_formula", "mosteller"))
        row = workflow.prescribe_cycle(db, course_id, cycle, acting_user=user)
    except workflow.PrescriptionBlocked as blocked:
        checks = [c.to_json() for c in blocked.checks]
        errors = [{"field": f"override_{c['code']}" if c["outcome"] == "override" else "",
                   "message": sentence(c["message"])} for c in checks]
        return _course(request, db, user, course_id, form=form, errors=errors,
                       blocked=checks, status_code=422)
    except ServiceError as error:
        if error.status == 404:
            return service_error_page(request, user, error)
        return _course(request, db, user, course_id, form=form, blocked=[],
                       status_code=error.status,
                       errors=[{"field": "", "message": error.detail}])
    return RedirectResponse(f"/sact/prescriptions/{row.id}?done=prescribed", status_code=303)


@router.post("/sact/courses/{course_id}/doses-given", response_class=HTMLResponse)
async def dose_elsewhere(course_id: int, request: Request, db: DbSession, user: PageUser
                         ) -> Response:
    """Record a dose given elsewhere for this course's patient."""
    if (stop := _guard(request, user)) is not None:
        return stop
    assert user is not None
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}
    errors: list[dict[str, str]] = []
    amount = _decimal(form.get("amount", ""), "amount", "the amount in mg", errors)
    per_m2 = _decimal(form.get("mg_per_m2", ""), "mg_per_m2", "the dose in mg/m2", errors)
    given_on = _date(form.get("given_on", ""), "given_on", "the date it was given", errors)
    try:
        course = workflow.course_for(db, course_id, user)
        if errors or amount is None or given_on is None:
            return _course(request, db, user, course_id, form=form, errors=errors, blocked=[],
                           status_code=422)
        workflow.record_dose_elsewhere(db, acting_user=user, nhs_number=course.nhs_number,
                                       drug=form.get("drug", ""), amount=amount, unit="mg",
                                       mg_per_m2=per_m2, given_on=given_on,
                                       note=form.get("note") or None)
    except ServiceError as error:
        if error.status == 404:
            return service_error_page(request, user, error)
        return _course(request, db, user, course_id, form=form, blocked=[],
                       status_code=error.status, errors=[{"field": "", "message": error.detail}])
    return RedirectResponse(f"/sact/courses/{course_id}?done=recorded", status_code=303)


@router.get("/sact/prescriptions/{prescription_id}", response_class=HTMLResponse)
def prescription_page(prescription_id: int, request: Request, db: DbSession, user: PageUser,
                      done: str = "") -> Response:
    """The prescription chart: doses side by side, checks, overrides, and the next step."""
    if (stop := _guard(request, user)) is not None:
        return stop
    assert user is not None
    try:
        return _chart(request, db, user, prescription_id, errors=[],
                      notice=NOTICES.get(done, ""))
    except ServiceError as error:
        return service_error_page(request, user, error)


def _chart(request: Request, db: Any, user: User, prescription_id: int, *,
           errors: list[dict[str, str]], notice: str = "", status_code: int = 200
           ) -> HTMLResponse:
    row = workflow.prescription_for(db, prescription_id, user)
    view = prescription_json(row)
    course = course_json(row.course, with_cycles=False)
    people = _people_of(db, row)
    earlier = [prescription_json(other) for other in row.course.prescriptions
               if other.cycle_number < row.cycle_number]
    return render(request, "sact_prescription.html", user, status_code=status_code, p=view,
                  earlier=earlier,
                  course=course, people=people, errors=errors, notice=notice,
                  checklist=workflow.CHECKLIST, role=user.role,
                  second=[code for code, o in row.overrides.items() if o["second_person"]])


def _chart_document(request: Request, db: Any, user: User | None, prescription_id: int,
                    pdf: bool) -> Response:
    if (stop := _guard(request, user)) is not None:
        return stop
    assert user is not None
    try:
        row = workflow.prescription_for(db, prescription_id, user)
    except ServiceError as error:
        return service_error_page(request, user, error)
    view = prescription_json(row)
    links = () if pdf else (("Back to the prescription", f"/sact/prescriptions/{row.id}"),
                            ("PDF", f"/sact/prescriptions/{row.id}/chart.pdf"))
    html = documents.render_document(
        "sact_chart.html", stylesheet_href=None if pdf else DOCUMENT_STYLESHEET, links=links,
        p=view, course=course_json(row.course, with_cycles=False),
        organisation=user.organisation.name, born=long_date(row.course.birth_date),
        treatment_day=long_date(row.treatment_date), people=_people_of(db, row),
        signatures=_signatures(row, _people_of(db, row)))
    name = f"sact-chart-{row.course_id}-cycle-{row.cycle_number}"
    if pdf:
        return Response(documents.html_to_pdf(html), media_type="application/pdf",
                        headers={"Content-Disposition": content_disposition(f"{name}.pdf")})
    return HTMLResponse(html)


def _signatures(row: Any, people: dict[int, str]) -> list[tuple[str, str]]:
    """Who signed each step and when, as people read it: '5 December 2026 07:36 UTC'."""
    steps = (("Prescribed", row.prescribed_by_id, row.prescribed_at),
             ("Verified", row.verified_by_id, row.verified_at),
             ("Released", row.released_by_id, row.released_at),
             ("Administered", row.administered_by_id, row.administered_at))
    return [(label, f"{people.get(who, 'unknown')}, {long_date(at)} {at:%H:%M} UTC"
             if who and at else "Not yet") for label, who, at in steps]


@router.get("/sact/prescriptions/{prescription_id}/chart", response_class=HTMLResponse)
def chart_html(prescription_id: int, request: Request, db: DbSession, user: PageUser
               ) -> Response:
    """The printable prescription chart."""
    return _chart_document(request, db, user, prescription_id, pdf=False)


@router.get("/sact/prescriptions/{prescription_id}/chart.pdf")
def chart_pdf(prescription_id: int, request: Request, db: DbSession, user: PageUser
              ) -> Response:
    """The prescription chart as PDF."""
    return _chart_document(request, db, user, prescription_id, pdf=True)


async def _step(request: Request, db: Any, user: User | None, prescription_id: int,
                run: Any, done: str) -> Response:
    if (stop := _guard(request, user)) is not None:
        return stop
    assert user is not None
    form = await request.form()
    try:
        version = int(str(form.get("version", "")))
    except ValueError:
        version = None  # type: ignore[assignment]
    try:
        run(form, version)
    except ServiceError as error:
        if error.status == 404:
            return service_error_page(request, user, error)
        return _chart(request, db, user, prescription_id, status_code=error.status,
                      errors=[{"field": str(error.extra.get("field", "")),
                               "message": error.detail}])
    return RedirectResponse(f"/sact/prescriptions/{prescription_id}?done={done}",
                            status_code=303)


@router.post("/sact/prescriptions/{prescription_id}/verify", response_class=HTMLResponse)
async def verify(prescription_id: int, request: Request, db: DbSession, user: PageUser
                 ) -> Response:
    """Pharmacist verification with the checklist and acknowledgements."""
    def run(form: Any, version: int | None) -> None:
        workflow.verify_prescription(
            db, prescription_id, acting_user=user, version=version,
            checklist={item: form.get(f"check_{item}") == "yes" for item in workflow.CHECKLIST},
            acknowledged=[str(v) for v in form.getlist("acknowledged")])
    return await _step(request, db, user, prescription_id, run, "verified")


@router.post("/sact/prescriptions/{prescription_id}/release", response_class=HTMLResponse)
async def release(prescription_id: int, request: Request, db: DbSession, user: PageUser
                  ) -> Response:
    """Release a verified prescription."""
    def run(_form: Any, version: int | None) -> None:
        workflow.release_prescription(db, prescription_id, acting_user=user, version=version)
    return await _step(request, db, user, prescription_id, run, "released")


@router.post("/sact/prescriptions/{prescription_id}/administer", response_class=HTMLResponse)
async def administer(prescription_id: int, request: Request, db: DbSession, user: PageUser
                     ) -> Response:
    """Record the administration: batch, start time and pump rate per drug line."""
    def run(form: Any, version: int | None) -> None:
        given = []
        for index, drug in enumerate(form.getlist("drug")):
            rate = str(form.get(f"pump_rate_{index}", "")).strip()
            started = str(form.get(f"started_{index}", "")).strip()
            try:
                when = datetime.fromisoformat(started).replace(tzinfo=UTC)
                pump = Decimal(rate) if rate else None
            except (ValueError, InvalidOperation):
                raise InvalidRequest(
                    f"Line {index + 1} ({drug}): enter the start time and the pump rate as "
                    "numbers.", code="invalid_administration") from None
            given.append(workflow.GivenIn(str(drug), str(form.get(f"batch_{index}", "")),
                                          when, pump))
        workflow.administer_prescription(db, prescription_id, given, acting_user=user,
                                         version=version)
    return await _step(request, db, user, prescription_id, run, "administered")
