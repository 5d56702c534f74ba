"""Helpers for the page tests: users in two organisations, signing in, meetings and lists."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

from fastapi.testclient import TestClient

from openmdt.accounts import create_user, get_or_create_organisation
from openmdt.synth import generate_prostate_list, write_csv

PASSWORD = "correct horse battery staple"
PACK_ID = "prostate-nice-ng131"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')

USERS = {
    "coordinator": ("coord@north.example", "North Trust"),
    "chair": ("chair@north.example", "North Trust"),
    "clinician": ("clin@north.example", "North Trust"),
    "other": ("coord@south.example", "South Trust"),
}


def csrf_of(html: str) -> str:
    """The CSRF token rendered in a page's forms."""
    found = CSRF_FIELD.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def prostate_csv(n: int, seed: int = 7) -> str:
    """A synthetic prostate meeting list as CSV text."""
    stream = io.StringIO()
    write_csv(generate_prostate_list(n, seed=seed), stream)
    return stream.getvalue()


def add_users(app: object) -> None:
    """Coordinator, chair and clinician of North Trust; a coordinator of South Trust."""
    sessions = app.state.openmdt.sessions  # type: ignore[attr-defined]
    with sessions() as db:
        for key, (email, organisation_name) in USERS.items():
            organisation = get_or_create_organisation(db, organisation_name)
            role = "coordinator" if key == "other" else key
            create_user(db, organisation=organisation, email=email, role=role,
                        password=PASSWORD, display_name=f"Test {key}")
        db.commit()


@dataclass
class Browser:
    """A signed-in TestClient and the CSRF token of its session."""

    client: TestClient
    csrf: str

    def post(self, url: str, data: dict | None = None, **kwargs: object):
        """POST a form with the session's CSRF token."""
        form = {"csrf_token": self.csrf, **(data or {})}
        return self.client.post(url, data=form, follow_redirects=False, **kwargs)


def sign_in(app: object, who: str) -> Browser:
    """A client signed in as one of USERS."""
    client = TestClient(app)
    page = client.get("/login")
    response = client.post("/login", data={
        "email": USERS[who][0], "password": PASSWORD, "csrf_token": csrf_of(page.text),
        "next": "/meetings"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    meetings = client.get("/meetings")
    return Browser(client, csrf_of(meetings.text))


def create_meeting(browser: Browser, on: date = date(2026, 11, 27)) -> int:
    """Create a meeting through the page and return its id."""
    response = browser.post("/meetings", {"meeting_date": on.isoformat(), "mdt_type": "1201",
                                          "site_code": "RXX01", "pack_id": PACK_ID})
    assert response.status_code == 303, response.text
    return int(response.headers["location"].split("/")[2].split("?")[0])


def import_list(browser: Browser, meeting_id: int, text: str, name: str = "list.csv"):
    """Upload a meeting list file through the agenda page."""
    return browser.client.post(
        f"/meetings/{meeting_id}/import", data={"csrf_token": browser.csrf},
        files={"list_file": (name, text.encode("utf-8"), "text/csv")}, follow_redirects=False)
