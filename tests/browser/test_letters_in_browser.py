"""Browser tests for the letters: the GP letter and the patient's copy as a person opens and
prints them (issue 10, Documents)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

GP_LETTER_SCREENSHOT = Path("/tmp/openmdt-gp-letter-print.png")
PATIENT_LETTER_SCREENSHOT = Path("/tmp/openmdt-patient-letter.png")
LIST = (
    "case_id,patient_name,nhs_number,date_of_birth,hospital_number,gp_name,gp_practice_code,"
    "gp_practice_name,gp_practice_address,consultant,key_worker,pathway_point,psa,grade_group,"
    "t_stage,n_stage,m_stage,fit_for_radical_treatment,who_performance_status,age,"
    "life_expectancy_years,mri_biopsy_concordant,histology,long_term_adt_planned,"
    "radiotherapy_planned,prior_arta\n"
    'B-1,SYNTHETIC Birch Letter,9990000018,1956-06-18,RXX-778899,Dr Hazel GP,B86001,'
    'Riverside Surgery,"1 River Road, Leeds, LS1 1AA",Mr Oak Consultant,Sister Elm Keyworker,'
    "new_diagnosis,30,4,T3a,N0,M0,yes,0,64,18,yes,acinar_adenocarcinoma,yes,yes,no\n"
)


def _pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF written by chromium (its page objects are not compressed)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def _meeting_with_letter_list(page: Page, folder: Path) -> None:
    path = folder / "letters.csv"
    path.write_text(LIST, encoding="utf-8")
    page.get_by_label("Meeting date").fill("2026-11-27")
    page.get_by_label("MDT type").select_option("1201")
    page.get_by_label("Site code").fill("RXX01")
    page.get_by_label("Knowledge pack").select_option("prostate-nice-ng131")
    page.get_by_role("button", name="Create meeting").click()
    page.get_by_label("Meeting list file").set_input_files(str(path))
    page.get_by_role("button", name="Import list").click()
    expect(page.get_by_role("status")).to_contain_text("imported")


def test_gp_letter_and_patient_copy_print_on_one_page(browser, live_server, sign_in,
                                                     tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, "chair")
    _meeting_with_letter_list(page, tmp_path)
    page.get_by_role("link", name="SYNTHETIC Birch Letter").first.click()
    form = page.locator("#outcome form")
    form.locator('input[value="high_risk_non_metastatic_systemic/docetaxel"]').check()
    form.get_by_label("C - Curative").check()
    form.get_by_label("02 - External beam radiotherapy", exact=False).check()
    form.get_by_label("Rationale").fill("Docetaxel with long-term ADT and radiotherapy.")
    form.get_by_role("button", name="Record outcome").click()
    expect(page.get_by_role("status")).to_contain_text("Outcome recorded")

    page.get_by_role("link", name="GP letter", exact=True).click()
    for text in ("Riverside Surgery", "Practice code (ODS) B86001", "RXX-778899",
                 "Mr Oak Consultant", "Sister Elm Keyworker", "18 June 1956",
                 "Discuss docetaxel chemotherapy"):
        expect(page.get_by_text(text, exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", name="Next steps")).to_be_visible()
    page.emulate_media(media="print")
    page.screenshot(path=str(GP_LETTER_SCREENSHOT), full_page=True)
    assert _pdf_pages(page.pdf(format="A4", prefer_css_page_size=True)) == 1

    page.emulate_media(media="screen")
    page.get_by_role("link", name="Back to the case").click()
    page.get_by_role("link", name="Patient copy", exact=True).click()
    expect(page.get_by_role("heading", name="What your care team talked about")).to_be_visible()
    expect(page.get_by_text("It is your choice")).to_be_visible()
    page.emulate_media(media="print")
    page.screenshot(path=str(PATIENT_LETTER_SCREENSHOT), full_page=True)
    assert _pdf_pages(page.pdf(format="A4", prefer_css_page_size=True)) == 1
    context.close()


AUDIT_SCREENSHOT = Path("/tmp/openmdt-audit.png")


def test_auditor_sees_who_opened_the_letter_and_filters(browser, live_server, sign_in,
                                                       tmp_path: Path) -> None:
    chair = browser.new_context().new_page()
    sign_in(chair, "chair")
    _meeting_with_letter_list(chair, tmp_path)
    chair.get_by_role("link", name="SYNTHETIC Birch Letter").first.click()
    expect(chair.get_by_role("heading", name="SYNTHETIC Birch Letter")).to_be_visible()

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email address").fill("audit@east.example")
    page.get_by_label("Password").fill("browser tests password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", name="Audit trail", exact=True)).to_be_visible()
    row = page.locator("tbody tr", has_text="Viewed a patient's record").first
    expect(row).to_contain_text("Dr Rowan Chair")
    expect(row).to_contain_text("SYNTHETIC Birch Letter (B-1)")
    page.get_by_label("User").select_option(label="Dr Rowan Chair")
    page.get_by_label("Action").select_option(label="Viewed a patient's record")
    page.get_by_label("Case reference").fill("B-1")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("tbody tr")
    assert rows.count() >= 1
    for i in range(rows.count()):
        assert "Dr Rowan Chair" in rows.nth(i).inner_text()
    page.screenshot(path=str(AUDIT_SCREENSHOT), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("Event,") and "Dr Rowan Chair" in text and "B-1" in text
