"""GET /audit verifies only what is new since the head this server verified last, and still
notices a chain rebuilt since then (no checkpoint key needed for that)."""

from __future__ import annotations

from api_helpers import new_meeting
from sqlalchemy import select, text

from audit_tampering import disable_guards, rewrite_chain
from openmdt.store import verify_audit_chain
from openmdt.store.audit import VerifiedHead, verify_since
from openmdt.store.models import AuditEvent


def _rebuild_chain(db) -> None:
    first = db.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).first()
    rewrite_chain(db, first, "nothing")


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
        disable_guards(db)
        db.execute(text("UPDATE audit_events SET action = 'edited' WHERE id = :id"),
                   {"id": first})  # before the head: a full check finds it, an increment not
        db.commit()
        since = verify_since(db, head)
        assert since.ok and since.rows_checked == full.rows_checked + 1
        assert not verify_audit_chain(db).ok
