"""The dashboard over a year of weekly meetings for five trusts (issue 11, Speed).

    .venv/bin/python bench/bench_alliance.py [--trusts 5] [--weeks 52] [--cases 20]
                                             [--repeat 3] [--database-url URL]

Five trusts of one alliance each hold a year of weekly prostate meetings, listed, routed and
decided through the named actions (`openmdt.synth.recorded.seed_weekly_meetings`; not
timed). Then, in the same run, through the real app over HTTP (in-process TestClient, real
SQLite or PostgreSQL): one trust's dashboard (`/reports` as its auditor: the baseline), the
alliance view (`/alliance` as the alliance analyst: five trusts' figures), one alliance CSV
table (`/alliance/tables/trusts.csv`), and `openmdt report pilot --alliance` (HTML, PDF and
tables) in process. Wall and CPU time (this process) per request, median of --repeat. No
assertions: see bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

PASSWORD = "bench alliance password"
PACKS = ("example-alliance-prostate", "prostate-nice-ng131")  # trusts alternate


def seed(app: Any, trusts: int, weeks: int, cases: int) -> dict[str, Any]:
    """The alliance, its analyst, one auditor per trust, and the trusts' meetings."""
    from openmdt.accounts import create_user, get_or_create_organisation
    from openmdt.accounts.alliances import add_trust, create_alliance
    from openmdt.store.models import Organisation
    from openmdt.synth.recorded import seed_weekly_meetings

    written = {"meetings": 0, "cases": 0, "outcomes": 0}
    with app.state.openmdt.sessions() as db:
        alliance = create_alliance(db, name="bench", label="Bench Cancer Alliance",
                                   pack_id=PACKS[0])
        create_user(db, organisation=db.get(Organisation, alliance.organisation_id),
                    email="analyst@bench.example", role="alliance_analyst", password=PASSWORD)
        for number in range(trusts):
            trust = get_or_create_organisation(db, f"Bench Trust {number + 1}")
            coordinator, chair, _ = (
                create_user(db, organisation=trust, email=f"{role}{number}@bench.example",
                            role=role, password=PASSWORD)
                for role in ("coordinator", "chair", "auditor"))
            add_trust(db, alliance, trust.name)
            done = seed_weekly_meetings(db, coordinator=coordinator, chair=chair,
                                        start=date(2025, 1, 6), weeks=weeks,
                                        cases_per_meeting=cases, seed=100 + number,
                                        pack_id=PACKS[number % 2])
            written["meetings"] += done.meetings
            written["cases"] += done.cases
            written["outcomes"] += done.outcomes
    return written


def signed_in(app: Any, email: str) -> Any:
    from fastapi.testclient import TestClient

    client = TestClient(app)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
    assert token is not None
    client.post("/login", data={"email": email, "password": PASSWORD,
                                "csrf_token": token.group(1), "next": "/meetings"},
                follow_redirects=False)
    return client


def timed(run: Callable[[], Any], repeat: int) -> dict[str, float]:
    """Median wall and CPU seconds of ``repeat`` runs (after one untimed warm-up)."""
    run()
    walls, cpus = [], []
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus)}


def _ok(response: Any) -> Any:
    if response.status_code != 200:
        raise SystemExit(f"{response.request.url}: {response.status_code}")
    return response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trusts", type=int, default=5)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--cases", type=int, default=20, help="cases per meeting")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None,
                        help="an empty database (default: a new SQLite file)")
    args = parser.parse_args()
    from openmdt.web.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = create_app(url, secret_key="bench-alliance")
        started = time.perf_counter()
        written = seed(app, args.trusts, args.weeks, args.cases)
        print(f"database {url.split(':')[0]}; {args.trusts} trusts, {written['meetings']} "
              f"meetings, {written['cases']} cases, {written['outcomes']} outcomes; seeded "
              f"in {time.perf_counter() - started:.0f} s, not timed")
        load = os.getloadavg()
        # the second trust runs the national pack, which /reports reads
        auditor = signed_in(app, "auditor1@bench.example")
        analyst = signed_in(app, "analyst@bench.example")
        results = {
            "one trust's dashboard (/reports)": timed(
                lambda: _ok(auditor.get("/reports")), args.repeat),
            "alliance view (/alliance)": timed(
                lambda: _ok(analyst.get("/alliance")), args.repeat),
            "one alliance CSV table": timed(
                lambda: _ok(analyst.get("/alliance/tables/trusts.csv")), args.repeat),
            "report pilot --alliance (HTML, PDF, CSV)": timed(
                lambda: _report(app, url, Path(tmp) / "report"), 1),
        }
        load_after = os.getloadavg()
        app.state.openmdt.engine.dispose()
    print(f"load average {load[0]:.2f} at the start, {load_after[0]:.2f} at the end; "
          f"python {sys.version.split()[0]}")
    base = results["one trust's dashboard (/reports)"]
    for name, t in results.items():
        print(f"| {name} | {t['wall']:.2f} | {t['cpu']:.2f} | "
              f"{t['cpu'] / base['cpu']:.1f}x |")


def _report(app: Any, url: str, folder: Path) -> None:
    from openmdt.accounts.alliances import alliance_by_name, member_trusts
    from openmdt.analytics.alliance import recorded_alliance
    from openmdt.analytics.assumptions import load_assumptions
    from openmdt.analytics.pathway import load_standards
    from openmdt.analytics.recorded import RecordedFilter
    from openmdt.analytics.render_alliance import write_alliance
    from openmdt.knowledge import load_pack

    with app.state.openmdt.sessions() as db:
        alliance = alliance_by_name(db, "bench")
        report = recorded_alliance(db, alliance.label, load_pack(alliance.pack_id),
                                   [t.name for t in member_trusts(db, alliance)],
                                   RecordedFilter(), load_assumptions(), load_standards())
    write_alliance(report, folder)


if __name__ == "__main__":
    main()
