"""One case per agenda position: renumber clashing positions, then a unique index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _renumber_clashes()
    op.create_index("uq_meeting_case_position", "meeting_cases", ["meeting_id", "position"],
                    unique=True)


def _renumber_clashes() -> None:
    """Concurrent imports could give two cases one position: renumber each such meeting in
    its current order (position, then id)."""
    bind = op.get_bind()
    clashing = bind.execute(sa.text(
        "SELECT DISTINCT meeting_id FROM meeting_cases GROUP BY meeting_id, position "
        "HAVING COUNT(*) > 1")).scalars().all()
    for meeting_id in clashing:
        ids = bind.execute(sa.text(
            "SELECT id FROM meeting_cases WHERE meeting_id = :m ORDER BY position, id"),
            {"m": meeting_id}).scalars().all()
        for position, case_id in enumerate(ids):
            bind.execute(sa.text("UPDATE meeting_cases SET position = :p WHERE id = :id"),
                         {"p": position, "id": case_id})


def downgrade() -> None:
    op.drop_index("uq_meeting_case_position", table_name="meeting_cases")
