"""API fixtures: an app on a fresh database, a client, tenants and a synthetic list."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def app(database_url: str):
    from openmdt.web.app import create_app

    application = create_app(database_url, secret_key="test-secret-key")
    yield application
    application.state.openmdt.engine.dispose()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(
        app, base_url="http://testserver", raise_server_exceptions=False
    ) as test_client:
        yield test_client


@pytest.fixture
def tenants(app, tenant_maker):
    return tenant_maker(app.state.openmdt.sessions)
