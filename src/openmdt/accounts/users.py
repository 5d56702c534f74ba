"""Organisations and users: creating them (named, audited actions) and signing in."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmdt.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from openmdt.accounts.throttle import claim_attempt, settle_attempt
from openmdt.store.audit import append_audit
from openmdt.store.errors import InvalidCredentials, InvalidRequest
from openmdt.store.models import ALLIANCE_ANALYST, ROLES, Alliance, Organisation, User
from openmdt.store.text_checks import require_clean_text


def get_or_create_organisation(
    session: Session, name: str, *, acting_user: User | None = None
) -> Organisation:
    """The organisation with this name, created (and audited) when new."""
    require_clean_text(organisation=name)
    found = session.scalars(select(Organisation).where(Organisation.name == name)).first()
    if found is not None:
        return found
    organisation = Organisation(name=name, created_at=datetime.now(UTC))
    session.add(organisation)
    session.flush()
    append_audit(
        session,
        action="create_organisation",
        entity_type="organisation",
        entity_id=organisation.id,
        details={"name": name},
        acting_user=acting_user,
        organisation_id=organisation.id,
    )
    session.commit()
    return organisation


def _check_new_user(session: Session, email: str, role: str, password: str | None) -> None:
    if role not in ROLES:
        raise InvalidRequest(
            f"Unknown role {role!r}; allowed: {', '.join(ROLES)}.", code="unknown_role"
        )
    if "@" not in email:
        raise InvalidRequest(f"{email!r} is not an email address.", code="invalid_email")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidRequest(
            f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.", code="password_too_short"
        )
    if session.scalars(select(User.id).where(User.email == email)).first() is not None:
        raise InvalidRequest(f"A user with email {email!r} exists.", code="duplicate_user")


def _check_alliance_role(session: Session, organisation: Organisation, role: str) -> None:
    """Alliance analysts belong to an alliance's office; no other role does (an office holds
    no clinical rows and an analyst never works inside a trust)."""
    office = session.scalars(
        select(Alliance.id).where(Alliance.organisation_id == organisation.id)).first()
    if role == ALLIANCE_ANALYST and office is None:
        raise InvalidRequest(
            f"{organisation.name!r} is not an alliance: an alliance_analyst is created for an "
            "alliance (openmdt users create --alliance NAME).", code="analyst_needs_alliance")
    if role != ALLIANCE_ANALYST and office is not None:
        raise InvalidRequest(
            f"{organisation.name!r} is an alliance's office: its users are alliance_analyst "
            f"only, not {role}.", code="alliance_role_only")


def create_user(
    session: Session,
    *,
    organisation: Organisation,
    email: str,
    role: str,
    password: str | None,
    display_name: str | None = None,
    acting_user: User | None = None,
) -> User:
    """Add a user to an organisation (audited). Without a password only tokens can sign in."""
    require_clean_text(email=email, display_name=display_name, password=password)
    email = email.strip().lower()
    _check_new_user(session, email, role, password)
    _check_alliance_role(session, organisation, role)
    user = User(
        organisation_id=organisation.id,
        email=email,
        role=role,
        display_name=display_name or email.split("@")[0],
        password_hash=hash_password(password) if password else None,
        active=True,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    append_audit(
        session,
        action="create_user",
        entity_type="user",
        entity_id=user.id,
        details={"email": email, "role": role},
        acting_user=acting_user,
        organisation_id=organisation.id,
    )
    session.commit()
    return user


def login(
    session: Session, *, email: str, password: str, client_ip: str, now: datetime | None = None
) -> User:
    """Check a password sign-in, counting failures; raises InvalidCredentials / LoginThrottled."""
    moment = now or datetime.now(UTC)
    require_clean_text(email=email, password=password)
    email = email.strip().lower()
    attempt = claim_attempt(session, email, client_ip, moment)
    user = session.scalars(select(User).where(User.email == email)).first()
    ok = verify_password(user.password_hash if user else None, password)
    ok = ok and user is not None and user.active
    settle_attempt(session, attempt, succeeded=ok)
    if not ok:
        raise InvalidCredentials("Email or password is wrong.")
    assert user is not None
    return user
