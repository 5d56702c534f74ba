"""The audit chain against rewrites: INSERT OR REPLACE is refused, and signed checkpoints
(key outside the database) expose a chain rebuilt by someone with full database access."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from test_audit_chain import _some_actions, sessions  # noqa: F401 - the fixture
from typer.testing import CliRunner

from audit_tampering import rewrite_chain
from openmdt.cli.server import audit_app
from openmdt.store import AuditEvent, verify_audit_chain
from openmdt.store.checkpoints import record_checkpoint

KEY = b"audit key kept outside the database"


COLUMNS = ("id, occurred_at, organisation_id, user_id, action, entity_type, entity_id, "
           "details, prev_hash, row_hash")
REWRITE = ("SELECT id, occurred_at, organisation_id, user_id, 'rewritten', entity_type, "
           "entity_id, details, prev_hash || 'x', row_hash || 'x' FROM audit_events "
           "WHERE id = :id")
UPSERTS = {
    "sqlite": f"INSERT OR REPLACE INTO audit_events ({COLUMNS}) {REWRITE}",
    "postgresql": f"INSERT INTO audit_events ({COLUMNS}) {REWRITE} ON CONFLICT (id) DO UPDATE "
                  "SET action = EXCLUDED.action, prev_hash = EXCLUDED.prev_hash, "
                  "row_hash = EXCLUDED.row_hash",
}


def test_an_upsert_cannot_rewrite_a_row(sessions, tenant_maker):  # noqa: F811
    _some_actions(sessions, tenant_maker)
    with sessions() as db:
        first = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
        with pytest.raises(DBAPIError):
            db.execute(text(UPSERTS[db.get_bind().dialect.name]), {"id": first.id})
            db.commit()
        db.rollback()
        assert verify_audit_chain(db).ok


def _rebuild_chain(db, change_id: int) -> None:
    rewrite_chain(db, change_id, "nothing_happened")


def test_a_rebuilt_chain_fails_against_the_last_checkpoint(sessions, tenant_maker):  # noqa: F811
    _some_actions(sessions, tenant_maker)
    with sessions() as db:
        result = verify_audit_chain(db, key=KEY)
        assert record_checkpoint(db, result, KEY) is not None
        db.commit()
        first_id = db.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).first()
        _rebuild_chain(db, first_id)
        assert verify_audit_chain(db).ok  # the hash chain alone cannot tell
        checked = verify_audit_chain(db, key=KEY)
        assert not checked.ok and "rewritten" in checked.problem
        assert not verify_audit_chain(db, key=b"another key").ok  # a checkpoint is not forged


def test_incremental_verification_starts_at_the_checkpoint(sessions, tenant_maker):  # noqa: F811
    _some_actions(sessions, tenant_maker)
    with sessions() as db:
        full = verify_audit_chain(db, key=KEY)
        record_checkpoint(db, full, KEY)
        db.commit()
    _some_actions(sessions, lambda _sessions: None)
    with sessions() as db:
        incremental = verify_audit_chain(db, key=KEY, incremental=True)
        again = verify_audit_chain(db, key=KEY)
    assert incremental.ok and incremental.rows_checked == again.rows_checked > full.rows_checked


def test_cli_writes_exports_and_checks_checkpoints(sessions, tenant_maker, database_url,  # noqa: F811
                                                   monkeypatch, tmp_path):
    _some_actions(sessions, tenant_maker)
    monkeypatch.setenv("OPENMDT_DATABASE_URL", database_url)
    monkeypatch.setenv("OPENMDT_AUDIT_KEY", KEY.decode())
    runner = CliRunner()
    assert runner.invoke(audit_app, ["verify"]).exit_code == 0
    exported = runner.invoke(audit_app, ["checkpoints"]).output
    assert len(exported.splitlines()) == 1 and json.loads(exported)["signature"]
    kept = tmp_path / "checkpoints.jsonl"
    kept.write_text(exported, encoding="utf-8")
    assert runner.invoke(audit_app, ["verify", "--against", str(kept)]).exit_code == 0
    with sessions() as db:
        first_id = db.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).first()
        _rebuild_chain(db, first_id)
        if db.get_bind().dialect.name == "postgresql":
            db.execute(text("ALTER TABLE audit_checkpoints DISABLE TRIGGER USER"))
        else:
            db.execute(text("DROP TRIGGER audit_checkpoints_no_delete"))
        db.execute(text("DELETE FROM audit_checkpoints"))  # and hides the checkpoints
        db.commit()
    assert runner.invoke(audit_app, ["verify"]).exit_code == 0  # nothing left to compare
    broken = runner.invoke(audit_app, ["verify", "--against", str(kept)])
    assert broken.exit_code == 1 and "rewritten" in broken.output
