"""Browser test: prescribe -> verify -> release -> administer, with an unsafe dose blocked
(the lifetime anthracycline limit) and a recorded override acknowledged by the pharmacist."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

SCREENSHOTS = Path("/tmp")
PASSWORD = "browser tests password"  # the accounts of tests/browser/conftest.py
EMAILS = {"prescriber": "prescriber@east.example", "pharmacist": "pharmacist@east.example",
          "nurse": "nurse@east.example"}


def _sign_in(page: Page, url: str, who: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Email address").fill(EMAILS[who])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/sact")


def test_the_whole_sact_workflow_with_a_blocked_dose_and_an_override(browser, live_server
                                                                     ) -> None:
    url = live_server.url
    prescriber = browser.new_page()
    _sign_in(prescriber, url, "prescriber")
    prescriber.get_by_label("Patient name").fill("Ada Testpatient")
    prescriber.get_by_label("NHS number").fill("943 476 5919")
    prescriber.get_by_label("Date of birth").fill("1961-06-16")
    prescriber.get_by_label("Height in cm").fill("165")
    prescriber.get_by_label("Regimen protocol").select_option("ac-breast")
    prescriber.get_by_label("DPYD (DPD) result").select_option("normal")
    prescriber.get_by_role("button", name="Start the course").click()
    expect(prescriber.get_by_role("status")).to_contain_text("Course started")
    course_url = prescriber.url.split("?")[0]

    prescriber.get_by_label("Drug").select_option("doxorubicin")
    prescriber.get_by_label("Total amount in mg").fill("900")
    prescriber.get_by_label("Dose in mg/m2").fill("500")
    prescriber.get_by_label("Given on (last dose)").fill("2019-03-01")
    prescriber.get_by_role("button", name="Record the dose").click()
    expect(prescriber.get_by_role("status")).to_contain_text("counts in lifetime totals")

    prescriber.get_by_label("Treatment date").fill("2026-12-07")
    prescriber.get_by_label("Weight today in kg").fill("70")
    prescriber.get_by_label("Date the blood was taken").fill("2026-12-06")
    prescriber.get_by_label("Neutrophils (x10^9/L)").fill("3.1")
    prescriber.get_by_label("Platelets (x10^9/L)").fill("240")
    prescriber.get_by_label("Bilirubin (umol/L)").fill("9")
    prescriber.get_by_label("Creatinine (umol/L)").fill("75")
    prescriber.get_by_role("button", name="Calculate and prescribe").click()
    summary = prescriber.locator("#error-summary")
    expect(summary).to_contain_text("The prescription is blocked")
    expect(summary).to_contain_text("500 mg/m2 doxorubicin-equivalent before this cycle, "
                                    "560 with it")
    expect(summary).to_contain_text("this cycle passes the limit")
    prescriber.screenshot(path=str(SCREENSHOTS / "openmdt-sact-blocked.png"), full_page=True)
    prescriber.locator("#override_anthracycline_limit").fill(
        "Consultant: echo LVEF 62%, curative intent; benefit outweighs the cardiac risk")
    prescriber.locator("#override_indication_not_chosen").fill("Breast MDT agreed AC")
    prescriber.get_by_role("button", name="Calculate and prescribe").click()
    expect(prescriber.get_by_role("status")).to_contain_text("Prescribed")
    chart_url = prescriber.url.split("?")[0]
    expect(prescriber.locator("table")).to_contain_text("107.47 mg")
    expect(prescriber.get_by_text("needs a pharmacist's acknowledgement")).to_be_visible()

    pharmacist = browser.new_page()
    _sign_in(pharmacist, url, "pharmacist")
    expect(pharmacist.locator("table")).to_contain_text("Ada Testpatient")
    pharmacist.screenshot(path=str(SCREENSHOTS / "openmdt-sact-courses.png"), full_page=True)
    pharmacist.goto(chart_url)
    pharmacist.screenshot(path=str(SCREENSHOTS / "openmdt-sact-verify.png"), full_page=True)
    for item in ("prescription", "protocol", "patient", "administration"):
        pharmacist.get_by_label(f"the {item} details").check()
    pharmacist.get_by_role("button", name="Verify").click()
    expect(pharmacist.locator("#error-summary")).to_contain_text(
        "anthracycline_limit needs a second person's acknowledgement")
    for item in ("prescription", "protocol", "patient", "administration"):
        pharmacist.get_by_label(f"the {item} details").check()
    pharmacist.get_by_label("I acknowledge the override").check()
    pharmacist.get_by_role("button", name="Verify").click()
    expect(pharmacist.get_by_role("status")).to_contain_text("Verified")
    expect(pharmacist.get_by_text("acknowledged by Elm Pharmacist")).to_be_visible()
    pharmacist.get_by_role("button", name="Release to the aseptic unit").click()
    expect(pharmacist.get_by_role("status")).to_contain_text("Released")

    nurse = browser.new_page()
    _sign_in(nurse, url, "nurse")
    nurse.goto(chart_url)
    for index in range(2):
        nurse.locator(f"#batch_{index}").fill(f"AC-{index}")
        nurse.locator(f"#started_{index}").fill("2026-12-07T10:30")
    nurse.get_by_role("button", name="Record the administration").click()
    expect(nurse.get_by_role("status")).to_contain_text("Administration recorded")
    expect(nurse.locator("#status")).to_have_text("Administered")
    nurse.screenshot(path=str(SCREENSHOTS / "openmdt-sact-chart.png"), full_page=True)
    nurse.goto(course_url)
    expect(nurse.locator("table")).to_contain_text("Administered")
