"""Browser test: a breast meeting runs a synthetic breast list through the pages (issue 13)."""

from __future__ import annotations

import io
from pathlib import Path

from playwright.sync_api import expect

from openmdt.synth import BREAST_FACT_NAMES, generate_breast_list, write_csv

BREAST_AGENDA_SCREENSHOT = Path("/tmp/openmdt-breast-agenda.png")
BREAST_CASE_SCREENSHOT = Path("/tmp/openmdt-breast-case.png")


def _breast_list(folder: Path) -> Path:
    stream = io.StringIO()
    write_csv(generate_breast_list(40, seed=5), stream, BREAST_FACT_NAMES)
    path = folder / "breast-list.csv"
    path.write_text(stream.getvalue(), encoding="utf-8")
    return path


def test_a_breast_list_runs_in_a_breast_meeting(browser, live_server, sign_in,
                                                tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, "coordinator")
    page.get_by_label("Meeting date").fill("2026-11-27")
    page.get_by_label("MDT type").select_option("1201")
    page.get_by_label("Site code").fill("RXX01")
    page.get_by_label("Knowledge pack").select_option("breast-nice-ng101")
    page.get_by_role("button", name="Create meeting").click()
    expect(page.get_by_role("status")).to_contain_text("Meeting created")
    page.get_by_label("Meeting list file").set_input_files(str(_breast_list(tmp_path)))
    page.get_by_role("button", name="Import list").click()
    expect(page.get_by_role("status")).to_contain_text("imported")
    for section in ("#full-discussion", "#not-ready", "#standard-of-care"):
        assert page.locator(f"{section} tbody tr").count() >= 1, section
    expect(page.locator("#standard-of-care")).to_contain_text("NPI")
    page.screenshot(path=str(BREAST_AGENDA_SCREENSHOT), full_page=True)

    page.locator("#standard-of-care tbody a").first.click()
    expect(page.get_by_role("heading", name="Guideline options")).to_be_visible()
    expect(page.get_by_text("Adjuvant chemotherapy").first).to_be_visible()
    expect(page.get_by_text("Down et al").first).to_be_visible()
    page.screenshot(path=str(BREAST_CASE_SCREENSHOT), full_page=True)
    context.close()
