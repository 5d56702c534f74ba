"""The Cancer Alliance view: two trusts' figures side by side from aggregates only (no case
id, patient, meeting title or person of a trust on the page, in a CSV table or in the
report), and the alliance_analyst role refused on every other page and endpoint."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from page_helpers import PASSWORD, csrf_of
from sqlalchemy import select
from starlette.routing import Mount

from openmdt.accounts import create_user, get_or_create_organisation, issue_api_token
from openmdt.accounts.alliances import add_trust, create_alliance
from openmdt.store.models import Meeting, MeetingCase, Organisation, User
from openmdt.synth.recorded import seed_weekly_meetings

TRUSTS = {"Tyne Alliance Trust": ("ZQTYNE-", "Quokkaford", "prostate-nice-ng131"),
          "Wear Alliance Trust": ("ZQWEAR-", "Wombatleigh", "example-alliance-prostate")}
ANALYST = "analyst@north-east.example"
TRUST_ADMIN = "admin@tyne-alliance.example"
# Paths an alliance analyst may reach: its view, signing in and out; and paths that answer
# without looking at who calls (no data of a trust).
ANALYST_PATHS = {"/alliance", "/alliance/tables/{name}", "/login", "/logout"}
PUBLIC_PATHS = {"/", "/api/v1/health", "/api/v1/session"}
# CDS Hooks callers are EHRs with signed JWTs, not sessions: an analyst as a CDS client's
# user is refused in tests/api/test_cds_hooks.py.
CDS_PREFIX = "/cds-services"


def _sign_in(app: object, email: str) -> TestClient:
    client = TestClient(app)
    page = client.get("/login")
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": csrf_of(page.text),
                                           "next": "/meetings"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    client.headers["x-landed-on"] = response.headers["location"]
    return client


@pytest.fixture(scope="module")
def alliance(app) -> dict[str, object]:
    """Two member trusts with three weekly meetings each (distinctive case ids and names),
    an analyst (with an API token) and an admin of the first trust."""
    with app.state.openmdt.sessions() as db:
        found = create_alliance(db, name="north-east", label="North East Cancer Alliance",
                                pack_id="example-alliance-prostate")
        office = db.get(Organisation, found.organisation_id)
        analyst = create_user(db, organisation=office, email=ANALYST, role="alliance_analyst",
                              password=PASSWORD, display_name="Ada Analyst")
        token = issue_api_token(db, analyst)
        for number, (trust, (prefix, tag, pack)) in enumerate(TRUSTS.items()):
            organisation = get_or_create_organisation(db, trust)
            people = [create_user(db, organisation=organisation, email=f"{role}{number}@t.example",
                                  role=role, password=PASSWORD, display_name=f"{tag} {role}")
                      for role in ("coordinator", "chair")]
            add_trust(db, found, trust)
            seed_weekly_meetings(db, coordinator=people[0], chair=people[1],
                                 start=date(2026, 3, 2), weeks=3, cases_per_meeting=8,
                                 seed=11 + number, pack_id=pack, case_prefix=prefix,
                                 name_tag=tag)
        create_user(db, organisation=get_or_create_organisation(db, "Tyne Alliance Trust"),
                    email=TRUST_ADMIN, role="admin", password=PASSWORD,
                    display_name="Tyne Admin")
        db.commit()
    return {"token": token}


def _identifiers(app: object) -> set[str]:
    """Every patient-level or personal string of the two trusts: case ids, patient names,
    NHS numbers, dates of birth, meeting titles, people's names and emails."""
    found: set[str] = set()
    with app.state.openmdt.sessions() as db:
        trusts = list(db.scalars(select(Organisation.id).where(Organisation.name.in_(TRUSTS))))
        for case in db.scalars(select(MeetingCase).where(
                MeetingCase.organisation_id.in_(trusts))):
            found |= {case.case_ref, *(str(v) for v in case.patient.values())}
        found |= set(db.scalars(select(Meeting.title).where(
            Meeting.organisation_id.in_(trusts))))
        for user in db.scalars(select(User).where(User.organisation_id.in_(trusts))):
            found |= {user.display_name, user.email}
    assert len(found) > 100  # 48 cases with their patients, 6 meetings, people
    return found


def _assert_none_in(text: str, identifiers: set[str], where: str) -> None:
    leaked = sorted(i for i in identifiers if i and i in text)
    assert not leaked, f"{where} shows {leaked[:5]}"


def test_alliance_page_shows_trusts_side_by_side(app, alliance) -> None:
    analyst = _sign_in(app, ANALYST)
    assert analyst.headers["x-landed-on"] == "/alliance"
    page = analyst.get("/alliance")
    assert page.status_code == 200
    assert "North East Cancer Alliance: trusts side by side" in page.text
    for trust in TRUSTS:
        assert trust in page.text
    assert page.text.count('src="data:image/svg+xml;base64,') == 2  # two funnel plots
    assert "Funnel plot of concordance with the guideline" in page.text
    rows = {r["trust"]: r for r in csv.DictReader(io.StringIO(
        analyst.get("/alliance/tables/trusts.csv").text))}
    assert set(rows) == {*TRUSTS, "North East Cancer Alliance"}
    assert all(int(rows[t]["listed"]) == 24 and int(rows[t]["meetings"]) == 3 for t in TRUSTS)
    total = rows["North East Cancer Alliance"]
    assert int(total["listed"]) == 48
    assert int(total["standard_of_care"]) == sum(int(rows[t]["standard_of_care"])
                                                 for t in TRUSTS)
    packs = {r["trust"]: r for r in csv.DictReader(io.StringIO(
        analyst.get("/alliance/tables/packs.csv").text))}
    assert packs["Wear Alliance Trust"]["status"] == "the alliance's current set"
    assert packs["Tyne Alliance Trust"]["status"] == (
        "the national pack, without the alliance's changes")


def test_nothing_of_a_patient_reaches_the_alliance(app, alliance, tmp_path: Path,
                                                   monkeypatch) -> None:
    identifiers = _identifiers(app)
    analyst = _sign_in(app, ANALYST)
    page = analyst.get("/alliance")
    _assert_none_in(page.text, identifiers, "the alliance page")
    names = re.findall(r'href="/alliance/tables/([a-z_0-9]+\.csv)', page.text)
    assert len(names) == 7
    for name in names:
        table = analyst.get(f"/alliance/tables/{name}")
        assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
        _assert_none_in(table.text, identifiers, name)
    zipped = analyst.get("/alliance/tables/alliance-tables.zip")
    assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        assert archive.namelist() == names  # every table, in the page's order
        for name in names:
            text = archive.read(name).decode("utf-8")
            assert text == analyst.get(f"/alliance/tables/{name}").text
            _assert_none_in(text, identifiers, f"{name} in the ZIP")
    from typer.testing import CliRunner

    from openmdt.cli import app as cli

    monkeypatch.setenv("OPENMDT_DATABASE_URL", str(app.state.openmdt.engine.url))
    result = CliRunner().invoke(cli, ["report", "pilot", "--alliance", "north-east", "-o",
                                      str(tmp_path)])
    assert result.exit_code == 0, result.output
    from pypdf import PdfReader

    pdf = "\n".join(p.extract_text() for p in PdfReader(tmp_path / "alliance.pdf").pages)
    assert "Tyne Alliance Trust" in pdf and "Which trusts run which" in pdf
    for path in tmp_path.iterdir():
        text = pdf if path.suffix == ".pdf" else path.read_text(encoding="utf-8")
        _assert_none_in(text, identifiers, path.name)


def test_a_trust_admin_sees_its_alliance_others_do_not(app, alliance, coordinator) -> None:
    admin = _sign_in(app, TRUST_ADMIN)
    assert "North East Cancer Alliance" in admin.get("/alliance").text
    assert coordinator.client.get("/alliance").status_code == 403
    assert coordinator.client.get("/alliance/tables/trusts.csv").status_code == 403
    bad = admin.get("/alliance?date_from=soon")
    assert bad.status_code == 422 and "From must be a date" in bad.text
    assert admin.get("/alliance/tables/secrets.csv").status_code == 404
    within = admin.get("/alliance/tables/trusts.csv?date_from=2026-03-09&date_to=2026-03-09")
    rows = {r["trust"]: r for r in csv.DictReader(io.StringIO(within.text))}
    assert rows["Tyne Alliance Trust"]["meetings"] == "1"
    with app.state.openmdt.sessions() as db:
        create_user(db, organisation=get_or_create_organisation(db, "South Trust"),
                    email="admin@south.example", role="admin", password=PASSWORD)
    outside = _sign_in(app, "admin@south.example").get("/alliance")
    assert outside.status_code == 404
    assert "does not belong to a Cancer Alliance" in outside.text


def _routes(routes: list[object], prefix: str = "") -> list[tuple[str, str]]:
    """(method, path) of every route of the app and its API (FastAPI keeps an included
    router as a wrapper with its original router; the API is mounted at /api/v1)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found += [(m, prefix + route.path) for m in route.methods]
        elif hasattr(route, "original_router"):
            context = getattr(route, "include_context", None)
            found += _routes(route.original_router.routes,
                             prefix + (getattr(context, "prefix", "") or ""))
        elif isinstance(route, Mount) and route.path == "/api/v1":
            found += _routes(route.routes, prefix + route.path)
    return sorted(set(found))


def _real_ids(app: object) -> dict[str, str]:
    with app.state.openmdt.sessions() as db:
        case = db.scalars(select(MeetingCase).order_by(MeetingCase.id)).first()
        return {"meeting_id": str(case.meeting_id), "case_id": str(case.id)}


def test_an_alliance_analyst_is_refused_everywhere_else(app, alliance) -> None:
    """Every route, with a trust's real meeting and case ids: 403 for the analyst's
    session and for its API token, except its own paths and ones that ask no one."""
    analyst = _sign_in(app, ANALYST)
    csrf = csrf_of(analyst.get("/alliance").text)
    ids = _real_ids(app)
    bearer = TestClient(app)
    bearer.headers["Authorization"] = f"Bearer {alliance['token']}"
    checked = 0
    for method, path in _routes(app.routes):
        if path in ANALYST_PATHS | PUBLIC_PATHS or path.startswith(CDS_PREFIX):
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "1"), path)
        headers = {"X-CSRF-Token": csrf}
        for client in (analyst, bearer):
            response = client.request(method, url, headers=headers, follow_redirects=False)
            assert response.status_code == 403, (method, path, response.status_code)
            checked += 1
    assert checked > 100
    case = ids["case_id"]
    for url in (f"/cases/{case}", f"/api/v1/cases/{case}", f"/api/v1/cases/{case}/fhir",
                "/audit", f"/meetings/{ids['meeting_id']}", "/reports", "/sact"):
        response = analyst.get(url)
        assert response.status_code == 403, url
        assert "aggregate figures only" in response.text
    assert analyst.get("/alliance").status_code == 200


def test_the_role_belongs_to_an_alliance_only(app, alliance) -> None:
    from openmdt.store.errors import InvalidRequest, NotFound

    with app.state.openmdt.sessions() as db:
        trust = get_or_create_organisation(db, "Tyne Alliance Trust")
        with pytest.raises(InvalidRequest, match="not an alliance"):
            create_user(db, organisation=trust, email="a2@t.example", role="alliance_analyst",
                        password=PASSWORD)
        office = db.scalars(select(Organisation).where(
            Organisation.name == "North East Cancer Alliance")).one()
        with pytest.raises(InvalidRequest, match="alliance_analyst only"):
            create_user(db, organisation=office, email="c2@t.example", role="coordinator",
                        password=PASSWORD)
        found = create_alliance(db, name="south-west", label="South West Cancer Alliance",
                                pack_id="prostate-nice-ng131")
        with pytest.raises(InvalidRequest, match="already belongs to an alliance"):
            add_trust(db, found, "Tyne Alliance Trust")
        with pytest.raises(InvalidRequest, match="an alliance's office"):
            add_trust(db, found, "North East Cancer Alliance")
        with pytest.raises(NotFound, match="No organisation is named 'Tyne Trsut'"):
            add_trust(db, found, "Tyne Trsut")
        with pytest.raises(InvalidRequest, match="is not allowed"):
            create_alliance(db, name="north east", label="X", pack_id="prostate-nice-ng131")
