"""Sign-in attempts and sessions that no longer count are deleted, not kept for ever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from test_audit_chain import sessions  # noqa: F401 - the fixture

from openmdt.accounts import create_user, get_or_create_organisation, login
from openmdt.accounts.sessions import open_session
from openmdt.store.models import LoginAttempt, LoginSession

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
PASSWORD = "long enough password"


def _user(db):
    organisation = get_or_create_organisation(db, "Prune Trust")
    user = create_user(db, organisation=organisation, email="prune@example.nhs.uk",
                       role="chair", password=PASSWORD)
    db.commit()
    return user


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_a_sign_in_deletes_attempts_older_than_the_window(sessions):  # noqa: F811
    with sessions() as db:
        _user(db)
        for hours in (30, 5, 1):
            db.add(LoginAttempt(email="someone@else.uk", client_ip="10.1.1.1", succeeded=False,
                                attempted_at=NOW - timedelta(hours=hours)))
        db.add(LoginAttempt(email="someone@else.uk", client_ip="10.1.1.1", succeeded=False,
                            attempted_at=NOW - timedelta(minutes=3)))
        db.commit()
        login(db, email="prune@example.nhs.uk", password=PASSWORD, client_ip="10.0.0.9",
              now=NOW)
        left = db.scalars(select(LoginAttempt.attempted_at)).all()
    assert len(left) == 2  # the recent failure and this sign-in


def test_opening_a_session_deletes_expired_ones(sessions):  # noqa: F811
    with sessions() as db:
        user = _user(db)
        open_session(db, user, now=NOW - timedelta(days=3))
        open_session(db, user, now=NOW - timedelta(hours=1))
        open_session(db, user, now=NOW)
        assert _count(db, LoginSession) == 2
