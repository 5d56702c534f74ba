"""The alliance view over recorded meetings on SQLite and PostgreSQL: each trust's figures
equal its own dashboard's, the alliance's are their sums, and the packs in use are read
from the stored evaluations."""

from __future__ import annotations

from datetime import date

from openmdt.accounts import create_user, get_or_create_organisation
from openmdt.accounts.alliances import add_trust, create_alliance, member_trusts
from openmdt.analytics.alliance import recorded_alliance
from openmdt.analytics.assumptions import load_assumptions
from openmdt.analytics.pathway import load_standards
from openmdt.analytics.pilot import recorded_pilot
from openmdt.analytics.recorded import RecordedFilter
from openmdt.knowledge import load_pack
from openmdt.store.database import make_engine, make_sessionmaker, upgrade_database
from openmdt.synth.recorded import seed_weekly_meetings

PLAN = {"Tyne Trust": "prostate-nice-ng131", "Wear Trust": "example-alliance-prostate"}


def test_trusts_side_by_side_from_recorded_meetings(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_database(database_url, engine=engine)
    try:
        with make_sessionmaker(engine)() as db:
            alliance = create_alliance(db, name="ne", label="NE Alliance",
                                       pack_id="example-alliance-prostate")
            for number, (trust, pack) in enumerate(PLAN.items()):
                organisation = get_or_create_organisation(db, trust)
                coordinator, chair = (
                    create_user(db, organisation=organisation, email=f"{r}{number}@x.example",
                                role=r, password=None) for r in ("coordinator", "chair"))
                add_trust(db, alliance, trust)
                seed_weekly_meetings(db, coordinator=coordinator, chair=chair,
                                     start=date(2026, 2, 2), weeks=2, cases_per_meeting=6,
                                     seed=3 + number, pack_id=pack)
            pack = load_pack(alliance.pack_id)
            names = [t.name for t in member_trusts(db, alliance)]
            report = recorded_alliance(db, alliance.label, pack, names, RecordedFilter(),
                                       load_assumptions(), load_standards())
            wear = recorded_pilot(db, pack, RecordedFilter(organisation="Wear Trust"),
                                  load_assumptions(), load_standards())
    finally:
        engine.dispose()
    by_name = {t.trust: t for t in report.trusts}
    assert names == ["Tyne Trust", "Wear Trust"]
    assert by_name["Wear Trust"].concordance_rate == wear.concordance.counts.rate
    assert by_name["Wear Trust"].listed == wear.streamlining.totals()["listed"] == 12
    assert report.totals.listed == 24 and report.totals.meetings == 4
    assert report.totals.evaluable == sum(t.evaluable for t in report.trusts)
    (tyne_pack,) = by_name["Tyne Trust"].packs
    (wear_pack,) = by_name["Wear Trust"].packs
    assert (tyne_pack.pack_id, tyne_pack.evaluations) == ("prostate-nice-ng131", 12)
    assert (wear_pack.status, wear_pack.first_month) == ("the alliance's current set",
                                                         "2026-02")
