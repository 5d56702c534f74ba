"""Browser test: an alliance analyst reads its two trusts (East, Harbour) side by side
(funnel plots shown, tables to download) and sees no case id, patient or person of either
trust; every other page is refused."""

from __future__ import annotations

import csv
from pathlib import Path

from playwright.sync_api import expect
from test_meeting_workflow import _create_meeting_with_list

from openmdt.synth import generate_prostate_list, write_csv

ALLIANCE_SCREENSHOT = Path("/tmp/openmdt-alliance.png")


def _distinctive_list(folder: Path, prefix: str, surname: str) -> tuple[Path, set[str]]:
    """A synthetic list whose case ids and patient names belong to one trust only."""
    cases = generate_prostate_list(6, seed=len(prefix))
    for case in cases:
        case["case_id"] = f"{prefix}{case['case_id']}"
        case["patient"]["name"] = f"SYNTHETIC {surname} {case['case_id'][-2:]}"
    path = folder / f"{prefix}list.csv"
    with path.open("w", encoding="utf-8") as stream:
        write_csv(cases, stream)
    with path.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    identifiers = {r["case_id"] for r in rows} | {r["patient_name"] for r in rows if
                                                  r.get("patient_name")}
    identifiers |= {r["nhs_number"] for r in rows if r.get("nhs_number")}
    assert len(identifiers) >= 12, sorted(rows[0])
    return path, identifiers


def test_alliance_analyst_sees_aggregates_only(browser, live_server, sign_in,
                                               tmp_path: Path) -> None:
    identifiers: set[str] = {"Hazel Coordinator", "Sorrel Harbour"}
    for who, prefix, surname in (("coordinator", "EASTQ-", "Quillfeather"),
                                 ("harbour_coordinator", "HARBQ-", "Brackenholt")):
        page = browser.new_page()
        sign_in(page, who)
        path, found = _distinctive_list(tmp_path, prefix, surname)
        _create_meeting_with_list(page, path)
        identifiers |= found
        page.close()
    analyst = browser.new_page()
    sign_in(analyst, "alliance_analyst")
    expect(analyst.get_by_role("heading", name="Coast Cancer Alliance: trusts side by side")
           ).to_be_visible()
    expect(analyst.get_by_role("link", name="Meetings")).to_have_count(0)
    table = analyst.locator("#alliance-trusts table")
    expect(table.get_by_role("rowheader", name="East Trust")).to_be_visible()
    expect(table.get_by_role("rowheader", name="Harbour Trust")).to_be_visible()
    charts = analyst.locator("img.chart")
    expect(charts.first).to_be_visible()
    alts = [charts.nth(i).get_attribute("alt") or "" for i in range(charts.count())]
    assert any(a.startswith("Funnel plot of cases on a standard of care") for a in alts), alts
    assert all(analyst.evaluate("(img) => img.naturalWidth", charts.nth(i).element_handle())
               > 0 for i in range(charts.count()))
    html = analyst.content()
    leaked = sorted(i for i in identifiers if i in html)
    assert not leaked, leaked
    with analyst.expect_download() as download:
        analyst.get_by_role("link", name="trusts.csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "East Trust" in text and "Harbour Trust" in text and "West Trust" not in text
    assert not sorted(i for i in identifiers if i in text)
    analyst.screenshot(path=str(ALLIANCE_SCREENSHOT), full_page=True)
    refused = analyst.goto(f"{live_server.url}/meetings")
    assert refused is not None and refused.status == 403
    expect(analyst.get_by_role("heading", name="You do not have permission to do this")
           ).to_be_visible()
    analyst.close()
