"""SACT fixtures: a migrated database with a prescriber, pharmacists, a nurse and an admin in
one trust and a prescriber in another."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sact_helpers import People
from sqlalchemy.orm import Session

from openmdt.accounts import create_user, get_or_create_organisation
from openmdt.sact import workflow
from openmdt.store import make_engine, make_sessionmaker, upgrade_database


@pytest.fixture
def db(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    upgrade_database(database_url, engine=engine)
    session = make_sessionmaker(engine)()
    try:
        yield session
    finally:
        session.close()
        engine.dispose()


@pytest.fixture
def people(db: Session) -> People:
    trust = get_or_create_organisation(db, "Demo NHS Trust")
    other = get_or_create_organisation(db, "Other NHS Trust")
    made = {key: create_user(db, organisation=trust, email=f"{key}@example.nhs.uk", role=role,
                              password=None, display_name=key.replace("_", " ").title())
            for key, role in (("prescriber", "prescriber"), ("pharmacist", "pharmacist"),
                              ("junior_pharmacist", "pharmacist"), ("nurse", "nurse"),
                              ("admin", "admin"))}
    junior = made["junior_pharmacist"]
    outsider = create_user(db, organisation=other, email="other@example.nhs.uk",
                           role="prescriber", password=None)
    workflow.set_verifier_level(db, made["pharmacist"].id, "2c", acting_user=made["admin"])
    workflow.set_verifier_level(db, junior.id, "2b", acting_user=made["admin"])
    return People(made["prescriber"], made["pharmacist"], junior, made["nurse"], made["admin"],
                  outsider)




@pytest.fixture
def api(database_url: str, tenant_maker):  # noqa: ANN001, ANN201 - a sessionmaker factory
    """An app on a fresh database with the meeting tenants and SACT staff, and its client."""
    from fastapi.testclient import TestClient

    from openmdt.accounts import issue_api_token
    from openmdt.web.app import create_app

    application = create_app(database_url, secret_key="test-secret-key")
    sessions = application.state.openmdt.sessions
    tenants = tenant_maker(sessions)
    with sessions() as db:
        trust = get_or_create_organisation(db, "Demo NHS Trust")
        other = get_or_create_organisation(db, "Other NHS Trust")
        for key, role, org in (("prescriber", "prescriber", trust),
                               ("pharmacist", "pharmacist", trust), ("nurse", "nurse", trust),
                               ("other_prescriber", "prescriber", other)):
            user = create_user(db, organisation=org, email=f"{key}@example.nhs.uk", role=role,
                               password=None)
            tenants.tokens[key] = issue_api_token(db, user)
            tenants.user_ids[key] = user.id
        db.commit()
    with TestClient(application, base_url="http://testserver",
                    raise_server_exceptions=False) as client:
        client.tenants = tenants  # type: ignore[attr-defined]
        yield client
    application.state.openmdt.engine.dispose()
