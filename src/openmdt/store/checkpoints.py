"""Signed checkpoints of the audit chain: an anchor for the chain outside the database.

A checkpoint says "the chain verified up to row N, whose hash was H, after R rows", signed
with HMAC-SHA256 under a key that is not in the database (`OPENMDT_AUDIT_KEY`, or the first
line of the file `OPENMDT_AUDIT_KEY_FILE`). Someone who can rewrite the database can make a
new, self-consistent chain, but not a checkpoint that matches it: the rewritten chain fails
against the last checkpoint. Checkpoints can be exported (JSON lines) and kept elsewhere, so
deleting them from the database does not hide a rewrite either.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openmdt.store.models import AuditCheckpoint, AuditEvent

KEY_ENV = "OPENMDT_AUDIT_KEY"
KEY_FILE_ENV = "OPENMDT_AUDIT_KEY_FILE"


def audit_key_from_env() -> bytes | None:
    """The checkpoint key: `OPENMDT_AUDIT_KEY`, else the key file's first line, else None."""
    key = os.environ.get(KEY_ENV, "").strip()
    if key:
        return key.encode("utf-8")
    path = os.environ.get(KEY_FILE_ENV, "").strip()
    if path:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        if lines and lines[0].strip():
            return lines[0].strip().encode("utf-8")
        raise ValueError(f"{KEY_FILE_ENV} names an empty file: {path}")
    return None


def signature(key: bytes, last_event_id: int, rows_checked: int, row_hash: str) -> str:
    """The HMAC-SHA256 of one checkpoint's fields."""
    message = f"openmdt-audit-checkpoint:{last_event_id}:{rows_checked}:{row_hash}"
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    query = select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)
    return session.scalars(query).first()


def checkpoint_problem(session: Session, checkpoint: Any, key: bytes) -> str | None:
    """Why the chain does not match `checkpoint` (a stored row or an exported dict), or None."""
    fields = checkpoint if isinstance(checkpoint, dict) else export_dict(checkpoint)
    expected = signature(key, fields["last_event_id"], fields["rows_checked"],
                         fields["row_hash"])
    if not hmac.compare_digest(expected, str(fields["signature"])):
        return f"checkpoint at row {fields['last_event_id']} is not signed with the audit key"
    event = session.get(AuditEvent, fields["last_event_id"])
    if event is None or event.row_hash != fields["row_hash"]:
        return (f"the chain was rewritten: row {fields['last_event_id']} no longer matches "
                "the signed checkpoint")
    rows = session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.id <= fields["last_event_id"]))
    if rows != fields["rows_checked"]:
        return (f"rows were removed or added before row {fields['last_event_id']} since the "
                "signed checkpoint")
    return None


def record_checkpoint(session: Session, result: Any, key: bytes | None,
                      now: datetime | None = None) -> AuditCheckpoint | None:
    """Add a signed checkpoint for a verified chain head (caller commits); None when there is
    no key, the chain failed or is empty, or the head has not moved since the last one."""
    if key is None or not result.ok or result.last_id is None:
        return None
    latest = latest_checkpoint(session)
    if latest is not None and latest.last_event_id == result.last_id:
        return latest
    checkpoint = AuditCheckpoint(
        last_event_id=result.last_id, rows_checked=result.rows_checked,
        row_hash=result.last_hash,
        created_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        signature=signature(key, result.last_id, result.rows_checked, result.last_hash),
    )
    session.add(checkpoint)
    session.flush()
    return checkpoint


def export_dict(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """One checkpoint as JSON-ready fields (the export format, one object per line)."""
    return {"last_event_id": checkpoint.last_event_id, "rows_checked": checkpoint.rows_checked,
            "row_hash": checkpoint.row_hash, "created_at": checkpoint.created_at,
            "signature": checkpoint.signature}


def all_checkpoints(session: Session) -> list[AuditCheckpoint]:
    return list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)))
