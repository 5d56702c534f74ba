"""Each facts version carries the case's pathway dates (issue 11 §1).

Referral, first seen, diagnosis, decision to treat and first treatment dates (ISO dates by
name, ``openmdt.cases.pathway``) are versioned with the facts; older versions have none.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fact_versions") as batch:
        batch.add_column(sa.Column("pathway_dates", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fact_versions") as batch:
        batch.drop_column("pathway_dates")
