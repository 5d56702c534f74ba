"""Fixtures for the page tests: a real app on a temporary SQLite file with two organisations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from page_helpers import Browser, add_users, sign_in

from openmdt.web.app import create_app


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> object:
    """One app per test module (migrations take a moment); tests create their own meetings."""
    path: Path = tmp_path_factory.mktemp("pages") / "openmdt.db"
    application = create_app(f"sqlite:///{path}", secret_key="page-tests")
    add_users(application)
    return application


@pytest.fixture(scope="module")
def coordinator(app: object) -> Iterator[Browser]:
    yield sign_in(app, "coordinator")


@pytest.fixture(scope="module")
def chair(app: object) -> Iterator[Browser]:
    yield sign_in(app, "chair")
