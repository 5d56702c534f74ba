"""The audit trail: hash chain, append-only triggers, tamper detection, migrations."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from openmdt.store import (
    AuditEvent,
    make_engine,
    make_sessionmaker,
    upgrade_database,
    verify_audit_chain,
)


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    upgrade_database(database_url, engine=engine)
    yield make_sessionmaker(engine)
    engine.dispose()


def _some_actions(sessions, tenant_maker):
    from openmdt.meetings import create_meeting

    tenant_maker(sessions)
    with sessions() as db:
        from openmdt.store import User

        chair = db.scalars(select(User).where(User.role == "chair")).first()
        for day in (1, 8, 15):
            create_meeting(
                db,
                acting_user=chair,
                meeting_date=date(2026, 12, day),
                mdt_type="1201",
                site_code="RX1",
                pack_id="prostate-nice-ng131",
            )


def test_migration_creates_every_table_and_is_repeatable(sessions, database_url):
    upgrade_database(database_url)  # a second upgrade is a no-op
    engine = sessions.kw["bind"]
    tables = set(inspect(engine).get_table_names())
    assert tables >= {
        "organisations",
        "users",
        "api_tokens",
        "login_sessions",
        "meetings",
        "meeting_cases",
        "fact_versions",
        "outcomes",
        "attendance",
        "audit_events",
        "login_attempts",
        "alembic_version",
    }


def test_chain_verifies_after_actions(sessions, tenant_maker):
    _some_actions(sessions, tenant_maker)
    with sessions() as db:
        result = verify_audit_chain(db)
        rows = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert result.ok and result.rows_checked == len(rows) > 3
    assert all(b.prev_hash == a.row_hash for a, b in zip(rows, rows[1:], strict=False))


def test_database_refuses_update_and_delete(sessions, tenant_maker):
    _some_actions(sessions, tenant_maker)
    for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
        with sessions() as db, pytest.raises(DBAPIError):
            db.execute(text(statement))
            db.commit()


def _drop_triggers(db) -> None:
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
    else:
        db.execute(text("DROP TRIGGER audit_events_no_update"))
        db.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_tampering_is_detected(sessions, tenant_maker):
    _some_actions(sessions, tenant_maker)
    with sessions() as db:
        target = db.scalars(select(AuditEvent.id).where(AuditEvent.action == "create_meeting"))
        target_id = target.first()
        _drop_triggers(db)
        db.execute(
            text("UPDATE audit_events SET action = 'create_nothing' WHERE id = :id"),
            {"id": target_id},
        )
        db.commit()
        result = verify_audit_chain(db)
    assert not result.ok
    assert result.first_bad_id == target_id
    assert result.problem == "row content does not match hash"


def test_deleting_a_row_is_detected(sessions, tenant_maker):
    _some_actions(sessions, tenant_maker)
    with sessions() as db:
        ids = db.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
        _drop_triggers(db)
        db.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[2]})
        db.commit()
        result = verify_audit_chain(db)
    assert not result.ok
    assert result.first_bad_id == ids[3]


def test_cli_verify_exits_non_zero_on_a_broken_chain(
    sessions, tenant_maker, database_url, monkeypatch
):
    from typer.testing import CliRunner

    from openmdt.cli.server import audit_app

    _some_actions(sessions, tenant_maker)
    monkeypatch.setenv("OPENMDT_DATABASE_URL", database_url)
    assert CliRunner().invoke(audit_app, ["verify"]).exit_code == 0
    with sessions() as db:
        _drop_triggers(db)
        db.execute(text("UPDATE audit_events SET details = '{}' WHERE id = 2"))
        db.commit()
    broken = CliRunner().invoke(audit_app, ["verify", "--json"])
    assert broken.exit_code == 1
    assert '"ok": false' in broken.output
