"""Two people saving the same case at once: the second gets StaleVersion and nothing is lost."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from openmdt.meetings import create_meeting, get_case, import_cases, update_facts
from openmdt.store import StaleVersion, User, make_engine, make_sessionmaker, upgrade_database


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    upgrade_database(database_url, engine=engine)
    yield make_sessionmaker(engine)
    engine.dispose()


def _listed_case(sessions, tenant_maker) -> int:
    from openmdt.synth import generate_prostate_list

    tenant_maker(sessions)
    with sessions() as db:
        coordinator = db.scalars(select(User).where(User.role == "coordinator")).first()
        meeting = create_meeting(
            db,
            acting_user=coordinator,
            meeting_date=date(2026, 12, 1),
            mdt_type="1201",
            site_code="RX1",
            pack_id="prostate-nice-ng131",
        )
        text = json.dumps(generate_prostate_list(n=1, seed=7)[0], default=str)
        return import_cases(db, meeting.id, text, "jsonl", acting_user=coordinator)[0].id


def test_second_of_two_simultaneous_saves_is_refused(sessions, tenant_maker):
    case_id = _listed_case(sessions, tenant_maker)
    with sessions() as first, sessions() as second:
        alice = first.scalars(select(User).where(User.role == "coordinator")).first()
        bob = second.scalars(select(User).where(User.role == "chair")).first()
        # Both read version 1 before either saves.
        assert get_case(first, case_id, user=alice).version == 1
        assert get_case(second, case_id, user=bob).version == 1
        update_facts(first, case_id, {"psa": 6.1}, expected_version=1, acting_user=alice)
        with pytest.raises(StaleVersion):
            update_facts(second, case_id, {"psa": 9.9}, expected_version=1, acting_user=bob)
    with sessions() as db:
        reader = db.scalars(select(User).where(User.role == "auditor")).first()
        case = get_case(db, case_id, user=reader)
        assert case.version == 2
        assert case.current_facts["psa"] == 6.1
        assert [v.version for v in case.fact_versions] == [1, 2]
