"""Login throttling: 5 failures per 15 minutes per email and client address, kept in the DB.

Counting in the database (table `login_attempts`) means several server processes share one
count. A success does not wipe earlier failures: the window simply slides.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from openmdt.store.errors import LoginThrottled
from openmdt.store.models import LoginAttempt

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def _failures_since(session: Session, email: str, client_ip: str, since: datetime) -> list:
    query = select(LoginAttempt.attempted_at).where(
        LoginAttempt.email == email,
        LoginAttempt.client_ip == client_ip,
        LoginAttempt.succeeded.is_(False),
        LoginAttempt.attempted_at > since,
    )
    return list(session.scalars(query.order_by(LoginAttempt.attempted_at)))


def check_not_throttled(session: Session, email: str, client_ip: str, now: datetime) -> None:
    """Raise LoginThrottled when this email+address already failed too often in the window."""
    failures = _failures_since(session, email, client_ip, now - WINDOW)
    if len(failures) < MAX_FAILURES:
        return
    oldest = failures[-MAX_FAILURES]
    oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
    retry_after = max(1, int((oldest + WINDOW - now).total_seconds()) + 1)
    raise LoginThrottled(
        f"Too many failed sign-ins; try again in {retry_after} seconds.", retry_after
    )


def record_attempt(
    session: Session, email: str, client_ip: str, *, succeeded: bool, now: datetime
) -> None:
    """Remember one attempt (committed at once so a failed request still counts)."""
    session.add(
        LoginAttempt(email=email, client_ip=client_ip, succeeded=succeeded, attempted_at=now)
    )
    session.commit()


def prune_attempts(session: Session, now: datetime) -> int:
    """Delete attempts older than the window (they no longer count); returns how many went."""
    result = session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at <= now - WINDOW))
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
