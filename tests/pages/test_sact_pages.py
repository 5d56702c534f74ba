"""The chemotherapy pages: roles, CSRF, tenancy, blocked prescriptions with their reasons."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from page_helpers import PASSWORD, Browser, csrf_of

from openmdt.accounts import create_user, get_or_create_organisation
from openmdt.web.app import create_app

STAFF = {"prescriber": ("rx@north.example", "North Trust", "prescriber"),
         "pharmacist": ("ph@north.example", "North Trust", "pharmacist"),
         "nurse": ("rn@north.example", "North Trust", "nurse"),
         "coordinator": ("co@north.example", "North Trust", "coordinator"),
         "admin": ("ad@north.example", "North Trust", "admin"),
         "other": ("rx@south.example", "South Trust", "prescriber")}
COURSE = {"patient_name": "Ada Testpatient", "nhs_number": "943 476 5919",
          "birth_date": "1961-06-16", "sex": "female", "height_cm": "165",
          "protocol_id": "ac-breast", "dpyd_status": "normal", "meeting_case_id": ""}
CYCLE = {"treatment_date": "2026-12-07", "weight_kg": "70", "bsa_formula": "mosteller",
         "results_date": "2026-12-06", "neutrophils": "3.1", "platelets": "240",
         "bilirubin": "9", "creatinine": "75", "bilirubin_uln": ""}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> object:
    path: Path = tmp_path_factory.mktemp("sact-pages") / "openmdt.db"
    application = create_app(f"sqlite:///{path}", secret_key="page-tests")
    with application.state.openmdt.sessions() as db:
        for email, organisation_name, role in STAFF.values():
            organisation = get_or_create_organisation(db, organisation_name)
            create_user(db, organisation=organisation, email=email, role=role,
                        password=PASSWORD, display_name=f"Test {role}")
        db.commit()
    return application


def _sign_in(app: object, who: str) -> Browser:
    client = TestClient(app)
    page = client.get("/login")
    response = client.post("/login", data={"email": STAFF[who][0], "password": PASSWORD,
                                           "csrf_token": csrf_of(page.text)},
                           follow_redirects=False)
    assert response.status_code == 303
    home = client.get(response.headers["location"])
    return Browser(client, csrf_of(home.text))


def test_sact_staff_land_on_the_courses_page(app: object) -> None:
    client = TestClient(app)
    page = client.get("/login")
    response = client.post("/login", data={"email": STAFF["nurse"][0], "password": PASSWORD,
                                           "csrf_token": csrf_of(page.text)},
                           follow_redirects=False)
    assert response.headers["location"] == "/sact"


def test_other_roles_are_refused(app: object) -> None:
    coordinator = _sign_in(app, "coordinator")
    page = coordinator.client.get("/sact")
    assert page.status_code == 403
    assert "needs a prescriber, a pharmacist or a chemotherapy nurse" in page.text


def test_forms_need_the_csrf_token(app: object) -> None:
    prescriber = _sign_in(app, "prescriber")
    response = prescriber.client.post("/sact/courses", data=COURSE, follow_redirects=False)
    assert response.status_code == 403


def test_bad_input_is_named_in_the_error_summary(app: object) -> None:
    prescriber = _sign_in(app, "prescriber")
    page = prescriber.post("/sact/courses", COURSE | {"nhs_number": "1234567890"})
    assert page.status_code == 422
    assert "nhs_number &#39;1234567890&#39; is not a valid NHS number" in page.text
    assert 'id="error-summary"' in page.text


def test_prescribe_blocked_then_overridden_and_other_trusts_see_nothing(app: object) -> None:
    prescriber = _sign_in(app, "prescriber")
    started = prescriber.post("/sact/courses", COURSE)
    assert started.status_code == 303
    course_url = started.headers["location"].split("?")[0]
    course = prescriber.client.get(course_url)
    assert "born 16 June 1961" in course.text and "NHS 943 476 5919" in course.text
    blocked = prescriber.post(f"{course_url}/cycles", CYCLE)
    assert blocked.status_code == 422
    assert "The prescription is blocked" in blocked.text
    assert 'name="override_indication_not_chosen"' in blocked.text
    low = prescriber.post(f"{course_url}/cycles", CYCLE | {"neutrophils": "0.7"})
    assert "Hard stop:</strong> Neutrophils 0.7 x10^9/L is below 1.0 x10^9/L: hold AC" in \
        low.text
    done = prescriber.post(f"{course_url}/cycles", CYCLE | {
        "override_indication_not_chosen": "Breast MDT 1 December agreed AC"})
    assert done.status_code == 303
    chart_url = done.headers["location"].split("?")[0]
    chart = prescriber.client.get(chart_url)
    assert "107.47 mg" in chart.text and "Breast MDT 1 December agreed AC" in chart.text
    assert 'action="' + chart_url + '/verify' not in chart.text  # not for a prescriber
    pharmacist = _sign_in(app, "pharmacist")
    assert f'action="{chart_url}/verify' in pharmacist.client.get(chart_url).text
    other = _sign_in(app, "other")
    assert other.client.get(chart_url).status_code == 404
    assert other.client.get(course_url).status_code == 404
    assert not re.search("Ada Testpatient", other.client.get("/sact").text)
    refused = other.post(f"{course_url}/cycles", CYCLE)
    assert refused.status_code == 404


def test_the_prescription_chart_prints_as_html_and_pdf(app: object) -> None:
    prescriber = _sign_in(app, "prescriber")
    started = prescriber.post("/sact/courses", COURSE | {"nhs_number": "999 000 0018",
                                                         "protocol_id": "paclitaxel-weekly-breast"})
    course_url = started.headers["location"].split("?")[0]
    done = prescriber.post(f"{course_url}/cycles", CYCLE | {
        "bilirubin_uln": "21", "override_indication_not_chosen": "Breast MDT agreed"})
    assert done.status_code == 303, done.text
    chart_url = done.headers["location"].split("?")[0] + "/chart"
    html = prescriber.client.get(chart_url)
    # by hand: sqrt(165 x 70 / 3600) = 1.79118; 80 x 1.79118 = 143.29 mg, band 144 mg (+0.5%)
    assert "143.29 mg" in html.text and "144 (0.5%; nhse-6mg-ml-single-container v2)" in \
        html.text
    assert "16 June 1961" in html.text and "Breast MDT agreed" in html.text
    pdf = prescriber.client.get(chart_url + ".pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    Path("/tmp/openmdt-sact-chart.pdf").write_bytes(pdf.content)
    other = _sign_in(app, "other")
    assert other.client.get(chart_url).status_code == 404
    assert other.client.get(chart_url + ".pdf").status_code == 404


def test_the_chart_of_a_later_cycle_shows_the_earlier_ones(app: object) -> None:
    from datetime import UTC, date, datetime
    from decimal import Decimal as D

    from sqlalchemy import select

    from openmdt.sact import workflow
    from openmdt.sact.safety import Result
    from openmdt.store.models import User

    def bloods(day: date) -> tuple[Result, ...]:
        return (Result("neutrophils", D(3), "x10^9/L", day),
                Result("platelets", D(250), "x10^9/L", day),
                Result("bilirubin", D(9), "umol/L", day, D(21)))

    with app.state.openmdt.sessions() as db:  # type: ignore[attr-defined]
        people = {u.role: u for u in db.scalars(select(User)) if u.email.endswith("north.example")}
        workflow.set_verifier_level(db, people["pharmacist"].id, "2c",
                                    acting_user=people["admin"])
        course = workflow.start_course(db, workflow.CourseIn(
            "9990000026", "Bea Testpatient", date(1970, 1, 2), "female", D(160), "ec-breast",
            "normal"), acting_user=people["prescriber"])
        first_day, second_day = date(2026, 12, 7), date(2026, 12, 28)
        overrides = {"indication_not_chosen": "Breast MDT agreed EC"}
        p = workflow.prescribe_cycle(db, course.id, workflow.CycleIn(
            first_day, D(60), bloods(first_day), overrides=overrides),
            acting_user=people["prescriber"])
        p = workflow.verify_prescription(db, p.id, acting_user=people["pharmacist"],
                                         version=p.row_version,
                                         checklist=dict.fromkeys(workflow.CHECKLIST, True),
                                         acknowledged=[])
        p = workflow.release_prescription(db, p.id, acting_user=people["pharmacist"],
                                          version=p.row_version)
        given = [workflow.GivenIn(d["drug"], "B", datetime(2026, 12, 7, tzinfo=UTC))
                 for d in p.calculation["drugs"]]
        workflow.administer_prescription(db, p.id, given, acting_user=people["nurse"],
                                         version=p.row_version)
        second = workflow.prescribe_cycle(db, course.id, workflow.CycleIn(
            second_day, D(60), bloods(second_day), overrides=overrides),
            acting_user=people["prescriber"])
        second_id = second.id
    pharmacist = _sign_in(app, "pharmacist")
    page = pharmacist.client.get(f"/sact/prescriptions/{second_id}")
    # by hand: sqrt(160 x 60 / 3600) = 1.63299; epirubicin 90 x 1.63299 = 146.97 mg
    assert "Earlier cycles" in page.text and "Epirubicin 146.97 mg" in page.text
    assert "Administered" in page.text and "28 December 2026" in page.text
