"""On PostgreSQL the app's role, set up with the documented grants, can append audit rows
but cannot change or delete them, even with the triggers disabled by the owner."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError
from test_audit_chain import _some_actions, sessions  # noqa: F401 - the fixture

from openmdt.store.grants import app_role_statements


def _schema(db) -> str:
    return db.execute(text("SELECT current_schema()")).scalar_one()


def test_the_app_role_cannot_change_the_audit_trail(sessions, tenant_maker,  # noqa: F811
                                                    database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("roles and grants are PostgreSQL's")
    _some_actions(sessions, tenant_maker)
    role = f"openmdt_app_test_{os.getpid()}"
    admin = create_engine(database_url)
    with admin.begin() as owner:
        owner.execute(text(f"CREATE ROLE {role} NOLOGIN"))
        for statement in app_role_statements(role, _schema(owner)):
            owner.execute(text(statement))
        owner.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    try:
        with admin.connect() as app_connection:
            app_connection.execute(text(f"SET ROLE {role}"))
            assert app_connection.execute(text("SELECT count(*) FROM audit_events")).scalar()
            for statement in ("UPDATE audit_events SET action = 'x'",
                              "DELETE FROM audit_events", "TRUNCATE audit_events"):
                with pytest.raises(ProgrammingError, match="permission denied"):
                    app_connection.execute(text(statement))
                app_connection.rollback()
                app_connection.execute(text(f"SET ROLE {role}"))
    finally:
        with admin.begin() as owner:
            owner.execute(text(f"DROP OWNED BY {role}"))
            owner.execute(text(f"DROP ROLE {role}"))
        admin.dispose()


def test_names_in_the_statements_are_checked() -> None:
    with pytest.raises(ValueError):
        app_role_statements("app; DROP TABLE x", "public")
