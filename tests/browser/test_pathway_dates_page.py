"""Browser test: a coordinator records pathway dates on the case page; a bad order is refused."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from test_meeting_workflow import _create_meeting_with_list, _write_list

DATES_SCREENSHOT = Path("/tmp/openmdt-pathway-dates.png")


def test_coordinator_records_pathway_dates(browser, live_server, sign_in, tmp_path: Path) -> None:
    page = browser.new_page()
    sign_in(page, "coordinator")
    _create_meeting_with_list(page, _write_list(tmp_path, n=3))  # meeting 27 November 2026
    page.locator('a[href^="/cases/"]').first.click()
    dates = page.locator("#pathway-dates")
    dates.get_by_label("Referral date").fill("2026-10-01")
    dates.get_by_label("Diagnosis date").fill("2026-11-30")  # after the meeting
    page.get_by_role("button", name="Save facts").click()
    expect(page.locator("#fact_diagnosis_date-error")).to_contain_text("30 November 2026")
    expect(page.locator("#fact_diagnosis_date-error")).to_contain_text("27 November 2026")
    page.locator("#pathway-dates").get_by_label("Diagnosis date").fill("2026-11-20")
    page.get_by_role("button", name="Save facts").click()
    expect(page.get_by_role("status")).to_contain_text("Facts saved")
    expect(page.locator("#pathway-dates").get_by_label("Referral date")).to_have_value(
        "2026-10-01")
    page.locator("#facts").screenshot(path=str(DATES_SCREENSHOT))
    page.close()
