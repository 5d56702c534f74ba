"""Pathway dates on the case page: shown, edited like facts, errors beside the field."""

from __future__ import annotations

import re

from page_helpers import Browser, create_meeting, import_list, prostate_csv

CASE_LINK = re.compile(r'href="/cases/(\d+)"')


def _case_id(browser: Browser) -> int:
    meeting_id = create_meeting(browser)  # 27 November 2026
    assert import_list(browser, meeting_id, prostate_csv(2)).status_code == 303
    return int(CASE_LINK.search(browser.client.get(f"/meetings/{meeting_id}").text).group(1))


def test_dates_are_saved_as_a_new_version_and_shown(coordinator: Browser) -> None:
    case_id = _case_id(coordinator)
    page = coordinator.client.get(f"/cases/{case_id}").text
    assert 'id="fact_referral_date"' in page and "Pathway dates" in page
    response = coordinator.post(f"/cases/{case_id}/facts", {
        "expected_version": "1", "fact_referral_date": "2026-10-01",
        "fact_decision_to_treat_date": "2026-11-30"})
    assert response.status_code == 303, response.text
    page = coordinator.client.get(f"/cases/{case_id}").text
    assert 'name="expected_version" value="2"' in page
    assert 'value="2026-10-01"' in page and 'value="2026-11-30"' in page
    assert "referral_date" in page  # the history names what changed


def test_a_date_after_the_meeting_is_shown_beside_the_field(coordinator: Browser) -> None:
    case_id = _case_id(coordinator)
    response = coordinator.post(f"/cases/{case_id}/facts", {
        "expected_version": "1", "fact_diagnosis_date": "2026-11-28"})
    assert response.status_code == 422
    assert 'id="fact_diagnosis_date-error"' in response.text
    assert "28 November 2026" in response.text and "27 November 2026" in response.text
    assert 'value="2026-11-28"' in response.text  # the input is kept


def test_a_date_that_is_not_a_date_is_an_error_beside_the_field(coordinator: Browser) -> None:
    case_id = _case_id(coordinator)
    response = coordinator.post(f"/cases/{case_id}/facts", {
        "expected_version": "1", "fact_referral_date": "yesterday"})
    assert response.status_code == 422
    assert 'id="fact_referral_date-error"' in response.text
    assert "Referral date must be a date" in response.text
