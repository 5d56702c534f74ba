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
