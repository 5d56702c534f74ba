"""GET /audit verifies only what is new since the head this server verified last, and still
notices a chain rebuilt since then (no checkpoint key needed for that)."""

from __future__ import annotations

from api_helpers import new_meeting
from sqlalchemy import select, text

from openmdt.store import verify_audit_chain
from openmdt.store.audit import GENESIS_HASH, VerifiedHead, row_hash, verify_since
from openmdt.store.models import AuditEvent


def _disable_guards(db) -> None:
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    else:
        for name in ("audit_events_no_update", "audit_events_no_delete"):
            db.execute(text(f"DROP TRIGGER {name}"))


def _rebuild_chain(db) -> None:
    _disable_guards(db)
    first = db.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).first()
    db.execute(text("UPDATE audit_events SET action = 'nothing' WHERE id = :id"), {"id": first})
    db.commit()
    previous = GENESIS_HASH
    for event in db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all():
        db.refresh(event)
        fresh = row_hash(previous, event)
        db.execute(text("UPDATE audit_events SET prev_hash = :p, row_hash = :r WHERE id = :id"),
                   {"p": previous, "r": fresh, "id": event.id})
        previous = fresh
    db.commit()


def test_a_chain_rebuilt_since_the_last_check_is_reported(app, client, tenants, monkeypatch):
    monkeypatch.delenv("OPENMDT_AUDIT_KEY", raising=False)
    new_meeting(client, tenants)
    headers = tenants.headers("auditor")
    assert client.get("/api/v1/audit", headers=headers).json()["chain_ok"] is True
    with app.state.openmdt.sessions() as db:
        _rebuild_chain(db)
        assert verify_audit_chain(db).ok  # self-consistent again
    assert client.get("/api/v1/audit", headers=headers).json()["chain_ok"] is False


def test_only_rows_after_the_verified_head_are_read(app, client, tenants):
    new_meeting(client, tenants)
    with app.state.openmdt.sessions() as db:
        full = verify_audit_chain(db)
        head = VerifiedHead(full.last_id, full.last_hash, full.rows_checked)
    new_meeting(client, tenants)
    with app.state.openmdt.sessions() as db:
        first = db.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).first()
        _disable_guards(db)
        db.execute(text("UPDATE audit_events SET action = 'edited' WHERE id = :id"),
                   {"id": first})  # before the head: a full check finds it, an increment not
        db.commit()
        since = verify_since(db, head)
        assert since.ok and since.rows_checked == full.rows_checked + 1
        assert not verify_audit_chain(db).ok
