"""Pathway dates on each facts version, and audit samples of Standard-of-Care cases (issue 11).

Referral, first seen, diagnosis, decision to treat and first treatment dates (ISO dates by
name, ``openmdt.cases.pathway``) are versioned with the facts; older versions have none
(§1). An auditor's sample of Standard-of-Care cases and each reviewer's verdict (§3).

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fact_versions") as batch:
        batch.add_column(sa.Column("pathway_dates", sa.JSON(), nullable=True))
    op.create_table(
        "audit_samples",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"),
                  nullable=False, index=True),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("targeted_standard", sa.String(100), nullable=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "audit_sample_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sample_id", sa.Integer(), sa.ForeignKey("audit_samples.id"),
                  nullable=False, index=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("meeting_cases.id"), nullable=False,
                  index=True),
        sa.Column("standard_id", sa.String(100), nullable=False),
        sa.Column("selection", sa.String(20), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("sample_id", "case_id", name="uq_sample_case"),
    )


def downgrade() -> None:
    op.drop_table("audit_sample_cases")
    op.drop_table("audit_samples")
    with op.batch_alter_table("fact_versions") as batch:
        batch.drop_column("pathway_dates")
