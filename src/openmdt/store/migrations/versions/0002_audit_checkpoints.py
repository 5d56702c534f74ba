"""Audit trail: refuse INSERT OR REPLACE of an existing row (SQLite), and signed checkpoints.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# INSERT OR REPLACE deletes the old row without firing DELETE triggers (recursive_triggers is
# off), so an existing id must be refused before the insert.
SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events "
    "WHEN EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    "CREATE TRIGGER audit_checkpoints_no_replace BEFORE INSERT ON audit_checkpoints "
    "WHEN EXISTS (SELECT 1 FROM audit_checkpoints WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END",
    "CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints "
    "BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END",
    "CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints "
    "BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END",
)
POSTGRES_TRIGGERS = (
    "CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints "
    "FOR EACH ROW EXECUTE FUNCTION openmdt_audit_append_only()",
    "CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints "
    "FOR EACH STATEMENT EXECUTE FUNCTION openmdt_audit_append_only()",
)


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("rows_checked", sa.Integer(), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_append_only ON audit_checkpoints")
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_no_truncate ON audit_checkpoints")
    else:
        for name in ("audit_events_no_replace", "audit_checkpoints_no_replace",
                     "audit_checkpoints_no_update", "audit_checkpoints_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("audit_checkpoints")
