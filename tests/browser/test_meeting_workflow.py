"""Browser tests: a chair runs a meeting end to end; keyboard-only and no-JavaScript checks."""

from __future__ import annotations

import io
from pathlib import Path

from playwright.sync_api import Page, expect

from openmdt.synth import generate_prostate_list, write_csv

AGENDA_SCREENSHOT = Path("/tmp/openmdt-agenda.png")
CASE_SCREENSHOT = Path("/tmp/openmdt-case.png")
LETTER_SCREENSHOT = Path("/tmp/openmdt-gp-letter.png")
YELLOW_FOCUS = "rgb(255, 235, 59)"


def _write_list(folder: Path, n: int = 30, seed: int = 3) -> Path:
    """A synthetic list in which at least one case lacks the data triage needs."""
    cases = generate_prostate_list(n, seed=seed)
    for missing in ("m_stage", "psa"):
        cases[0]["facts"].pop(missing, None)
    stream = io.StringIO()
    write_csv(cases, stream)
    path = folder / "urology-list.csv"
    path.write_text(stream.getvalue(), encoding="utf-8")
    return path


def _create_meeting_with_list(page: Page, list_file: Path) -> str:
    """Create a meeting and import a list through the pages; returns the agenda URL."""
    page.get_by_label("Meeting date").fill("2026-11-27")
    page.get_by_label("MDT type").select_option("1201")
    page.get_by_label("Site code").fill("RXX01")
    page.get_by_label("Knowledge pack").select_option("prostate-nice-ng131")
    page.get_by_role("button", name="Create meeting").click()
    expect(page.get_by_role("status")).to_contain_text("Meeting created")
    page.get_by_label("Meeting list file").set_input_files(str(list_file))
    page.get_by_role("button", name="Import list").click()
    expect(page.get_by_role("status")).to_contain_text("imported")
    return page.url.split("?")[0]


def _record_deviating_outcome(page: Page) -> None:
    form = page.locator("#outcome form")
    choices = form.locator("input[name=chosen_options]")
    recommended = {
        choices.nth(i).get_attribute("value")
        for i in range(choices.count())
        if "Recommended" in form.locator(f"label[for={choices.nth(i).get_attribute('id')}]")
        .inner_text()
    }
    visible = [choices.nth(i) for i in range(choices.count()) if choices.nth(i).is_visible()]
    other = next(c for c in visible if c.get_attribute("value") not in recommended)
    other.check()
    form.get_by_label("C - Curative").check()
    form.get_by_label("01 - Surgery").check()
    form.get_by_label("Rationale").fill("Discussed options with the patient at clinic.")
    form.get_by_label("Reason").select_option("patient_choice")
    form.get_by_label("Explanation").fill("Patient prefers this option after counselling.")
    form.get_by_role("button", name="Record outcome").click()


def test_chair_runs_a_meeting_end_to_end(browser, live_server, sign_in, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, "chair")
    agenda_url = _create_meeting_with_list(page, _write_list(tmp_path))

    for heading in ("1. Full discussion", "2. Not ready", "3. Standard of care"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    for section in ("#full-discussion", "#not-ready", "#standard-of-care"):
        assert page.locator(f"{section} tbody tr").count() >= 1, section
    page.screenshot(path=str(AGENDA_SCREENSHOT), full_page=True)

    page.locator("#full-discussion tbody a").first.click()
    expect(page.get_by_role("heading", name="Guideline options")).to_be_visible()
    expect(page.get_by_text("Net support").first).to_be_visible()
    page.screenshot(path=str(CASE_SCREENSHOT), full_page=True)
    case_url = page.url

    _record_deviating_outcome(page)
    expect(page.get_by_role("status")).to_contain_text("Outcome recorded")
    expect(page.locator("#outcome .tag--red", has_text="Deviation")).to_be_visible()

    page.get_by_role("link", name="GP letter", exact=True).click()
    expect(page.get_by_role("heading", name="Outcome of the multidisciplinary team meeting"))\
        .to_be_visible()
    expect(page.get_by_text("Patient prefers this option after counselling.")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".screen-actions")).to_be_hidden()
    page.screenshot(path=str(LETTER_SCREENSHOT), full_page=True)
    pdf = page.request.get(f"{case_url}/gp-letter.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    outsider = browser.new_context().new_page()
    sign_in(outsider, "outsider")
    response = outsider.goto(case_url)
    assert response is not None and response.status == 404
    expect(outsider.get_by_role("heading", name="Page not found")).to_be_visible()
    assert outsider.goto(agenda_url).status == 404
    context.close()


def test_keyboard_only_sign_in_and_reach_the_main_action(browser, live_server) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type("coord@east.example")
    page.keyboard.press("Tab")
    page.keyboard.type("browser tests password")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/meetings")

    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").strip() == "Create meeting":
            break
    else:
        raise AssertionError("Tab never reached the 'Create meeting' button")
    background = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert background == YELLOW_FOCUS  # the focus is clearly visible
    context.close()


def test_agenda_reads_without_javascript(browser, live_server, sign_in, tmp_path: Path) -> None:
    setup = browser.new_context()
    page = setup.new_page()
    sign_in(page, "coordinator")
    agenda_url = _create_meeting_with_list(page, _write_list(tmp_path, n=12, seed=5))
    setup.close()

    context = browser.new_context(java_script_enabled=False)
    reader = context.new_page()
    sign_in(reader, "coordinator")
    reader.goto(agenda_url)
    for heading in ("1. Full discussion", "2. Not ready", "3. Standard of care"):
        expect(reader.get_by_role("heading", name=heading)).to_be_visible()
    expect(reader.get_by_text("patients listed")).to_be_visible()
    context.close()


def _submit_empty_outcome(page: Page, case_url: str) -> None:
    page.goto(case_url)
    page.locator("#record-outcome").click()
    page.wait_for_load_state()


def _in_view(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    height = page.evaluate("window.innerHeight")
    # scrollIntoView can leave the top a fraction of a pixel above 0 (sub-pixel layout)
    return box is not None and -1 < box["y"] < height


def test_a_refused_form_shows_its_errors_in_view(browser, live_server, sign_in,
                                                 tmp_path: Path) -> None:
    setup = browser.new_context()
    page = setup.new_page()
    sign_in(page, "coordinator")
    agenda_url = _create_meeting_with_list(page, _write_list(tmp_path, n=8, seed=9))
    case_url = live_server.url + page.locator("a[href^='/cases/']").first.get_attribute("href")
    setup.close()
    for scripts in (True, False):
        context = browser.new_context(java_script_enabled=scripts,
                                      viewport={"width": 1280, "height": 800})
        chair = context.new_page()
        sign_in(chair, "chair")
        _submit_empty_outcome(chair, case_url)
        assert chair.url.endswith("#error-summary")
        expect(chair.locator("#error-summary")).to_contain_text("There is a problem")
        assert _in_view(chair, "#error-summary"), "the error summary is out of sight"
        if scripts:
            assert chair.evaluate("document.activeElement.id") == "error-summary"
        context.close()
    assert agenda_url
