"""Meeting pages: attendance as present / remote / absent, core members of an MDT type,
removed cases with their reason, and the case the meeting is now discussing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("attendance", sa.Column("status", sa.String(10), nullable=True))
    op.execute("UPDATE attendance SET status = CASE WHEN present THEN 'present' "
               "ELSE 'absent' END")
    op.create_table(
        "core_members",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("organisation_id", sa.Integer, sa.ForeignKey("organisations.id"),
                  nullable=False, index=True),
        sa.Column("mdt_type", sa.String(4), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("professional_role", sa.String(50), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("organisation_id", "mdt_type", "name", "professional_role",
                            name="uq_core_member"),
    )
    op.add_column("meeting_cases", sa.Column("removal_reason", sa.Text, nullable=True))
    op.add_column("meetings", sa.Column("now_discussing_case_id", sa.Integer, nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch rebuild of
    # `meetings` would drop a table other tables' foreign keys point to.
    op.execute("ALTER TABLE meetings DROP COLUMN now_discussing_case_id")
    op.execute("ALTER TABLE meeting_cases DROP COLUMN removal_reason")
    op.drop_table("core_members")
    op.execute("ALTER TABLE attendance DROP COLUMN status")
