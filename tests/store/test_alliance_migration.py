"""Migration 0010 adds the alliance tables without touching existing ones; its downgrade
removes them (SQLite, PostgreSQL)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from openmdt.store import upgrade_database
from openmdt.store.database import alembic_config

TABLES = {"alliances", "alliance_members"}


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migration_0010_up_and_down(database_url: str) -> None:
    upgrade_database(database_url)
    assert _tables(database_url) >= TABLES
    config = alembic_config(database_url)
    command.downgrade(config, "0009")
    assert not TABLES & _tables(database_url)
    assert {"users", "organisations", "sact_courses"} <= _tables(database_url)
    command.upgrade(config, "head")
    assert _tables(database_url) >= TABLES
