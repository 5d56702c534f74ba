"""`openmdt export cosd`: golden files on a synthetic meeting, gaps per record, --org."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openmdt import meetings
from openmdt.cli import app
from openmdt.meetings.actions import record_outcome
from openmdt.store.database import make_engine, make_sessionmaker, upgrade_database
from openmdt.store.models import User

GOLDEN = Path(__file__).parent / "golden"
PACK = "prostate-nice-ng131"


def _soc_facts() -> dict:
    from openmdt.knowledge import load_pack

    test = next(t for t in load_pack(PACK).tests if t.expect.get("route") == "standard_of_care")
    return dict(test.case["facts"])


def _list() -> str:
    cases = [
        {"case_id": "S1", "patient": {"nhs_number": "9990000018"}, "facts": _soc_facts()},
        {"case_id": "D1", "patient": {"nhs_number": "9990000026"},
         "facts": {**_soc_facts(), "m_stage": "M1b", "who_performance_status": 3}},
        {"case_id": "N1", "facts": {"pathway_point": "new_diagnosis", "psa": 9.1}},
    ]
    return "\n".join(json.dumps(case) for case in cases)


@pytest.fixture
def synthetic_meeting(tmp_path, tenant_maker) -> str:
    url = f"sqlite:///{tmp_path / 'cosd.db'}"
    engine = make_engine(url)
    upgrade_database(url, engine=engine)
    sessions = make_sessionmaker(engine)
    tenants = tenant_maker(sessions)
    def user(db, key: str) -> User:
        return db.get(User, tenants.user_ids[key])

    with sessions() as db:  # one session per action, as one per request in the app
        meeting_id = meetings.create_meeting(db, acting_user=user(db, "coordinator"),
                                             meeting_date=date(2026, 12, 1), mdt_type="1201",
                                             site_code="RX101", pack_id=PACK).id
    with sessions() as db:
        meetings.import_cases(db, meeting_id, _list(), "jsonl",
                              acting_user=user(db, "coordinator"))
    with sessions() as db:
        assert len(meetings.confirm_standard_of_care(db, meeting_id,
                                                     acting_user=user(db, "chair"))) == 1
    with sessions() as db:
        meeting = meetings.get_meeting(db, meeting_id, user=user(db, "chair"))
        discussed = next(c for c in meeting.cases if c.case_ref == "D1")
        decision = discussed.current_evaluation["decisions"][0]
        record_outcome(db, discussed.id, acting_user=user(db, "chair"),
                       chosen_options=[f"{decision['id']}/{decision['candidates'][0]['id']}"],
                       care_plan_intent="X", planned_treatment_types=["11"],
                       rationale="Best supportive care", deviation_code="performance_status",
                       deviation_text="WHO PS 3")
    for who, when, site, kind in (("coordinator", date(2027, 1, 5), "RX101", "1201"),
                                  ("other_coordinator", date(2026, 12, 2), "RX202", "1202")):
        with sessions() as db:
            later = meetings.create_meeting(db, acting_user=user(db, who), meeting_date=when,
                                            mdt_type=kind, site_code=site, pack_id=PACK)
            meetings.import_cases(db, later.id, _list(), "jsonl", acting_user=user(db, who))
    engine.dispose()
    return url


def _export(url: str, output: Path, *extra: str):
    return CliRunner().invoke(app, ["export", "cosd", "--from", "2026-12-01", "--to",
                                    "2026-12-31", "-o", str(output), *extra],
                              env={"OPENMDT_DATABASE_URL": url})


def test_golden_export_of_a_synthetic_meeting(synthetic_meeting, tmp_path) -> None:
    output = tmp_path / "cosd.csv"
    result = _export(synthetic_meeting, output, "--org", "Demo NHS Trust")
    assert result.exit_code == 0, result.output
    assert output.read_text() == (GOLDEN / "cosd-export.csv").read_text()
    dictionary = tmp_path / "cosd-data-dictionary.csv"
    assert dictionary.read_text() == (GOLDEN / "cosd-export-data-dictionary.csv").read_text()
    # gaps are reported per record on standard error too
    assert "record 3 (case N1): CR0460: no MDT outcome recorded" in result.stderr
    assert "record 2 (case D1): CR0490" in result.stderr
    assert "3 records written" in result.stderr
    assert "CSV only, no XML" in result.stderr


def test_the_help_says_no_xml_is_produced_and_why() -> None:
    from typer.testing import CliRunner

    from openmdt.cli import app

    result = CliRunner().invoke(app, ["export", "cosd", "--help"], terminal_width=200)
    text = " ".join(result.output.split())
    assert "the COSD submission XML is not produced" in text and "NHS TRUD" in text


def test_without_org_every_organisation_in_the_period(synthetic_meeting, tmp_path) -> None:
    output = tmp_path / "all.csv"
    result = _export(synthetic_meeting, output)
    assert result.exit_code == 0, result.output
    lines = output.read_text().splitlines()
    assert len(lines) == 1 + 6  # two meetings in December, three cases each
    assert sum(",RX202,1202," in line for line in lines) == 3


def test_bad_dates_exit_2(tmp_path) -> None:
    result = CliRunner().invoke(app, ["export", "cosd", "--from", "2026-13-01", "--to",
                                      "2026-12-31", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "--from" in result.stderr
    result = CliRunner().invoke(app, ["export", "cosd", "--from", "2026-12-31", "--to",
                                      "2026-12-01", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "after" in result.stderr
