"""The tables of OpenMDT as typed SQLAlchemy 2 models (one organisation = one tenant)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("coordinator", "clinician", "chair", "auditor", "admin", "prescriber", "pharmacist",
         "nurse", "alliance_analyst")
# The role of a Cancer Alliance's analysts: aggregate figures of the member trusts only.
ALLIANCE_ANALYST = "alliance_analyst"


class Base(DeclarativeBase):
    """Declarative base of every OpenMDT table."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Organisation(Base):
    """An NHS trust or other body; every clinical row belongs to exactly one."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Alliance(Base):
    """A Cancer Alliance: trusts that share a Standard of Care set (an overlay pack).

    The alliance's own analysts sign in as users of the alliance's office organisation, an
    organisation that holds no clinical rows, so any tenant-scoped query made for them finds
    nothing of a trust (migration 0010).
    """

    __tablename__ = "alliances"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)  # short, for the command line
    label: Mapped[str] = mapped_column(String(200))  # what pages show
    pack_id: Mapped[str] = mapped_column(String(100))  # the shared Standard of Care set
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    members: Mapped[list[AllianceMember]] = relationship(order_by="AllianceMember.id")


class AllianceMember(Base):
    """A trust's membership of an alliance (a trust belongs to at most one)."""

    __tablename__ = "alliance_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliances.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class User(Base):
    """A person who signs in; one role each (see ROLES)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class ApiToken(Base):
    """A bearer token for scripts; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user: Mapped[User] = relationship(lazy="joined")


class LoginSession(Base):
    """A browser session; the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user: Mapped[User] = relationship(lazy="joined")


class LoginAttempt(Base):
    """One sign-in attempt, kept to throttle password guessing per account and address."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    client_ip: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class CdsTokenUse(Base):
    """A CDS Hooks JWT's ``jti`` seen from an issuer, kept until the token expires so that
    every server process refuses its replay (unique per issuer)."""

    __tablename__ = "cds_token_uses"
    __table_args__ = (UniqueConstraint("issuer", "jti", name="uq_cds_token_uses_issuer_jti"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    jti: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Meeting(Base):
    """One MDT meeting: its date, COSD MDT type (CR3190), site and the knowledge pack used."""

    __tablename__ = "meetings"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    meeting_date: Mapped[date] = mapped_column(Date)
    mdt_type: Mapped[str] = mapped_column(String(4))
    site_code: Mapped[str] = mapped_column(String(20))
    pack_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finalised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The case on the chair's screen (migration 0005); other attendees' agendas show it.
    now_discussing_case_id: Mapped[int | None] = mapped_column(Integer)
    cases: Mapped[list[MeetingCase]] = relationship(
        back_populates="meeting",
        order_by="MeetingCase.position",
        foreign_keys="MeetingCase.meeting_id",
    )
    attendance: Mapped[list[Attendance]] = relationship(order_by="Attendance.id")

    @property
    def finalised(self) -> bool:
        """True once the chair has finalised the meeting (its record is then locked)."""
        return self.status == "finalised"


class MeetingCase(Base):
    """A patient listed at a meeting: current facts version, effective route and status."""

    __tablename__ = "meeting_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    case_ref: Mapped[str] = mapped_column(String(100))
    site: Mapped[str | None] = mapped_column(String(50))
    patient: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    route: Mapped[str | None] = mapped_column(String(30))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flagged_by_role: Mapped[str | None] = mapped_column(String(20))
    flag_note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="listed")
    removal_reason: Mapped[str | None] = mapped_column(Text)  # why it left the list (0005)
    rollover_count: Mapped[int] = mapped_column(Integer, default=0)
    rolled_over_from_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_cases.id"))
    rolled_over_to_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    meeting: Mapped[Meeting] = relationship(back_populates="cases", foreign_keys=[meeting_id])
    fact_versions: Mapped[list[FactVersion]] = relationship(order_by="FactVersion.version")
    outcomes: Mapped[list[Outcome]] = relationship(order_by="Outcome.version")

    # Concurrent writers are caught by the ORM: UPDATE ... WHERE row_version = <read value>.
    __mapper_args__ = {"version_id_col": row_version}
    __table_args__ = (
        UniqueConstraint("meeting_id", "case_ref", name="uq_meeting_case_ref"),
        # one case per agenda position (migration 0003)
        Index("uq_meeting_case_position", "meeting_id", "position", unique=True),
    )

    @property
    def current_fact_version(self) -> FactVersion:
        """The newest facts version (the one the route and agenda are based on)."""
        return self.fact_versions[-1]

    @property
    def current_facts(self) -> dict[str, Any]:
        """The facts as last saved."""
        return self.current_fact_version.facts

    @property
    def current_pathway_dates(self) -> dict[str, Any]:
        """The pathway dates as last saved (ISO dates by name; cases.pathway)."""
        return self.current_fact_version.pathway_dates or {}

    @property
    def current_evaluation(self) -> dict[str, Any] | None:
        """The engine's evaluation of the newest facts (`Evaluation.to_dict()`)."""
        return self.current_fact_version.evaluation

    @property
    def current_outcome(self) -> Outcome | None:
        """The newest outcome version, or None while undecided."""
        return self.outcomes[-1] if self.outcomes else None


class FactVersion(Base):
    """One saved version of a case's facts with the evaluation made from it."""

    __tablename__ = "fact_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("meeting_cases.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    # referral, first seen, diagnosis, decision to treat, first treatment (migration 0007)
    pathway_dates: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    pack_id: Mapped[str] = mapped_column(String(100))
    pack_version: Mapped[str] = mapped_column(String(40))
    pack_hash: Mapped[str] = mapped_column(String(80))
    route: Mapped[str | None] = mapped_column(String(30))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("case_id", "version", name="uq_fact_version"),)


class Outcome(Base):
    """One version of the MDT's recorded decision for a case (amendments add versions)."""

    __tablename__ = "outcomes"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("meeting_cases.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    discussion_type: Mapped[str] = mapped_column(String(2))
    chosen_options: Mapped[list[Any]] = mapped_column(JSON)
    recommended_options: Mapped[list[Any]] = mapped_column(JSON)
    concordant: Mapped[bool] = mapped_column(Boolean)
    care_plan_intent: Mapped[str | None] = mapped_column(String(2))
    planned_treatment_types: Mapped[list[Any]] = mapped_column(JSON)
    rationale: Mapped[str] = mapped_column(Text)
    deviation_code: Mapped[str | None] = mapped_column(String(40))
    deviation_text: Mapped[str | None] = mapped_column(Text)
    amendment_reason: Mapped[str | None] = mapped_column(Text)
    fact_version: Mapped[int] = mapped_column(Integer)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("case_id", "version", name="uq_outcome_version"),)


class Attendance(Base):
    """Whether one member attended a meeting, with their professional role (for quoracy)."""

    __tablename__ = "attendance"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    professional_role: Mapped[str] = mapped_column(String(50))
    present: Mapped[bool] = mapped_column(Boolean)  # in the room or remote (not absent)
    status: Mapped[str | None] = mapped_column(String(10))  # present | remote | absent (0005)

    @property
    def attendance_status(self) -> str:
        """present, remote or absent (rows from before migration 0005 have only `present`)."""
        return self.status or ("present" if self.present else "absent")


class CoreMember(Base):
    """A named core member of one MDT type in one organisation: who the attendance form
    offers, with the professional role the quorum counts."""

    __tablename__ = "core_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    mdt_type: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(200))
    professional_role: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("organisation_id", "mdt_type", "name",
                                       "professional_role", name="uq_core_member"),)


class AuditEvent(Base):
    """An append-only, hash-chained record of one named action."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    row_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditCheckpoint(Base):
    """A signed note that the audit chain verified up to a row with a given hash.

    The HMAC key is not in the database (OPENMDT_AUDIT_KEY), so whoever can rewrite the
    database cannot write a checkpoint that matches a rewritten chain.
    """

    __tablename__ = "audit_checkpoints"
    id: Mapped[int] = mapped_column(primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer)
    rows_checked: Mapped[int] = mapped_column(Integer)
    row_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(40))
    signature: Mapped[str] = mapped_column(String(64))


class AuditSample(Base):
    """A sample of Standard-of-Care cases drawn by an auditor for clinical review (issue 11
    §3): random cases of a period, plus targeted ones (a chosen or the newest Standard)."""

    __tablename__ = "audit_samples"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    size: Mapped[int] = mapped_column(Integer)  # the random part
    seed: Mapped[int] = mapped_column(Integer)
    targeted_standard: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cases: Mapped[list[AuditSampleCase]] = relationship(order_by="AuditSampleCase.id")


class AuditSampleCase(Base):
    """One sampled case, why it was drawn, and the reviewer's verdict (once)."""

    __tablename__ = "audit_sample_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("audit_samples.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("meeting_cases.id"), index=True)
    standard_id: Mapped[str] = mapped_column(String(100))
    selection: Mapped[str] = mapped_column(String(20))  # random | targeted
    verdict: Mapped[str | None] = mapped_column(String(20))  # agree | disagree
    reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    case: Mapped[MeetingCase] = relationship(lazy="joined")
    __table_args__ = (UniqueConstraint("sample_id", "case_id", name="uq_sample_case"),)
