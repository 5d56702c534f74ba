"""Browser test: a coordinator imports a FHIR Bundle through the meeting page's form."""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "interop"))
from fhir_builders import bundle, ecog, patient, prostate_cancer, psa  # noqa: E402

SCREENSHOT = Path("/tmp/openmdt-fhir-import.png")


def test_a_fhir_bundle_is_imported_and_a_conflict_is_flagged(browser, live_server, sign_in,
                                                             tmp_path: Path) -> None:
    record = bundle(patient("p1", "9990000018"), prostate_cancer("c1", "p1"),
                    psa("o1", 6.2, "2026-11-01"), ecog("e1", 0, "2026-11-01"),
                    ecog("e2", 2, "2026-10-01"),
                    patient("p2", "9990000026"), prostate_cancer("c2", "p2"),
                    psa("o2", 14, "2026-11-02", patient_id="p2"), kind="transaction")
    upload = tmp_path / "record.json"
    upload.write_text(record, encoding="utf-8")
    page = browser.new_page()
    sign_in(page, "coordinator")
    page.get_by_label("Meeting date").fill("2026-12-01")
    page.get_by_label("MDT type").select_option("1201")
    page.get_by_label("Site code").fill("RXX01")
    page.get_by_label("Knowledge pack").select_option("prostate-nice-ng131")
    page.get_by_role("button", name="Create meeting").click()
    expect(page.get_by_role("status")).to_contain_text("Meeting created")
    expect(page.get_by_text("FHIR R4 (a Bundle, or NDJSON of resources")).to_be_visible()
    page.get_by_label("Meeting list file").set_input_files(str(upload))
    page.get_by_role("button", name="Import list").click()
    expect(page.get_by_role("status")).to_contain_text("imported")
    expect(page.get_by_text("Flag note: WHO performance status: the record gives different "
                            "values: 2 (1 October 2026), 0 (1 November 2026); the latest (0) "
                            "is used")).to_be_visible()
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.close()
