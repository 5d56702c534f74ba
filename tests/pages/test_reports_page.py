"""The proof-of-value dashboard: auditors and admins only, their own organisation's figures
only, every table as CSV, charts as images (the page's CSP forbids inline styles)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from page_helpers import PASSWORD, create_meeting, csrf_of, import_list, prostate_csv

from openmdt.accounts import create_user, get_or_create_organisation

AUDITORS = {"north": ("audit@north.example", "North Trust"),
            "south": ("audit@south.example", "South Trust")}


@pytest.fixture(scope="module")
def auditors(app) -> dict[str, TestClient]:
    with app.state.openmdt.sessions() as db:
        for email, organisation in AUDITORS.values():
            create_user(db, organisation=get_or_create_organisation(db, organisation),
                        email=email, role="auditor", password=PASSWORD,
                        display_name="Test auditor")
        db.commit()
    clients = {}
    for key, (email, _) in AUDITORS.items():
        client = TestClient(app)
        page = client.get("/login")
        client.post("/login", data={"email": email, "password": PASSWORD,
                                    "csrf_token": csrf_of(page.text), "next": "/meetings"})
        clients[key] = client
    return clients


def test_dashboard_shows_the_organisation_figures_and_tables(coordinator, auditors):
    meeting_id = create_meeting(coordinator)
    assert import_list(coordinator, meeting_id, prostate_csv(12)).status_code == 303
    page = auditors["north"].get("/reports")
    assert page.status_code == 200
    assert "Proof of value: North Trust" in page.text
    listed = re.search(r"<dt>Cases listed</dt><dd>(\d+) at (\d+) meetings", page.text)
    assert listed and int(listed.group(1)) >= 12
    assert 'src="data:image/svg+xml;base64,' in page.text and "<svg" not in page.text
    table = auditors["north"].get("/reports/tables/meeting_load.csv")
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert sum(int(r["listed"]) for r in rows) == int(listed.group(1))
    assert {r["organisation"] for r in rows} == {"North Trust"}


def test_another_organisation_sees_none_of_it(coordinator, auditors):
    meeting_id = create_meeting(coordinator)
    assert import_list(coordinator, meeting_id, prostate_csv(5, seed=3)).status_code == 303
    page = auditors["south"].get("/reports")
    assert "<dt>Cases listed</dt><dd>0 at 0 meetings" in page.text
    assert "North Trust" not in page.text and "SYNTHETIC" not in page.text
    rows = list(csv.DictReader(io.StringIO(
        auditors["south"].get("/reports/tables/meeting_load.csv").text)))
    assert rows == []


def test_only_auditors_and_admins_and_bad_dates(coordinator, auditors):
    assert coordinator.client.get("/reports").status_code == 403
    assert coordinator.client.get("/reports/tables/cash_flow.csv").status_code == 403
    bad = auditors["north"].get("/reports?date_from=yesterday")
    assert bad.status_code == 422 and "From must be a date" in bad.text
    assert auditors["north"].get("/reports/tables/secrets.csv").status_code == 404
    assert TestClient(auditors["north"].app).get("/reports", follow_redirects=False
                                                 ).status_code in (303, 307)
