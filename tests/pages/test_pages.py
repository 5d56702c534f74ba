"""Page tests: the server-rendered MDT workflow through FastAPI's TestClient, real app and DB."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from page_helpers import (
    PASSWORD,
    USERS,
    Browser,
    create_meeting,
    csrf_of,
    import_list,
    prostate_csv,
    sign_in,
)

CASE_LINK = re.compile(r'href="/cases/(\d+)"')


def _section(html: str, section_id: str) -> str:
    """The HTML of one agenda section."""
    start = html.index(f'id="{section_id}"')
    return html[start:html.index("</section>", start)]


def _meeting_with_list(browser: Browser, n: int = 30, seed: int = 7) -> tuple[int, str]:
    meeting_id = create_meeting(browser)
    response = import_list(browser, meeting_id, prostate_csv(n, seed))
    assert response.status_code == 303, response.text
    return meeting_id, browser.client.get(f"/meetings/{meeting_id}").text


def _first_case(html: str, section_id: str) -> int:
    found = CASE_LINK.search(_section(html, section_id))
    assert found, f"no case in section {section_id}"
    return int(found.group(1))


# Sign-in ---------------------------------------------------------------------------------


def test_login_page_has_csrf_field_labels_and_skip_link(app: object) -> None:
    html = TestClient(app).get("/login").text
    assert csrf_of(html)
    assert 'href="#maincontent"' in html and 'id="maincontent"' in html
    assert '<label for="email">' in html and '<label for="password">' in html


def test_pages_send_visitors_to_sign_in(app: object) -> None:
    response = TestClient(app).get("/meetings/1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/meetings/1"


def test_login_without_the_form_token_is_refused(app: object) -> None:
    client = TestClient(app)
    response = client.post("/login", data={"email": USERS["chair"][0], "password": PASSWORD,
                                           "csrf_token": "forged"})
    assert response.status_code == 403
    assert "openmdt_session" not in response.cookies


def test_wrong_password_then_throttling_message(app: object) -> None:
    client = TestClient(app)
    statuses = []
    for _ in range(6):
        token = csrf_of(client.get("/login").text)
        response = client.post("/login", data={"email": "nobody@north.example",
                                               "password": "wrong", "csrf_token": token})
        statuses.append(response.status_code)
    assert statuses[0] == 401
    assert "Enter a correct email address and password" in client.post(
        "/login", data={"email": "x@y.example", "password": "no",
                        "csrf_token": csrf_of(client.get("/login").text)}).text
    assert statuses[-1] == 429
    assert "Too many attempts" in response.text and "try again" in response.text


def test_sign_out_needs_the_csrf_token(app: object) -> None:
    browser = sign_in(app, "clinician")
    assert browser.client.post("/logout", data={}).status_code == 403
    assert browser.post("/logout").status_code == 303
    assert browser.client.get("/meetings", follow_redirects=False).status_code == 303


# Meetings and agenda ---------------------------------------------------------------------


def test_create_meeting_shows_every_field_error(coordinator: Browser) -> None:
    response = coordinator.post("/meetings", {"meeting_date": "27/11/2026", "mdt_type": "9999",
                                              "site_code": " ", "pack_id": "nope"})
    assert response.status_code == 422
    for message in ("Enter the meeting date", "Select the MDT type", "Enter the site code",
                    "Select the knowledge pack"):
        assert message in response.text


def test_meetings_list_offers_mdt_types_and_packs(coordinator: Browser) -> None:
    html = coordinator.client.get("/meetings").text
    assert '<option value="1201" selected>1201 Urology Local MDT</option>' in html
    assert 'value="prostate-nice-ng131"' in html


def test_agenda_has_three_sections_in_order_with_reasons_and_requests(
    coordinator: Browser,
) -> None:
    _, html = _meeting_with_list(coordinator, 30)
    positions = [html.index(f'id="{s}"') for s in ("full-discussion", "not-ready",
                                                    "standard-of-care")]
    assert positions == sorted(positions)
    counts = [int(n) for n in re.findall(r'stat__value">(\d+)<', html)]
    assert counts[0] == 30 and sum(counts[1:]) == 30
    discussion = _section(html, "full-discussion")
    assert "<ul class=\"compact\"><li>" in discussion  # reasons listed per patient
    not_ready = _section(html, "not-ready")
    if counts[2]:
        assert "<strong>" in not_ready and "?" in not_ready  # itemised questions
    assert "Estimated discussion time" in html
    assert 'name="csrf_token"' in html


def test_rejected_import_lists_every_bad_line_and_stores_nothing(coordinator: Browser) -> None:
    meeting_id = create_meeting(coordinator)
    lines = prostate_csv(4).splitlines()
    header = lines[0].split(",")
    psa, stage = header.index("psa"), header.index("t_stage")
    bad_psa = lines[2].split(",")
    bad_psa[psa] = "-3"
    bad_stage = lines[4].split(",")
    bad_stage[stage] = "T9"
    text = "\n".join([lines[0], lines[1], ",".join(bad_psa), lines[3], ",".join(bad_stage)])
    response = import_list(coordinator, meeting_id, text + "\n")
    assert response.status_code == 422
    rejected = _section(response.text, "import")
    assert "nothing was imported" in rejected
    rows = re.findall(r'<td class="num">(\d+)</td>\s*<td>([^<]*)</td>', rejected)
    assert [line for line, _ in rows] == ["3", "5"]
    assert {case for _, case in rows} == {"PR-0002", "PR-0004"}
    assert "-3" in rejected and "T9" in rejected
    agenda = coordinator.client.get(f"/meetings/{meeting_id}").text
    assert re.findall(r'stat__value">(\d+)<', agenda)[0] == "0"


def test_post_without_csrf_token_is_403(coordinator: Browser) -> None:
    response = coordinator.client.post("/meetings", data={"meeting_date": "2026-11-27",
                                                          "mdt_type": "1201"})
    assert response.status_code == 403


def test_attendance_and_quoracy(coordinator: Browser) -> None:
    meeting_id, html = _meeting_with_list(coordinator, 3)
    assert "Attendance has not been recorded" in html
    response = coordinator.post(f"/meetings/{meeting_id}/attendance", {
        "name_0": "Dr Ash", "role_0": "urologist", "present": "0",
        "name_1": "Dr Elm", "role_1": "radiologist"})
    assert response.status_code == 303
    html = coordinator.client.get(f"/meetings/{meeting_id}").text
    assert "Not quorate" in html and "Clinical oncologist" in html and "Dr Elm" in html


def test_attendance_with_every_row_blank_is_refused_not_saved(coordinator: Browser) -> None:
    meeting_id, _ = _meeting_with_list(coordinator, 3)
    coordinator.post(f"/meetings/{meeting_id}/attendance", {
        "name_0": "Dr Ash", "role_0": "urologist", "present": "0"})
    response = coordinator.post(f"/meetings/{meeting_id}/attendance", {
        "name_0": "  ", "role_0": "urologist", "present": "0", "name_1": "", "role_1": ""})
    assert response.status_code == 422
    assert "Enter the name of at least one attendee" in response.text
    assert 'id="error-summary"' in response.text
    assert "Dr Ash" in coordinator.client.get(f"/meetings/{meeting_id}").text  # kept


# Roles and organisations -----------------------------------------------------------------


def test_clinician_gets_403_page_for_outcome_but_may_flag(app: object,
                                                          coordinator: Browser) -> None:
    _, html = _meeting_with_list(coordinator, 20)
    case_id = _first_case(html, "standard-of-care")
    clinician = sign_in(app, "clinician")
    response = clinician.post(f"/cases/{case_id}/outcome", {"chosen_options": "x"})
    assert response.status_code == 403
    assert "Only the MDT chair can do this" in response.text
    assert clinician.post(f"/cases/{case_id}/flag", {"note": "PSA rising"}).status_code == 303
    page = clinician.client.get(f"/cases/{case_id}").text
    assert "Flagged for discussion" in page and "PSA rising" in page


def test_other_organisation_gets_404_everywhere(app: object, coordinator: Browser) -> None:
    meeting_id, html = _meeting_with_list(coordinator, 3)
    case_id = int(CASE_LINK.search(html).group(1))
    outsider = sign_in(app, "other")
    for url in (f"/cases/{case_id}", f"/meetings/{meeting_id}", f"/cases/{case_id}/gp-letter",
                f"/cases/{case_id}/outcome-form.pdf", f"/meetings/{meeting_id}/summary"):
        response = outsider.client.get(url)
        assert response.status_code == 404, url
        assert "SYNTHETIC" not in response.text
    missing = outsider.client.get("/cases/999999")
    assert missing.text == outsider.client.get(f"/cases/{case_id}").text  # no leak


# Case page -------------------------------------------------------------------------------


def test_case_page_shows_options_arguments_and_sources(coordinator: Browser) -> None:
    _, html = _meeting_with_list(coordinator, 20)
    page = coordinator.client.get(f"/cases/{_first_case(html, 'full-discussion')}").text
    assert "NHS number" in page and "SYNTHETIC" in page
    assert "Net support" in page and "Source:" in page
    assert re.search(r"Definitive|Provisional", page)
    assert re.search(r"tag--(green|grey|yellow)\">(Holds|Does not hold|Unknown)", page)
    assert 'name="expected_version" value="1"' in page


def test_fact_errors_show_next_to_each_field(coordinator: Browser) -> None:
    _, html = _meeting_with_list(coordinator, 3)
    case_id = int(CASE_LINK.search(html).group(1))
    response = coordinator.post(f"/cases/{case_id}/facts", {
        "expected_version": "1", "fact_psa": "-5", "fact_age": "old"})
    assert response.status_code == 422
    assert 'id="fact_psa-error"' in response.text and 'id="fact_age-error"' in response.text
    assert 'value="-5"' in response.text and 'value="old"' in response.text


def test_stale_save_shows_conflict_and_keeps_input(coordinator: Browser, chair: Browser) -> None:
    _, html = _meeting_with_list(coordinator, 3)
    case_id = int(CASE_LINK.search(html).group(1))
    assert chair.post(f"/cases/{case_id}/facts", {"expected_version": "1",
                                                  "fact_psa": "7.5"}).status_code == 303
    response = coordinator.post(f"/cases/{case_id}/facts", {"expected_version": "1",
                                                            "fact_psa": "8.25"})
    assert response.status_code == 409
    assert "409 conflict" in response.text and 'value="8.25"' in response.text
    assert "Saved now: <strong>7.5 ng/mL</strong>" in response.text
    assert 'name="expected_version" value="2"' in response.text


def test_outcome_with_deviation_then_letter_and_pdf(coordinator: Browser, chair: Browser) -> None:
    _, html = _meeting_with_list(coordinator, 20)
    case_id = _first_case(html, "full-discussion")
    page = chair.client.get(f"/cases/{case_id}").text
    options = re.findall(r'name="chosen_options" value="([^"]+)"', page)
    recommended = {found.replace("--", "/") for found in re.findall(
        r'id="opt-([^"]+)"[^>]*>\s*<label[^>]*>[^<]*<span class="tag tag--green">Recommended',
        page)}
    other = next(o for o in options if o not in recommended)
    form = {"chosen_options": other, "care_plan_intent": "C", "planned_treatment_types": "01",
            "rationale": "Discussed with the patient"}
    refused = chair.post(f"/cases/{case_id}/outcome", form)
    assert refused.status_code == 422
    assert "select the reason" in refused.text and "Explain the deviation" in refused.text
    form |= {"deviation_code": "patient_choice", "deviation_text": "Prefers surgery"}
    assert chair.post(f"/cases/{case_id}/outcome", form).status_code == 303
    letter = chair.client.get(f"/cases/{case_id}/gp-letter")
    assert letter.status_code == 200
    assert "informed preference" in letter.text and "Prefers surgery" in letter.text
    assert "North Trust" in letter.text
    assert "T category" not in letter.text  # a pack helper fact is not for the GP
    pdf = chair.client.get(f"/cases/{case_id}/gp-letter.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    form_html = chair.client.get(f"/cases/{case_id}/outcome-form").text
    assert "COSD CR0460" in form_html and "C - Curative" in form_html


def test_confirm_standard_of_care_finalise_and_summary(coordinator: Browser,
                                                      chair: Browser) -> None:
    meeting_id, html = _meeting_with_list(coordinator, 20)
    standard = re.findall(r'name="case_id" value="(\d+)"',
                          chair.client.get(f"/meetings/{meeting_id}").text)
    assert standard
    response = chair.post(f"/meetings/{meeting_id}/confirm-standard-of-care",
                          {"case_id": standard})
    assert response.status_code == 303
    agenda = chair.client.get(f"/meetings/{meeting_id}").text
    assert _section(agenda, "standard-of-care").count("Decided") == len(standard)
    summary = chair.client.get(f"/meetings/{meeting_id}/summary")
    assert "MDT meeting summary" in summary.text and "Standard of care" in summary.text
    assert chair.client.get(f"/meetings/{meeting_id}/summary.pdf").content.startswith(b"%PDF")
    finalise = chair.post(f"/meetings/{meeting_id}/finalise")
    assert finalise.status_code in (303, 409)


def test_finalise_rolls_undecided_patients_over_to_a_chosen_later_meeting(
        coordinator: Browser, chair: Browser) -> None:
    meeting_id, _ = _meeting_with_list(coordinator, 6)
    blocked = chair.post(f"/meetings/{meeting_id}/finalise")
    assert blocked.status_code == 409  # undecided patients and no meeting named
    later_id = create_meeting(coordinator, on=date(2026, 12, 4))
    agenda = chair.client.get(f"/meetings/{meeting_id}").text
    assert f'<option value="{later_id}">' in agenda
    done = chair.post(f"/meetings/{meeting_id}/finalise", {"roll_over_to": str(later_id)})
    assert done.status_code == 303
    assert "Finalised" in chair.client.get(f"/meetings/{meeting_id}").text
    later = chair.client.get(f"/meetings/{later_id}").text
    assert later.count("Rolled over 1x") == 6


def _case_page_of_one_case_list(browser: Browser, text: str) -> str:
    """Import a one-case CSV list into a new meeting and return that case's page."""
    meeting_id = create_meeting(browser)
    assert import_list(browser, meeting_id, text).status_code == 303
    html = browser.client.get(f"/meetings/{meeting_id}").text
    page = browser.client.get(f"/cases/{int(CASE_LINK.search(html).group(1))}")
    assert page.status_code == 200
    return page.text


def test_case_page_shows_the_values_the_pack_assumed(coordinator: Browser) -> None:
    page = _case_page_of_one_case_list(coordinator, (
        "case_id,psa,grade_group,t_stage,n_stage,m_stage,fit_for_radical_treatment,"
        "mri_biopsy_concordant\nA1,6.1,1,T2a,N0,M0,yes,yes\n"))
    assert "Not recorded, so the knowledge pack assumed" in page
    assumed = page.split("Not recorded, so the knowledge pack assumed", 1)[1]
    assert "<strong>Significant comorbidity</strong> = No" in assumed.split("</p>", 1)[0]


def test_case_page_shows_conflicting_data_with_labels_and_values(coordinator: Browser) -> None:
    page = _case_page_of_one_case_list(coordinator, (
        "case_id,pathway_point,psa,grade_group,gleason_primary,gleason_secondary,t_stage,"
        "n_stage,m_stage\nA1,new_diagnosis,6.1,1,4,3,T2a,N0,M0\n"))
    assert "Conflicting data: discuss before acting" in page
    assert ("The recorded ISUP grade group does not match the recorded Gleason patterns "
            "(ISUP grade group: <strong>1</strong>; Gleason primary pattern: <strong>4</strong>;"
            " Gleason secondary pattern: <strong>3</strong>).") in page


def test_gp_letter_names_the_docetaxel_of_the_patients_own_decision(coordinator: Browser,
                                                                   chair: Browser) -> None:
    """docetaxel is an option of the M0 and of the metastatic decisions: an M0 patient's
    letter must name the M0 regimen, never docetaxel with ADT for metastatic disease."""
    meeting_id = create_meeting(coordinator)
    text = ("case_id,pathway_point,psa,grade_group,t_stage,n_stage,m_stage,"
            "fit_for_radical_treatment,who_performance_status,age,life_expectancy_years,"
            "mri_biopsy_concordant,histology,long_term_adt_planned,radiotherapy_planned,"
            "prior_arta\nM0-1,new_diagnosis,30,4,T3a,N0,M0,yes,0,64,18,yes,"
            "acinar_adenocarcinoma,yes,yes,no\n")
    assert import_list(coordinator, meeting_id, text).status_code == 303
    html = coordinator.client.get(f"/meetings/{meeting_id}").text
    case_id = int(CASE_LINK.search(html).group(1))
    page = chair.client.get(f"/cases/{case_id}").text
    assert 'value="high_risk_non_metastatic_systemic/docetaxel"' in page
    form = {"chosen_options": "high_risk_non_metastatic_systemic/docetaxel",
            "care_plan_intent": "C", "planned_treatment_types": "02",
            "rationale": "Docetaxel with long-term ADT and radiotherapy"}
    assert chair.post(f"/cases/{case_id}/outcome", form).status_code == 303
    letter = chair.client.get(f"/cases/{case_id}/gp-letter").text
    assert "Discuss docetaxel chemotherapy" in letter
    assert "Docetaxel with ADT" not in letter
    case_page = chair.client.get(f"/cases/{case_id}").text
    assert "Option(s) chosen</dt><dd>Discuss docetaxel chemotherapy</dd>" in case_page


def test_case_page_shows_excluded_options_as_excluded(coordinator: Browser) -> None:
    page = _case_page_of_one_case_list(coordinator, (
        "case_id,pathway_point,psa,grade_group,t_stage,n_stage,m_stage,"
        "fit_for_radical_treatment\nC4,new_diagnosis,8,4,T2a,N0,M0,yes\n"))
    surveillance = page.split('<h4 class="candidate__title">Active surveillance</h4>', 1)[1]
    surveillance = surveillance.split('<div class="candidate">', 1)[0]
    assert '<span class="tag tag--red">Excluded</span>' in surveillance
    assert "Excluded: NICE says not to offer active surveillance for CPG 4" in surveillance
    assert "Net support" not in surveillance  # an excluded option shows no support figure
    assert '<span class="tag tag--red">Excludes</span>' in surveillance
    assert "Note:" in page  # a weight-0 argument is a note, not "For (+0)"
    assert "For (+0)" not in page
    assert '<span class="tag tag--grey strength">Do not offer</span>' in surveillance
    assert " - do not offer</span>" not in page  # the strength is not part of the citation


def test_case_page_and_agenda_show_the_case_in_one_line(coordinator: Browser) -> None:
    meeting_id = create_meeting(coordinator)
    text = ("case_id,pathway_point,age,psa,grade_group,t_stage,n_stage,m_stage,"
            "who_performance_status,fit_for_radical_treatment,mdt_question\n"
            "S1,new_diagnosis,66,8.4,1,T2a,N0,M0,0,yes,Surveillance or surgery?\n")
    assert import_list(coordinator, meeting_id, text).status_code == 303
    line = ("New diagnosis · Age 66 years · PSA 8.4 ng/mL · GG 1 · T2a · N0 · M0 · CPG 1 · "
            "PS 0 · Fit: Yes · Question: Surveillance or surgery?")
    agenda = coordinator.client.get(f"/meetings/{meeting_id}").text
    assert line in agenda
    page = coordinator.client.get(f"/cases/{int(CASE_LINK.search(agenda).group(1))}").text
    assert f'<p class="case-summary">{line}</p>' in page


def test_arguments_that_do_not_hold_are_collapsed(coordinator: Browser) -> None:
    page = _case_page_of_one_case_list(coordinator, (
        "case_id,pathway_point,psa,grade_group,t_stage,n_stage,m_stage,"
        "fit_for_radical_treatment\nC4,new_diagnosis,8,4,T2a,N0,M0,yes\n"))
    surveillance = page.split('<h4 class="candidate__title">Active surveillance</h4>', 1)[1]
    surveillance = surveillance.split('<div class="candidate">', 1)[0]
    shown, collapsed = surveillance.split('<details class="arguments-not-holding">', 1)
    assert "NICE says not to offer active surveillance for CPG 4" in shown  # it holds
    assert "For CPG 1 disease NICE says to offer active surveillance" in collapsed
    assert "For CPG 1 disease NICE says to offer active surveillance" not in shown
    assert "that do not hold</summary>" in collapsed


def test_a_stored_evaluation_that_cannot_be_read_is_said_not_a_crash(app: object,
                                                                     coordinator: Browser
                                                                     ) -> None:
    """A fact version whose stored evaluation lost a key (a row changed by hand): the agenda
    still shows, the case page says what is wrong and where, the API answers problem details."""
    from sqlalchemy import select

    from openmdt.store.models import FactVersion

    meeting_id, html = _meeting_with_list(coordinator, 5)
    case_id = _first_case(html, "full-discussion")
    with app.state.openmdt.sessions() as db:  # type: ignore[attr-defined]
        version = db.scalars(select(FactVersion).where(FactVersion.case_id == case_id)
                             .order_by(FactVersion.id.desc())).first()
        broken = dict(version.evaluation)
        broken["decisions"] = [dict(d) for d in broken["decisions"]]
        broken["decisions"][0]["status"] = "perhaps"
        version.evaluation = broken
        db.commit()
    assert coordinator.client.get(f"/meetings/{meeting_id}").status_code == 200
    page = coordinator.client.get(f"/cases/{case_id}")
    assert page.status_code == 200
    assert "cannot be shown" in page.text and "$.decisions[0].status" in page.text
    answer = coordinator.client.get(f"/api/v1/cases/{case_id}")
    assert answer.status_code == 409
    assert answer.json()["code"] == "stored_evaluation_unreadable"
    assert answer.json()["path"] == "$.decisions[0].status"
