"""Browser test fixtures: the real app served by uvicorn, driven by Debian's chromium.

Chromium is never downloaded: the tests use /usr/bin/chromium (apt-get install chromium).
When it is missing the tests fail with that instruction, unless OPENMDT_SKIP_BROWSER=1 is set,
in which case they are skipped with that reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from openmdt.accounts import create_user, get_or_create_organisation
from openmdt.web.app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "browser tests password"
ACCOUNTS = {
    "chair": ("chair@east.example", "East Trust", "chair", "Dr Rowan Chair"),
    "coordinator": ("coord@east.example", "East Trust", "coordinator", "Hazel Coordinator"),
    "outsider": ("coord@west.example", "West Trust", "coordinator", "Willow Outsider"),
    "prescriber": ("prescriber@east.example", "East Trust", "prescriber", "Dr Ash Prescriber"),
    "pharmacist": ("pharmacist@east.example", "East Trust", "pharmacist", "Elm Pharmacist"),
    "nurse": ("nurse@east.example", "East Trust", "nurse", "Oak Nurse"),
    "admin": ("admin@east.example", "East Trust", "admin", "Yew Admin"),
    "auditor": ("audit@east.example", "East Trust", "auditor", "Ivy Auditor"),
    "outside_auditor": ("audit@west.example", "West Trust", "auditor", "Rowan Outside"),
    "harbour_coordinator": ("coord@harbour.example", "Harbour Trust", "coordinator",
                            "Sorrel Harbour"),
    "alliance_analyst": ("analyst@alliance.example", "Coast Cancer Alliance",
                         "alliance_analyst", "Fern Analyst"),
}
# West Trust stays outside the alliance (and its dashboard empty for the reports test).
ALLIANCE = ("coast", "Coast Cancer Alliance", ("East Trust", "Harbour Trust"))


def chromium_path() -> str:
    """Debian's chromium, or a failure that says how to install it (or skip on purpose)."""
    if os.environ.get("OPENMDT_SKIP_BROWSER") == "1":
        pytest.skip("OPENMDT_SKIP_BROWSER=1: browser tests switched off")
    found = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not found:
        pytest.fail(
            f"Debian chromium not found at {CHROMIUM}: install it with "
            "'apt-get install -y chromium' (never 'playwright install'), "
            "or set OPENMDT_SKIP_BROWSER=1 to skip the browser tests.",
            pytrace=False,
        )
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _add_accounts(app: object) -> None:
    from openmdt.accounts.alliances import add_trust, create_alliance
    from openmdt.sact.workflow import set_verifier_level

    with app.state.openmdt.sessions() as db:  # type: ignore[attr-defined]
        name, label, trusts = ALLIANCE
        alliance = create_alliance(db, name=name, label=label,
                                   pack_id="example-alliance-prostate")
        users = {}
        for who, (email, organisation_name, role, name) in ACCOUNTS.items():
            organisation = get_or_create_organisation(db, organisation_name)
            users[who] = create_user(db, organisation=organisation, email=email, role=role,
                                     password=PASSWORD, display_name=name)
        for trust in trusts:
            add_trust(db, alliance, trust)
        set_verifier_level(db, users["pharmacist"].id, "2c", acting_user=users["admin"])
        db.commit()


@dataclass(frozen=True)
class LiveServer:
    """The address of the app under test."""

    url: str


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app on a temporary SQLite file, served by uvicorn in a background thread."""
    chromium_path()  # fail or skip before starting anything
    database: Path = tmp_path_factory.mktemp("browser") / "openmdt.db"
    app = create_app(f"sqlite:///{database}", secret_key="browser-tests")
    _add_accounts(app)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the app did not start under uvicorn", pytrace=False)
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian chromium under Playwright."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _sign_in(page: object, server: LiveServer, who: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto(f"{server.url}/login")  # type: ignore[attr-defined]
    page.get_by_label("Email address").fill(ACCOUNTS[who][0])  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    home = "/alliance" if ACCOUNTS[who][2] == "alliance_analyst" else "/meetings"
    page.wait_for_url(f"{server.url}{home}")  # type: ignore[attr-defined]


@pytest.fixture()
def sign_in(live_server: LiveServer):  # noqa: ANN201 - a callable fixture
    """sign_in(page, who): sign a page in as one of ACCOUNTS ("chair", "coordinator", ...)."""
    return lambda page, who: _sign_in(page, live_server, who)
