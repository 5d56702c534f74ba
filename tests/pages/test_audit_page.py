"""Issue 10, Audit for people: /audit shows who did what and when with names, filters by
case, user and action, exports CSV; reads of patient records are logged; organisations never
see each other's rows; the JSON trail with chain verification (/api/v1/audit) still works."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from page_helpers import PASSWORD, Browser, create_meeting, csrf_of, import_list, prostate_csv

from openmdt.accounts import create_user, get_or_create_organisation
from openmdt.store.models import User

CASE_LINK = re.compile(r'href="/cases/(\d+)"')
AUDITORS = {"north": ("audit@north.example", "North Trust", "Ivy North Auditor"),
            "south": ("audit@south.example", "South Trust", "Sol South Auditor")}


def _auditor(app: object, which: str) -> TestClient:
    email, organisation_name, name = AUDITORS[which]
    with app.state.openmdt.sessions() as db:  # type: ignore[attr-defined]
        if db.query(User).filter_by(email=email).first() is None:
            organisation = get_or_create_organisation(db, organisation_name)
            create_user(db, organisation=organisation, email=email, role="auditor",
                        password=PASSWORD, display_name=name)
            db.commit()
    client = TestClient(app)
    page = client.get("/login")
    client.post("/login", data={"email": email, "password": PASSWORD,
                                "csrf_token": csrf_of(page.text), "next": "/meetings"})
    return client


@pytest.fixture(scope="module")
def viewed(coordinator: Browser, chair: Browser) -> dict[str, object]:
    """A meeting imported by the coordinator; the chair opens one case and its letter."""
    meeting_id = create_meeting(coordinator)
    assert import_list(coordinator, meeting_id, prostate_csv(4, seed=11)).status_code == 303
    agenda = coordinator.client.get(f"/meetings/{meeting_id}").text
    case_id = int(CASE_LINK.search(agenda).group(1))
    case_page = chair.client.get(f"/cases/{case_id}").text
    case_ref = re.search(r"Case ([^ ]+) - ", case_page).group(1)
    patient = re.search(r"<h1[^>]*>([^<]+)</h1>", case_page).group(1).strip()
    chair.client.get(f"/cases/{case_id}/outcome-form")  # 409 without an outcome: still a read
    return {"meeting_id": meeting_id, "case_id": case_id, "case_ref": case_ref,
            "patient": patient}


def test_reads_are_listed_with_names_not_ids(app: object, viewed: dict) -> None:
    html = _auditor(app, "north").get("/audit").text
    assert "<h1>Audit trail</h1>" in html
    row = re.search(r"<tr>\s*<td[^>]*>[^<]*</td>\s*<td>Test chair</td>\s*<td>Viewed a "
                    r"patient&#39;s record</td>\s*<td>([^<]*)<span class=\"muted\">\(([^)]*)\)",
                    html)
    assert row, "the chair's read of the case is not listed"
    assert row.group(1).strip() == viewed["patient"] and row.group(2) == viewed["case_ref"]
    assert "Page: Case page" in html and "Page: Outcome form" in html
    assert "Test coordinator</td>\n    <td>Imported a meeting list" in html
    assert "Viewed a meeting&#39;s patient list" in html
    table = html.split("</form>")[-1]
    assert "user_id" not in table and "view_case" not in table


def test_filters_by_case_user_and_action(app: object, viewed: dict) -> None:
    auditor = _auditor(app, "north")
    by_case = auditor.get("/audit", params={"case": viewed["case_ref"]}).text
    assert "Viewed a patient&#39;s record" in by_case
    assert "Imported a meeting list" not in by_case.split("</form>")[-1]
    with app.state.openmdt.sessions() as db:  # type: ignore[attr-defined]
        coordinator_id = db.query(User).filter_by(email="coord@north.example").one().id
    by_user = auditor.get("/audit", params={"who": str(coordinator_id)}).text.split("</form>")[-1]
    assert "Test coordinator" in by_user and "Test chair" not in by_user
    by_action = auditor.get("/audit", params={"action": "import_cases"}).text.split("</form>")[-1]
    assert "Imported a meeting list" in by_action and "Viewed a" not in by_action
    nothing = auditor.get("/audit", params={"case": "NO-SUCH-CASE"}).text
    assert "No entries match these filters." in nothing


def test_csv_export_has_names_and_respects_filters(app: object, viewed: dict) -> None:
    response = _auditor(app, "north").get("/audit.csv", params={"case": viewed["case_ref"]})
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and {r["Case"] for r in rows} == {viewed["case_ref"]}
    read = next(r for r in rows if r["Action"] == "view_case")
    assert read["Who"] == "Test chair" and read["What"] == "Viewed a patient's record"
    assert read["Patient"] == viewed["patient"] and " at " in read["When"]
    assert read["When (UTC, ISO 8601)"].endswith("+00:00")


def test_organisations_never_see_each_others_rows(app: object, viewed: dict) -> None:
    south = _auditor(app, "south")
    for response in (south.get("/audit"), south.get("/audit.csv"),
                     south.get("/audit", params={"case": viewed["case_ref"]})):
        assert response.status_code == 200
        shown = response.text.split("</form>")[-1]  # the rows (the form echoes the filter)
        for text in (viewed["patient"], viewed["case_ref"], "Test chair", "Test coordinator",
                     "Ivy North Auditor"):
            assert text not in shown, text
    with app.state.openmdt.sessions() as db:  # type: ignore[attr-defined]
        chair_id = db.query(User).filter_by(email="chair@north.example").one().id
    other = south.get("/audit", params={"who": str(chair_id)}).text
    assert "No entries match these filters." in other


def test_only_auditors_and_admins_may_open_it(app: object, coordinator: Browser) -> None:
    assert coordinator.client.get("/audit").status_code == 403
    assert coordinator.client.get("/audit.csv").status_code == 403
    anonymous = TestClient(app).get("/audit", follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]


def test_a_formula_in_a_cell_is_not_run_by_a_spreadsheet() -> None:
    from openmdt.meetings.audit_trail import AuditLine, audit_csv

    line = AuditLine(1, "2026-11-27T14:05:00+00:00", "27 November 2026 at 14:05",
                     "=HYPERLINK(\"x\")", "chair", "view_case", "Viewed", "-1", None, None, "")
    row = list(csv.reader(io.StringIO(audit_csv([line]))))[1]
    assert row[3] == "'=HYPERLINK(\"x\")" and row[7] == "'-1"


def test_the_chair_view_and_the_print_pages_are_reads_too(app: object, viewed: dict,
                                                           chair: Browser) -> None:
    meeting_id, case_id = viewed["meeting_id"], viewed["case_id"]
    assert chair.client.get(f"/meetings/{meeting_id}/chair/{case_id}").status_code == 200
    assert chair.client.get(f"/meetings/{meeting_id}/print").status_code == 200
    html = _auditor(app, "north").get("/audit").text
    assert "Page: Chair view" in html
    assert "Page: Patients, one page each (print)" in html
