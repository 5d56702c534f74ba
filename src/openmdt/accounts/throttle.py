"""Login throttling: 5 failures per 15 minutes per email and client address, kept in the DB.

Counting in the database (table `login_attempts`) means several server processes share one
count. A success does not wipe earlier failures: the window simply slides.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from openmdt.store.errors import LoginThrottled
from openmdt.store.models import LoginAttempt

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def _failures_since(
    session: Session, email: str, client_ip: str, since: datetime, up_to_id: int
) -> list:
    query = select(LoginAttempt.attempted_at).where(
        LoginAttempt.email == email,
        LoginAttempt.client_ip == client_ip,
        LoginAttempt.succeeded.is_(False),
        LoginAttempt.attempted_at > since,
        LoginAttempt.id < up_to_id,
    )
    return list(session.scalars(query.order_by(LoginAttempt.attempted_at)))


def _lock_key(session: Session, email: str, client_ip: str) -> None:
    """On PostgreSQL, attempts for one email+address queue here until the claim commits, so
    their ids are in commit order (SQLite serialises all writers anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                        {"key": f"login:{email}:{client_ip}"})


def claim_attempt(session: Session, email: str, client_ip: str, now: datetime) -> LoginAttempt:
    """Record an attempt before the password is checked, or raise LoginThrottled.

    The attempt is written (as a failure, until `settle_attempt` says otherwise) and
    committed first, then only the attempts before it are counted: so of many simultaneous
    sign-ins for one account, at most MAX_FAILURES reach the password check.
    """
    _lock_key(session, email, client_ip)
    attempt = LoginAttempt(email=email, client_ip=client_ip, succeeded=False, attempted_at=now)
    session.add(attempt)
    session.commit()
    failures = _failures_since(session, email, client_ip, now - WINDOW, attempt.id)
    if len(failures) < MAX_FAILURES:
        return attempt
    session.delete(attempt)  # a refused attempt does not lengthen the block
    session.commit()
    oldest = failures[-MAX_FAILURES]
    oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
    retry_after = max(1, int((oldest + WINDOW - now).total_seconds()) + 1)
    raise LoginThrottled(
        f"Too many failed sign-ins; try again in {retry_after} seconds.", retry_after
    )


PRUNE_EVERY = 100  # attempts; pruning then removes every attempt older than the window


def settle_attempt(session: Session, attempt: LoginAttempt, *, succeeded: bool) -> None:
    """Mark a claimed attempt as succeeded or failed (committed at once). A success, and
    every PRUNE_EVERY-th attempt, also deletes attempts that no longer count."""
    if succeeded:
        attempt.succeeded = True
    if succeeded or attempt.id % PRUNE_EVERY == 0:
        moment = attempt.attempted_at
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at <= moment - WINDOW))
    session.commit()


def prune_attempts(session: Session, now: datetime) -> int:
    """Delete attempts older than the window (they no longer count); returns how many went."""
    result = session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at <= now - WINDOW))
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
