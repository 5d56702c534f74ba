"""Tampering with the audit trail as an attacker with direct database access would: the
guards switched off, one row changed and the whole chain re-hashed so it verifies again."""

from __future__ import annotations

from sqlalchemy import select, text

from openmdt.store.audit import GENESIS_HASH, row_hash
from openmdt.store.models import AuditEvent


def disable_guards(db) -> None:
    """Switch off the triggers that keep the audit table append-only."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    else:
        for name in ("audit_events_no_update", "audit_events_no_delete"):
            db.execute(text(f"DROP TRIGGER {name}"))


def rewrite_chain(db, change_id: int, action: str) -> None:
    """Change one row's action and re-chain every row after the genesis hash."""
    disable_guards(db)
    db.execute(text("UPDATE audit_events SET action = :a WHERE id = :id"),
               {"a": action, "id": change_id})
    db.commit()
    previous = GENESIS_HASH
    for event in db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all():
        db.refresh(event)
        fresh = row_hash(previous, event)
        db.execute(text("UPDATE audit_events SET prev_hash = :p, row_hash = :r WHERE id = :id"),
                   {"p": previous, "r": fresh, "id": event.id})
        previous = fresh
    db.commit()
