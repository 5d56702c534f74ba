"""CDS Hooks token uses: each JWT ``jti`` per issuer until it expires (issue 12).

Shared by every server process, so a token replayed to another process is refused.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cds_token_uses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("jti", sa.String(255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.UniqueConstraint("issuer", "jti", name="uq_cds_token_uses_issuer_jti"),
    )


def downgrade() -> None:
    op.drop_table("cds_token_uses")
