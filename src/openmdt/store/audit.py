"""The append-only, hash-chained audit trail: writing a row and checking the chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from openmdt.store.models import AuditEvent, User

GENESIS_HASH = "0" * 64
# Any constant works; it names the PostgreSQL advisory lock that serialises chain appends.
_CHAIN_LOCK_KEY = 7_426_001


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same row always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "occurred_at": event.occurred_at,
        "organisation_id": event.organisation_id,
        "user_id": event.user_id,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "details": event.details,
    }


def row_hash(prev_hash: str, event: AuditEvent) -> str:
    """sha256 over the previous row's hash followed by this row's canonical JSON."""
    payload = prev_hash + canonical_json(_hashed_fields(event))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _last_hash(session: Session) -> str:
    if session.get_bind().dialect.name == "postgresql":
        # Two transactions appending at once would otherwise both link to the same row.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    last = session.scalars(select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1))
    return last.first() or GENESIS_HASH


def append_audit(
    session: Session,
    *,
    action: str,
    entity_type: str,
    entity_id: int | None,
    details: dict[str, Any],
    acting_user: User | None,
    organisation_id: int | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Add one audit row in the caller's transaction (it commits or rolls back with the action)."""
    session.flush()
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    event = AuditEvent(
        occurred_at=moment.isoformat(timespec="microseconds"),
        organisation_id=organisation_id if acting_user is None else acting_user.organisation_id,
        user_id=None if acting_user is None else acting_user.id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        details=json.loads(canonical_json(details)),
    )
    event.prev_hash = _last_hash(session)
    event.row_hash = row_hash(event.prev_hash, event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class AuditVerification:
    """The result of checking the chain: ok, how many rows, and the first broken row if any.

    `last_id` and `last_hash` name the newest row that was verified (for a checkpoint).
    """

    ok: bool
    rows_checked: int
    first_bad_id: int | None = None
    problem: str | None = None
    last_id: int | None = None
    last_hash: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the CLI and API."""
        return {
            "ok": self.ok,
            "rows_checked": self.rows_checked,
            "first_bad_id": self.first_bad_id,
            "problem": self.problem,
        }


def verify_audit_chain(
    session: Session, *, key: bytes | None = None, incremental: bool = False
) -> AuditVerification:
    """Recompute every row's hash in order; any edited, removed or inserted row breaks it.

    With the checkpoint `key`, the newest checkpoint must carry a valid signature and still
    match its row (a chain rewritten since then fails); `incremental` then starts after that
    row instead of from the first (rows before a checkpoint are trusted: use a full check,
    as `openmdt audit verify` does, to re-read them).
    """
    from openmdt.store.checkpoints import checkpoint_problem, latest_checkpoint

    checkpoint = latest_checkpoint(session) if key is not None else None
    if checkpoint is not None:
        assert key is not None
        problem = checkpoint_problem(session, checkpoint, key)
        if problem is not None:
            return AuditVerification(False, 0, checkpoint.last_event_id, problem)
    if incremental and checkpoint is not None:
        return _walk(session, checkpoint.last_event_id, checkpoint.row_hash,
                     checkpoint.rows_checked)
    return _walk(session, 0, GENESIS_HASH, 0)


@dataclass(frozen=True)
class VerifiedHead:
    """The newest row a verification reached: id, hash and how many rows up to it."""

    last_id: int
    last_hash: str
    rows: int


def verify_since(session: Session, head: VerifiedHead) -> AuditVerification:
    """Verify only the rows after `head`, a head this process verified itself (kept in
    memory, so it cannot be forged through the database); the head row must still have its
    hash and position, so a chain rebuilt since then fails."""
    event = session.get(AuditEvent, head.last_id)
    rows = session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.id <= head.last_id))
    if event is None or event.row_hash != head.last_hash or rows != head.rows:
        return AuditVerification(False, 0, head.last_id, "the chain was rewritten: row "
                                 f"{head.last_id} no longer matches what was verified")
    return _walk(session, head.last_id, head.last_hash, head.rows)


def _walk(session: Session, after_id: int, expected_prev: str, checked: int
          ) -> AuditVerification:
    last_id: int | None = after_id or None
    query = select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id)
    for event in session.scalars(query.execution_options(yield_per=1000)):
        if event.prev_hash != expected_prev:
            return AuditVerification(False, checked, event.id, "does not link to previous row")
        if row_hash(event.prev_hash, event) != event.row_hash:
            return AuditVerification(False, checked, event.id, "row content does not match hash")
        expected_prev = event.row_hash
        last_id = event.id
        checked += 1
    return AuditVerification(True, checked, last_id=last_id, last_hash=expected_prev)
