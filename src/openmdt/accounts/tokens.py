"""Random secrets for API tokens and browser sessions, stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from openmdt.store.models import ApiToken, User

API_TOKEN_PREFIX = "mdt_"


def digest(secret: str) -> str:
    """SHA-256 hex of a high-entropy secret (no slow hash needed: it cannot be guessed)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    """A 256-bit random secret, URL-safe."""
    return secrets.token_urlsafe(32)


def issue_api_token(session: Session, user: User, *, name: str = "cli") -> str:
    """Create a token for `user` and return it; it cannot be shown again."""
    token = API_TOKEN_PREFIX + new_secret()
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=digest(token),
            name=name,
            revoked=False,
            created_at=datetime.now(UTC),
        )
    )
    session.flush()
    return token


def user_for_api_token(session: Session, token: str) -> User | None:
    """The active user owning an unrevoked token, or None."""
    # one query, built once: the token's user, if both the token and the user are live
    return session.scalars(_USER_FOR_TOKEN, {"token_hash": digest(token)}).first()


_USER_FOR_TOKEN = (
    select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked.is_(False),
           User.active.is_(True))
)
