"""Server-side browser sessions: the cookie carries a random token, the table its digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from openmdt.accounts.tokens import digest, new_secret
from openmdt.store.models import LoginSession, User

SESSION_LIFETIME = timedelta(hours=12)


def open_session(session: Session, user: User, *, now: datetime | None = None) -> str:
    """Start a browser session for `user`; returns the cookie value. Expired sessions are
    deleted at the same time (nothing else would ever remove them)."""
    moment = now or datetime.now(UTC)
    session.execute(delete(LoginSession).where(LoginSession.expires_at <= moment))
    token = new_secret()
    session.add(
        LoginSession(
            user_id=user.id,
            token_hash=digest(token),
            created_at=moment,
            expires_at=moment + SESSION_LIFETIME,
        )
    )
    session.commit()
    return token


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def user_for_session(session: Session, token: str, *, now: datetime | None = None) -> User | None:
    """The user of a live session, or None when unknown or expired."""
    row = session.scalars(select(LoginSession).where(LoginSession.token_hash == digest(token)))
    login = row.first()
    if login is None or _aware(login.expires_at) <= (now or datetime.now(UTC)):
        return None
    return login.user if login.user.active else None


def close_session(session: Session, token: str) -> None:
    """End a session (sign out)."""
    session.execute(delete(LoginSession).where(LoginSession.token_hash == digest(token)))
    session.commit()


def prune_sessions(session: Session, now: datetime) -> int:
    """Delete expired sessions; returns how many went."""
    result = session.execute(delete(LoginSession).where(LoginSession.expires_at <= now))
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
