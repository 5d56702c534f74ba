"""Replay protection for CDS Hooks JWTs shared by every server process: each ``jti`` an
issuer used is a row of ``cds_token_uses`` (unique per issuer) until its token expires.

A claim inserts the row in its own short transaction, committed at once (a token is used
up even if the call then fails); the unique constraint makes two processes racing with one
token end with one success. Expired rows are purged on each claim.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from openmdt.interop.cds_auth import MAX_TOKEN_LIFETIME_SECONDS, TokenRejected
from openmdt.store.models import CdsTokenUse

MAX_ID_LENGTH = 255  # the columns' size; a longer iss or jti is refused (local policy)


class DatabaseJtiRegistry:
    """The `jti`s seen, per issuer, in the database (see ``cds_auth.JtiRegistry``)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def claim(self, issuer: str, jti: str, expires: float, now: float) -> bool:
        """Whether this is the first use of ``jti``; remembers it until ``expires``."""
        if len(issuer) > MAX_ID_LENGTH or len(jti) > MAX_ID_LENGTH:
            raise TokenRejected(f"the token's iss or jti is longer than {MAX_ID_LENGTH} "
                                "characters")
        until = min(expires, now + MAX_TOKEN_LIFETIME_SECONDS)
        with self.sessions() as session:
            session.execute(delete(CdsTokenUse).where(
                CdsTokenUse.expires_at < datetime.fromtimestamp(now, UTC)))
            session.add(CdsTokenUse(issuer=issuer, jti=jti,
                                    expires_at=datetime.fromtimestamp(until, UTC)))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
        return True
