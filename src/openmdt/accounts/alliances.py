"""Cancer Alliances: creating one, adding member trusts, and which alliance a user may see.

An alliance's analysts are users of the alliance's office organisation (created with the
alliance, holding no clinical rows): a query scoped to their organisation finds no trust's
rows, whatever page they reach. Trust admins see their own trust's alliance.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmdt.store.audit import append_audit
from openmdt.store.errors import InvalidRequest, NotFound
from openmdt.store.models import ALLIANCE_ANALYST, Alliance, AllianceMember, Organisation, User
from openmdt.store.text_checks import require_clean_text

__all__ = ["add_trust", "alliance_by_name", "alliance_for_user", "alliance_office",
           "create_alliance", "member_trusts"]

# Who may open an alliance's view: its analysts, and the admins of its member trusts.
ALLIANCE_VIEW_ROLES = (ALLIANCE_ANALYST, "admin")


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100 or not all(c.isalnum() or c in "-_" for c in name):
        raise InvalidRequest(
            f"Alliance name {name!r} is not allowed: use 1 to 100 letters, digits, '-' or '_' "
            "(for example north-east); the label is what pages show.",
            code="invalid_alliance_name")
    return name


def create_alliance(session: Session, *, name: str, label: str, pack_id: str,
                    acting_user: User | None = None) -> Alliance:
    """A new alliance (audited) with its office organisation, named by the label."""
    require_clean_text(alliance=name, label=label, pack=pack_id)
    name, label = _check_name(name), label.strip()
    if not label:
        raise InvalidRequest("An alliance needs a label (for example 'North East Cancer "
                             "Alliance').", code="invalid_alliance_label")
    if session.scalars(select(Alliance.id).where(Alliance.name == name)).first() is not None:
        raise InvalidRequest(f"An alliance named {name!r} exists.", code="duplicate_alliance")
    if session.scalars(select(Organisation.id).where(Organisation.name == label)).first():
        raise InvalidRequest(f"An organisation named {label!r} exists; the alliance's label "
                             "names its own office and must be new.", code="duplicate_alliance")
    now = datetime.now(UTC)
    office = Organisation(name=label, created_at=now)
    session.add(office)
    session.flush()
    alliance = Alliance(name=name, label=label, pack_id=pack_id, organisation_id=office.id,
                        created_at=now)
    session.add(alliance)
    session.flush()
    append_audit(session, action="create_alliance", entity_type="alliance",
                 entity_id=alliance.id, details={"name": name, "label": label,
                                                 "pack_id": pack_id},
                 acting_user=acting_user, organisation_id=office.id)
    session.commit()
    return alliance


def alliance_by_name(session: Session, name: str) -> Alliance:
    """The alliance with this name; NotFound naming the alliances there are."""
    found = session.scalars(select(Alliance).where(Alliance.name == name.strip())).first()
    if found is None:
        known = ", ".join(session.scalars(select(Alliance.name).order_by(Alliance.name)))
        raise NotFound(f"No alliance is named {name!r}; alliances: {known or 'none yet'}.")
    return found


def alliance_office(session: Session, organisation_id: int) -> Alliance | None:
    """The alliance whose office this organisation is (None for a trust)."""
    return session.scalars(
        select(Alliance).where(Alliance.organisation_id == organisation_id)).first()


def add_trust(session: Session, alliance: Alliance, organisation_name: str, *,
              acting_user: User | None = None) -> AllianceMember:
    """Make an existing organisation a member trust of the alliance (audited)."""
    require_clean_text(organisation=organisation_name)
    trust = session.scalars(select(Organisation).where(
        Organisation.name == organisation_name.strip())).first()
    if trust is None:
        known = ", ".join(session.scalars(select(Organisation.name).order_by(Organisation.name)))
        raise NotFound(f"No organisation is named {organisation_name!r}; organisations: "
                       f"{known or 'none yet'}.")
    if alliance_office(session, trust.id) is not None:
        raise InvalidRequest(f"{trust.name!r} is an alliance's office, not a trust.",
                             code="not_a_trust")
    current = session.scalars(select(AllianceMember).where(
        AllianceMember.organisation_id == trust.id)).first()
    if current is not None:
        raise InvalidRequest(f"{trust.name!r} already belongs to an alliance (a trust belongs "
                             "to one).", code="already_in_alliance")
    member = AllianceMember(alliance_id=alliance.id, organisation_id=trust.id,
                            added_at=datetime.now(UTC))
    session.add(member)
    session.flush()
    append_audit(session, action="add_alliance_trust", entity_type="alliance",
                 entity_id=alliance.id, details={"organisation": trust.name},
                 acting_user=acting_user, organisation_id=alliance.organisation_id)
    session.commit()
    return member


def member_trusts(session: Session, alliance: Alliance) -> list[Organisation]:
    """The alliance's member trusts, by name."""
    return list(session.scalars(
        select(Organisation).join(AllianceMember, AllianceMember.organisation_id ==
                                  Organisation.id)
        .where(AllianceMember.alliance_id == alliance.id).order_by(Organisation.name)))


def alliance_for_user(session: Session, user: User) -> Alliance | None:
    """The alliance a user may see: an analyst's own, an admin's trust's; else None."""
    if user.role == ALLIANCE_ANALYST:
        return alliance_office(session, user.organisation_id)
    if user.role != "admin":
        return None
    return session.scalars(select(Alliance).join(
        AllianceMember, AllianceMember.alliance_id == Alliance.id).where(
        AllianceMember.organisation_id == user.organisation_id)).first()
