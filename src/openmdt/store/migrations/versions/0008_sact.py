"""SACT prescribing: courses, cycle prescriptions, doses given and verifier levels.

Revision ID: 0008
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sact_courses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("organisation_id", sa.Integer, sa.ForeignKey("organisations.id"),
                  nullable=False, index=True),
        sa.Column("nhs_number", sa.String(10), nullable=False, index=True),
        sa.Column("patient_name", sa.String(200), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("sex", sa.String(10), nullable=False),
        sa.Column("height_cm", sa.String(20), nullable=False),
        sa.Column("protocol_id", sa.String(100), nullable=False),
        sa.Column("protocol_version", sa.String(40), nullable=False),
        sa.Column("protocol_digest", sa.String(64), nullable=False),
        sa.Column("meeting_case_id", sa.Integer, sa.ForeignKey("meeting_cases.id")),
        sa.Column("indication", sa.String(200)),
        sa.Column("dpyd_status", sa.String(30), nullable=False),
        sa.Column("chest_radiotherapy", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_by_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("row_version", sa.Integer, nullable=False),
    )
    op.create_table(
        "sact_prescriptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("organisation_id", sa.Integer, sa.ForeignKey("organisations.id"),
                  nullable=False, index=True),
        sa.Column("course_id", sa.Integer, sa.ForeignKey("sact_courses.id"), nullable=False,
                  index=True),
        sa.Column("cycle_number", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("treatment_date", sa.Date, nullable=False),
        sa.Column("measures", sa.JSON, nullable=False),
        sa.Column("results", sa.JSON, nullable=False),
        sa.Column("reductions", sa.JSON, nullable=False),
        sa.Column("calculation", sa.JSON, nullable=False),
        sa.Column("checks", sa.JSON, nullable=False),
        sa.Column("overrides", sa.JSON, nullable=False),
        sa.Column("prescribed_by_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("prescribed_at", _TZ, nullable=False),
        sa.Column("verified_by_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("verified_at", _TZ),
        sa.Column("verification", sa.JSON),
        sa.Column("released_by_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("released_at", _TZ),
        sa.Column("administered_by_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("administered_at", _TZ),
        sa.Column("administration", sa.JSON),
        sa.Column("change_reason", sa.Text),
        sa.Column("row_version", sa.Integer, nullable=False),
        # one live prescription per cycle is enforced by the service; the pair stays unique
        sa.UniqueConstraint("course_id", "cycle_number", name="uq_sact_cycle"),
    )
    op.create_table(
        "sact_doses_given",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("organisation_id", sa.Integer, sa.ForeignKey("organisations.id"),
                  nullable=False, index=True),
        sa.Column("nhs_number", sa.String(10), nullable=False, index=True),
        sa.Column("drug", sa.String(60), nullable=False),
        sa.Column("amount", sa.String(30), nullable=False),
        sa.Column("unit", sa.String(10), nullable=False),
        sa.Column("mg_per_m2", sa.String(30)),
        sa.Column("given_on", sa.Date, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("prescription_id", sa.Integer, sa.ForeignKey("sact_prescriptions.id")),
        sa.Column("note", sa.Text),
        sa.Column("entered_by_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("entered_at", _TZ, nullable=False),
    )
    op.create_table(
        "sact_verifier_levels",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("level", sa.String(4), nullable=False),
        sa.Column("recorded_by_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("recorded_at", _TZ, nullable=False),
    )


def downgrade() -> None:
    for table in ("sact_verifier_levels", "sact_doses_given", "sact_prescriptions",
                  "sact_courses"):
        op.drop_table(table)
