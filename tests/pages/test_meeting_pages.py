"""Page tests of the meeting pages (issue 10): attendance from core members, agenda filters,
the chair view, list management and the CSV template."""

from __future__ import annotations

import re
from datetime import date

from page_helpers import Browser, create_meeting, import_list, prostate_csv, sign_in

CASE_LINK = re.compile(r'href="/cases/(\d+)"')
MEMBER_FIELD = re.compile(r'name="member_(\d+)"')


def _meeting_with_list(browser: Browser, n: int = 12, seed: int = 7,
                       on: date = date(2026, 11, 27)) -> tuple[int, str]:
    meeting_id = create_meeting(browser, on)
    if n:
        response = import_list(browser, meeting_id, prostate_csv(n, seed))
        assert response.status_code == 303, response.text
    return meeting_id, browser.client.get(f"/meetings/{meeting_id}").text


# Attendance ------------------------------------------------------------------------------


def test_attendance_form_offers_core_members_and_records_remote(coordinator: Browser) -> None:
    meeting_id, _ = _meeting_with_list(coordinator, 0)
    saved = coordinator.post(f"/meetings/{meeting_id}/attendance", {
        "name_0": "Dr Yew", "role_0": "histopathologist", "status_0": "remote", "core": "0",
        "name_1": "Guest", "role_1": "other", "status_1": "present"})
    assert saved.status_code == 303, saved.text
    later, html = _meeting_with_list(coordinator, 0, on=date(2026, 12, 4))
    member_ids = MEMBER_FIELD.findall(html)
    assert "Dr Yew" in html and member_ids and "Guest" not in html
    answer = coordinator.post(f"/meetings/{later}/attendance",
                              {f"member_{member_ids[0]}": "present"})
    assert answer.status_code == 303
    html = coordinator.client.get(f"/meetings/{later}").text
    record = html[html.index('id="attendance-record"'):]
    assert "Dr Yew" in record and "Present" in record
    assert "Local policy" in html


def test_a_blank_row_ticked_as_core_member_is_refused_and_nothing_saved(
        coordinator: Browser) -> None:
    meeting_id, _ = _meeting_with_list(coordinator, 0)
    response = coordinator.post(f"/meetings/{meeting_id}/attendance", {
        "name_0": "Dr Lime", "role_0": "urologist", "name_1": " ", "role_1": "radiologist",
        "core": "1"})
    assert response.status_code == 422
    assert "Attendee 2 is ticked as a core member but has no name" in response.text
    assert 'id="error-summary"' in response.text
    assert "Attendance has not been recorded" in response.text


def test_clinician_may_not_record_attendance_and_other_trust_gets_404(
        app: object, coordinator: Browser) -> None:
    meeting_id, _ = _meeting_with_list(coordinator, 0)
    clinician = sign_in(app, "clinician")
    refused = clinician.post(f"/meetings/{meeting_id}/attendance", {"name_0": "Dr A",
                                                                   "role_0": "urologist"})
    assert refused.status_code == 403
    other = sign_in(app, "other")
    hidden = other.post(f"/meetings/{meeting_id}/attendance", {"name_0": "Dr A",
                                                              "role_0": "urologist"})
    assert hidden.status_code == 404


# Agenda filters, agenda order and the print layout -----------------------------------------

ROW = re.compile(r'<tr class="agenda-row[^"]*">.*?</tr>', re.S)
SUMMARY_ROW = re.compile(r"<tr>\s*<td>(\d+)</td><td>([^<]+)</td>")


def _rows(html: str) -> list[str]:
    return ROW.findall(html)


def test_filters_by_route_risk_group_outcome_and_search(coordinator: Browser) -> None:
    meeting_id, html = _meeting_with_list(coordinator, 20, seed=5)
    every = _rows(html)
    assert 'id="agenda-filter"' in html and "Cambridge Prognostic Group" in html
    discussion = coordinator.client.get(f"/meetings/{meeting_id}?route=full_discussion").text
    shown = _rows(discussion)
    assert 0 < len(shown) < len(every)
    assert f"Showing {len(shown)} of {len(every)} patients" in discussion
    cpg3 = coordinator.client.get(f"/meetings/{meeting_id}?f_cpg=3").text
    assert _rows(cpg3) and all("CPG 3" in row for row in _rows(cpg3))
    assert not _rows(coordinator.client.get(f"/meetings/{meeting_id}?outcome=recorded").text)
    assert len(_rows(coordinator.client.get(f"/meetings/{meeting_id}?outcome=none").text)) \
        == len(every)
    one = re.search(r"PR-\d{4}", every[0]).group(0)
    found = _rows(coordinator.client.get(f"/meetings/{meeting_id}?q={one.lower()}").text)
    assert len(found) == 1 and one in found[0]
    ignored = coordinator.client.get(f"/meetings/{meeting_id}?route=nonsense&f_cpg=").text
    assert len(_rows(ignored)) == len(every)


def test_summary_and_print_keep_the_agenda_order(coordinator: Browser) -> None:
    meeting_id, html = _meeting_with_list(coordinator, 15, seed=9)
    agenda_order = re.findall(r"PR-\d{4}", "".join(_rows(html)))
    agenda_order = list(dict.fromkeys(agenda_order))
    summary = coordinator.client.get(f"/meetings/{meeting_id}/summary").text
    numbered = SUMMARY_ROW.findall(summary)
    assert [ref for _, ref in numbered] == agenda_order
    assert [int(n) for n, _ in numbered] == list(range(1, len(agenda_order) + 1))
    printed = coordinator.client.get(f"/meetings/{meeting_id}/print").text
    assert printed.count('class="patient-page"') == len(agenda_order)
    assert list(dict.fromkeys(re.findall(r"PR-\d{4}", printed))) == agenda_order
    filtered = coordinator.client.get(f"/meetings/{meeting_id}/print?route=not_ready").text
    assert filtered.count('class="patient-page"') == len(
        _rows(coordinator.client.get(f"/meetings/{meeting_id}?route=not_ready").text))


def test_print_page_needs_sign_in_and_is_404_for_another_trust(
        app: object, coordinator: Browser) -> None:
    meeting_id, _ = _meeting_with_list(coordinator, 2)
    other = sign_in(app, "other")
    assert other.client.get(f"/meetings/{meeting_id}/print").status_code == 404
    from fastapi.testclient import TestClient

    anonymous = TestClient(app).get(f"/meetings/{meeting_id}/print", follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]


# Chair view -------------------------------------------------------------------------------

CHAIR_LOCATION = re.compile(r"/meetings/(\d+)/chair/(\d+)")


def test_chair_view_steps_through_the_agenda_and_others_see_now_discussing(
        app: object, chair: Browser) -> None:
    meeting_id, html = _meeting_with_list(chair, 6, seed=3)
    order = [int(i) for i in dict.fromkeys(CASE_LINK.findall("".join(_rows(html))))]
    start = chair.client.get(f"/meetings/{meeting_id}/chair", follow_redirects=False)
    assert start.status_code == 303 and start.headers["location"].endswith(f"/{order[0]}")
    first = chair.client.get(start.headers["location"]).text
    assert "Patient <strong>1</strong> of 6" in first and 'id="next-case"' in first
    assert 'data-key="prev"' not in first  # nothing before the first patient
    assert 'id="outcome"' in first and 'name="back" value="chair"' in first
    moved = chair.post(f"/meetings/{meeting_id}/now-discussing", {"case_id": str(order[1])})
    assert moved.status_code == 303 and moved.headers["location"].endswith(f"/{order[1]}")
    second = chair.client.get(moved.headers["location"]).text
    assert 'id="now-discussing-tag"' in second and "Patient <strong>2</strong>" in second
    clinician = sign_in(app, "clinician")
    agenda = clinician.client.get(f"/meetings/{meeting_id}").text
    assert 'id="now-discussing"' in agenda and f'href="/cases/{order[1]}"' in agenda
    view = clinician.client.get(f"/meetings/{meeting_id}/chair/{order[1]}").text
    assert f'href="/meetings/{meeting_id}/chair/{order[2]}"' in view  # links, not forms
    refused = clinician.post(f"/meetings/{meeting_id}/now-discussing",
                             {"case_id": str(order[2])})
    assert refused.status_code == 403


def test_outcome_from_the_chair_view_returns_to_it_and_errors_stay_there(
        chair: Browser) -> None:
    meeting_id, html = _meeting_with_list(chair, 6, seed=3)
    case_id = int(CASE_LINK.search(_rows(html)[0]).group(1))
    refused = chair.post(f"/cases/{case_id}/outcome", {"back": "chair"})
    assert refused.status_code == 422
    assert "chair-grid" in refused.text and 'id="error-summary"' in refused.text
    chair_page = chair.client.get(f"/meetings/{meeting_id}/chair/{case_id}").text
    option = re.search(r'name="chosen_options" value="([^"]+)"[^>]*>\s*<label[^>]*>[^<]*'
                       r'<span class="tag tag--green">Recommended', chair_page)
    assert option, "no recommended option offered"
    saved = chair.post(f"/cases/{case_id}/outcome", {
        "back": "chair", "chosen_options": option.group(1), "care_plan_intent": "C",
        "planned_treatment_types": "01", "rationale": "As recommended."})
    assert saved.status_code == 303, saved.text
    assert CHAIR_LOCATION.search(saved.headers["location"]).group(2) == str(case_id)


def test_chair_view_of_another_trust_or_meeting_is_404(app: object, chair: Browser) -> None:
    meeting_id, html = _meeting_with_list(chair, 2)
    other_meeting, other_html = _meeting_with_list(chair, 2, seed=4)
    other_case = int(CASE_LINK.search(_rows(other_html)[0]).group(1))
    assert chair.client.get(f"/meetings/{meeting_id}/chair/{other_case}").status_code == 404
    wrong = chair.post(f"/meetings/{meeting_id}/now-discussing", {"case_id": str(other_case)})
    assert wrong.status_code == 422
    outsider = sign_in(app, "other")
    case_id = int(CASE_LINK.search(_rows(html)[0]).group(1))
    assert outsider.client.get(f"/meetings/{meeting_id}/chair/{case_id}").status_code == 404
    assert outsider.post(f"/meetings/{meeting_id}/now-discussing",
                         {"case_id": str(case_id)}).status_code == 404


# List management --------------------------------------------------------------------------


def test_late_patient_is_added_at_the_end_and_marked(coordinator: Browser) -> None:
    meeting_id, html = _meeting_with_list(coordinator, 3)
    added = coordinator.post(f"/meetings/{meeting_id}/late-patient", {
        "case_id": "LATE-9", "patient_name": "SYNTHETIC Late Arrival",
        "nhs_number": "943 476 5919", "date_of_birth": "1950-06-16",
        "mdt_question": "Is surgery still an option?"})
    assert added.status_code == 303, added.text
    assert "done=added" in added.headers["location"]
    case_page = coordinator.client.get(added.headers["location"]).text
    assert "Patient added to the end of the list" in case_page
    agenda = coordinator.client.get(f"/meetings/{meeting_id}").text
    assert "SYNTHETIC Late Arrival" in agenda and "Added late" in agenda
    again = coordinator.post(f"/meetings/{meeting_id}/late-patient", {"case_id": "LATE-9"})
    assert again.status_code == 422 and "already" in again.text
    assert 'id="error-summary"' in again.text
    bad = coordinator.post(f"/meetings/{meeting_id}/late-patient", {
        "case_id": "LATE-10", "nhs_number": "9434765918"})
    assert bad.status_code == 422 and "NHS number" in bad.text


def test_remove_with_reason_from_the_case_page(coordinator: Browser) -> None:
    meeting_id, html = _meeting_with_list(coordinator, 3)
    case_id = int(CASE_LINK.search(_rows(html)[0]).group(1))
    refused = coordinator.post(f"/cases/{case_id}/remove", {"reason": " "})
    assert refused.status_code == 422 and "Give the reason" in refused.text
    assert 'id="error-summary"' in refused.text
    removed = coordinator.post(f"/cases/{case_id}/remove", {"reason": "Treated elsewhere"})
    assert removed.status_code == 303
    agenda = coordinator.client.get(f"/meetings/{meeting_id}").text
    assert len(_rows(agenda)) == 2
    assert 'id="removed"' in agenda and "Treated elsewhere" in agenda
    page = coordinator.client.get(f"/cases/{case_id}").text
    assert "Removed from this meeting" in page and 'id="remove-form"' not in page
    late = coordinator.post(f"/meetings/{meeting_id}/late-patient",
                            {"case_id": _case_ref(coordinator, case_id)})
    assert late.status_code == 422 and "put it back on the list" in late.text
    restored = coordinator.post(f"/cases/{case_id}/restore", {})
    assert restored.status_code == 303 and "done=restored" in restored.headers["location"]
    agenda = coordinator.client.get(restored.headers["location"]).text
    assert len(_rows(agenda)) == 3 and 'id="removed"' not in agenda
    assert "back on the list" in agenda
    again = coordinator.post(f"/cases/{case_id}/restore", {})
    assert again.status_code == 409 and "not removed" in again.text


def _case_ref(browser: Browser, case_id: int) -> str:
    page = browser.client.get(f"/cases/{case_id}").text
    return re.search(r"<dt>Case reference</dt><dd>([^<]+)</dd>", page).group(1)


def test_move_to_a_later_meeting_from_the_case_page(coordinator: Browser) -> None:
    meeting_id, html = _meeting_with_list(coordinator, 3, on=date(2027, 3, 1))
    later = create_meeting(coordinator, date(2027, 3, 8))
    case_id = int(CASE_LINK.search(_rows(html)[0]).group(1))
    page = coordinator.client.get(f"/cases/{case_id}").text
    assert f'<option value="{later}">' in page
    unchosen = coordinator.post(f"/cases/{case_id}/roll-over", {"to_meeting_id": ""})
    assert unchosen.status_code == 422 and "Choose the meeting" in unchosen.text
    moved = coordinator.post(f"/cases/{case_id}/roll-over",
                             {"to_meeting_id": str(later), "reason": "Awaiting MRI"})
    assert moved.status_code == 303
    new_page = coordinator.client.get(moved.headers["location"]).text
    assert "Patient moved to this meeting" in new_page
    assert len(_rows(coordinator.client.get(f"/meetings/{later}").text)) == 1
    old = coordinator.client.get(f"/cases/{case_id}").text
    assert "Moved to a later meeting" in old


def test_reorder_buttons_move_a_patient_within_the_section(coordinator: Browser) -> None:
    meeting_id, html = _meeting_with_list(coordinator, 12, seed=5)
    section = re.findall(r'href="/cases/(\d+)"', html[html.index('id="full-discussion"'):
                                                      html.index('id="not-ready"')])
    order = list(dict.fromkeys(section))
    assert len(order) >= 2 and 'form="reorder-form"' in html
    moved = coordinator.post(f"/cases/{order[1]}/move", {"direction": "up"})
    assert moved.status_code == 303 and moved.headers["location"].endswith(f"#case-{order[1]}")
    html = coordinator.client.get(f"/meetings/{meeting_id}").text
    section = re.findall(r'href="/cases/(\d+)"', html[html.index('id="full-discussion"'):
                                                      html.index('id="not-ready"')])
    assert list(dict.fromkeys(section))[:2] == [order[1], order[0]]
    filtered = coordinator.client.get(f"/meetings/{meeting_id}?route=full_discussion").text
    assert 'form="reorder-form"' not in filtered  # no reordering of a filtered view


def test_list_changes_need_the_role_and_the_organisation(app: object,
                                                         coordinator: Browser) -> None:
    meeting_id, html = _meeting_with_list(coordinator, 3)
    case_id = int(CASE_LINK.search(_rows(html)[0]).group(1))
    clinician = sign_in(app, "clinician")
    other = sign_in(app, "other")
    for url, data in ((f"/cases/{case_id}/remove", {"reason": "x"}),
                      (f"/cases/{case_id}/move", {"direction": "up"}),
                      (f"/cases/{case_id}/roll-over", {"to_meeting_id": "1"}),
                      (f"/meetings/{meeting_id}/late-patient", {"case_id": "X-1"})):
        assert clinician.post(url, data).status_code == 403, url
        assert other.post(url, data).status_code == 404, url
    assert len(_rows(coordinator.client.get(f"/meetings/{meeting_id}").text)) == 3


# CSV template and column names ------------------------------------------------------------


def test_csv_template_download_and_one_message_per_misspelled_column(
        app: object, coordinator: Browser) -> None:
    meeting_id, html = _meeting_with_list(coordinator, 0)
    assert f'href="/meetings/{meeting_id}/list-template.csv"' in html
    template = coordinator.client.get(f"/meetings/{meeting_id}/list-template.csv")
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("text/csv")
    assert "attachment" in template.headers["content-disposition"]
    assert template.text.startswith("case_id,site,nhs_number,patient_name,date_of_birth,")
    text = prostate_csv(15).replace("gleason_secondary", " Gleason_Secondry ", 1)
    rejected = import_list(coordinator, meeting_id, text)
    assert rejected.status_code == 422
    table = rejected.text[rejected.text.index('id="import-rejected"'):]
    table = table[table.index("<tbody>"):table.index("</tbody>")]
    assert table.count("<tr>") == 1 and "Gleason_Secondry" in table
    assert "did you mean &#39;gleason_secondary&#39;?" in rejected.text
    assert "1 problem in" in rejected.text
    assert sign_in(app, "other").client.get(
        f"/meetings/{meeting_id}/list-template.csv").status_code == 404


def test_the_agenda_can_ask_which_case_the_chair_is_on(coordinator: Browser, app) -> None:
    meeting_id, html = _meeting_with_list(coordinator, 3)
    case_id = int(CASE_LINK.search(_rows(html)[0]).group(1))
    state = coordinator.client.get(f"/meetings/{meeting_id}/now-discussing")
    assert state.status_code == 200 and state.json() == {"case_id": None, "open": True}
    assert state.headers["cache-control"] == "no-store"
    chair = coordinator.post(f"/meetings/{meeting_id}/now-discussing", {"case_id": str(case_id)})
    assert chair.status_code == 303
    assert coordinator.client.get(f"/meetings/{meeting_id}/now-discussing").json() == {
        "case_id": case_id, "open": True}
    assert coordinator.client.get("/meetings/999999/now-discussing").status_code == 404
    assert sign_in(app, "other").client.get(
        f"/meetings/{meeting_id}/now-discussing").status_code == 404  # another trust's
    from fastapi.testclient import TestClient

    assert TestClient(app).get(f"/meetings/{meeting_id}/now-discussing").status_code == 401
    agenda = coordinator.client.get(f"/meetings/{meeting_id}").text
    assert 'src="/static/follow-chair.js"' in agenda
    assert f'data-follow="/meetings/{meeting_id}/now-discussing"' in agenda
    assert f'data-case-id="{case_id}"' in agenda
