"""Database engines, sessions and schema upgrades (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

import os
from importlib import resources
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DATABASE_URL = "sqlite:///openmdt.db"
BUSY_TIMEOUT_ENV = "OPENMDT_SQLITE_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT = 10.0  # seconds a SQLite writer waits for another's lock


def database_url_from_env() -> str:
    """The database URL: `OPENMDT_DATABASE_URL`, else `openmdt.db` in the working directory."""
    return os.environ.get("OPENMDT_DATABASE_URL") or DEFAULT_DATABASE_URL


def sqlite_busy_timeout() -> float:
    """Seconds a SQLite writer waits for the lock: `OPENMDT_SQLITE_BUSY_TIMEOUT`, else 10."""
    text = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    try:
        value = float(text) if text else DEFAULT_BUSY_TIMEOUT
    except ValueError:
        raise ValueError(f"{BUSY_TIMEOUT_ENV} must be a number of seconds, not {text!r}") from None
    if not 0 <= value <= 600:
        raise ValueError(f"{BUSY_TIMEOUT_ENV} must be between 0 and 600 seconds, not {text!r}")
    return value


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers work during a write; foreign keys are off in SQLite unless asked for."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(sqlite_busy_timeout() * 1000)}")
    if not _is_memory(dbapi_connection):
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _is_memory(dbapi_connection: Any) -> bool:
    rows = dbapi_connection.execute("PRAGMA database_list").fetchall()
    return not rows or not rows[0][2]


def make_engine(database_url: str | None = None) -> Engine:
    """An Engine for the URL, with SQLite tuned for a small multi-user server.

    `hide_parameters`: a database error's text never quotes the statement's values (patient
    details, emails), wherever it ends up.
    """
    url = database_url or database_url_from_env()
    if url.startswith("sqlite"):
        # Keep enough connections for a busy server: a connection opened beyond the pool is
        # closed on return, and opening one (with its PRAGMAs) costs more than a request.
        pool = {} if url in ("sqlite://", "sqlite:///:memory:") else {
            "pool_size": 20, "max_overflow": 20}
        engine = create_engine(
            url, hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": sqlite_busy_timeout()}, **pool)
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    engine = create_engine(
        url, hide_parameters=True, pool_pre_ping=True, pool_size=10, max_overflow=20)
    event.listen(engine, "connect", _configure_postgresql)
    return engine


def _configure_postgresql(dbapi_connection: Any, _record: Any) -> None:
    """A write waits for another's lock at most as long as on SQLite, then fails as busy
    (503 with Retry-After) instead of waiting for ever."""
    milliseconds = int(sqlite_busy_timeout() * 1000)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"SET lock_timeout = {milliseconds}")
    cursor.close()
    dbapi_connection.commit()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (templates read them afterwards)."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(database_url: str) -> Any:
    """The Alembic configuration shipped inside the package, pointed at `database_url`."""
    from alembic.config import Config

    package = resources.files("openmdt.store")
    config = Config(str(package / "alembic.ini"))
    config.set_main_option("script_location", str(package / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str | None = None, engine: Engine | None = None) -> None:
    """Bring the schema to the newest migration (`alembic upgrade head`)."""
    from alembic import command

    url = database_url or database_url_from_env()
    config = alembic_config(url)
    if engine is not None:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        return
    command.upgrade(config, "head")
