"""Cancer Alliances (issue 11 §6): an alliance, its member trusts and its office organisation.

An alliance names its shared Standard of Care set (an overlay pack id). Its analysts (role
``alliance_analyst``) are users of the alliance's office organisation, which holds no
clinical rows; a trust belongs to at most one alliance. No existing table changes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alliances",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("pack_id", sa.String(100), nullable=False),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"),
                  nullable=False, unique=True),
        sa.Column("created_at", _TZ, nullable=False),
    )
    op.create_table(
        "alliance_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alliance_id", sa.Integer(), sa.ForeignKey("alliances.id"), nullable=False,
                  index=True),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"),
                  nullable=False, unique=True),
        sa.Column("added_at", _TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("alliance_members")
    op.drop_table("alliances")
