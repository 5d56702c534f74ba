"""Migration 0008 creates the SACT tables and its downgrade removes them (SQLite, PostgreSQL)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from openmdt.store import upgrade_database
from openmdt.store.database import alembic_config

TABLES = {"sact_courses", "sact_prescriptions", "sact_doses_given", "sact_verifier_levels"}


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migration_0008_up_and_down(database_url: str) -> None:
    upgrade_database(database_url)
    assert _tables(database_url) >= TABLES
    config = alembic_config(database_url)
    command.downgrade(config, "0004")
    assert not TABLES & _tables(database_url)
    assert "outcomes" in _tables(database_url)
    command.upgrade(config, "head")
    assert _tables(database_url) >= TABLES
