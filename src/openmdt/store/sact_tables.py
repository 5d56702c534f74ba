"""The SACT tables: courses, cycle prescriptions, doses given and verifier levels.

Amounts are stored as decimal text (never floats) so a dose reads back digit for digit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openmdt.store.models import Base, User


class SactCourse(Base):
    """A regimen for one patient: the protocol version, the decision to treat, DPD status."""

    __tablename__ = "sact_courses"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    patient_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(10))
    height_cm: Mapped[str] = mapped_column(String(20))
    protocol_id: Mapped[str] = mapped_column(String(100))
    protocol_version: Mapped[str] = mapped_column(String(40))
    protocol_digest: Mapped[str] = mapped_column(String(64))
    meeting_case_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_cases.id"))
    indication: Mapped[str | None] = mapped_column(String(200))
    dpyd_status: Mapped[str] = mapped_column(String(30))
    chest_radiotherapy: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    prescriptions: Mapped[list[SactPrescription]] = relationship(
        order_by="SactPrescription.cycle_number", back_populates="course")
    __mapper_args__ = {"version_id_col": row_version}


class SactPrescription(Base):
    """One cycle: measures, doses, checks, overrides and each workflow step's person and time."""

    __tablename__ = "sact_prescriptions"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("sact_courses.id"), index=True)
    cycle_number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    treatment_date: Mapped[date] = mapped_column(Date)
    measures: Mapped[dict[str, Any]] = mapped_column(JSON)
    results: Mapped[list[Any]] = mapped_column(JSON)
    reductions: Mapped[dict[str, Any]] = mapped_column(JSON)
    calculation: Mapped[dict[str, Any]] = mapped_column(JSON)
    checks: Mapped[list[Any]] = mapped_column(JSON)
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON)
    prescribed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    prescribed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verification: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    administered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    administered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    administration: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    change_reason: Mapped[str | None] = mapped_column(Text)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    course: Mapped[SactCourse] = relationship(back_populates="prescriptions")
    prescribed_by: Mapped[User] = relationship(foreign_keys=[prescribed_by_id], lazy="joined")
    __mapper_args__ = {"version_id_col": row_version}
    __table_args__ = (UniqueConstraint("course_id", "cycle_number", name="uq_sact_cycle"),)


class SactDoseGiven(Base):
    """A dose a patient had, from an administration here or entered by hand (lifetime totals)."""

    __tablename__ = "sact_doses_given"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    drug: Mapped[str] = mapped_column(String(60))
    amount: Mapped[str] = mapped_column(String(30))
    unit: Mapped[str] = mapped_column(String(10))
    mg_per_m2: Mapped[str | None] = mapped_column(String(30))
    given_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))
    prescription_id: Mapped[int | None] = mapped_column(ForeignKey("sact_prescriptions.id"))
    note: Mapped[str | None] = mapped_column(Text)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SactVerifierLevel(Base):
    """A pharmacist's BOPA verification level (2a, 2b, 2c or 3), set by an admin."""

    __tablename__ = "sact_verifier_levels"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    level: Mapped[str] = mapped_column(String(4))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
