"""Shared fixtures: a fresh database per test on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

POSTGRES_ENV = "OPENMDT_TEST_POSTGRES_URL"
_schema_numbers = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    """Compiled packs are cached in a temporary folder for the run (never the user's
    ~/.cache); child processes (CLI tests) inherit it. Tests of the cache set their own."""
    import tempfile

    os.environ["OPENMDT_PACK_CACHE"] = tempfile.mkdtemp(prefix="openmdt-pack-cache-")


def _postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'openmdt-test.db'}"
        return
    base = _postgres_url()
    if base is None:
        pytest.skip(f"PostgreSQL variant: {POSTGRES_ENV} is not set")
    yield from _postgres_schema(base)


def _postgres_schema(base: str) -> Iterator[str]:
    schema = f"t_{os.getpid()}_{next(_schema_numbers)}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class Tenants:
    """Two organisations with users of every role, and API tokens for each."""

    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        """Bearer headers for a user key such as 'chair' or 'other_coordinator'."""
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def _make_tenants(sessions) -> Tenants:  # noqa: ANN001 - a sessionmaker
    """Demo NHS Trust (every role) and Other NHS Trust (coordinator, chair), token-only users."""
    from openmdt.accounts import create_user, get_or_create_organisation, issue_api_token

    tenants = Tenants()
    plan = {
        "Demo NHS Trust": [
            (r, r) for r in ("coordinator", "clinician", "chair", "auditor", "admin")
        ],
        "Other NHS Trust": [
            ("other_coordinator", "coordinator"),
            ("other_chair", "chair"),
            ("other_auditor", "auditor"),
        ],
    }
    with sessions() as db:
        for org_name, people in plan.items():
            organisation = get_or_create_organisation(db, org_name)
            for key, role in people:
                user = create_user(
                    db,
                    organisation=organisation,
                    email=f"{key}@example.nhs.uk",
                    role=role,
                    password=None,
                )
                tenants.tokens[key] = issue_api_token(db, user)
                tenants.user_ids[key] = user.id
        db.commit()
    return tenants


@pytest.fixture
def tenant_maker():
    """A function creating the two test organisations and their users in a database."""
    return _make_tenants
