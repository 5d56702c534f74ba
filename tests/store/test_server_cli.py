"""The server CLI: users create (token shown once, stored hashed) and the demo data."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from openmdt.server_cli import create_demo, users_app
from openmdt.store import ApiToken, make_engine, make_sessionmaker, upgrade_database


def test_users_create_prints_a_token_stored_only_hashed(database_url, monkeypatch):
    upgrade_database(database_url)
    monkeypatch.setenv("OPENMDT_DATABASE_URL", database_url)
    result = CliRunner().invoke(
        users_app,
        [
            "create",
            "--org",
            "Demo NHS Trust",
            "--email",
            "chair@demo.nhs.uk",
            "--role",
            "chair",
            "--token",
        ],
    )
    assert result.exit_code == 0, result.output
    token = result.output.split("API token (shown once): ")[1].strip()
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as db:
        stored = db.scalars(select(ApiToken.token_hash)).all()
    engine.dispose()
    assert token.startswith("mdt_") and token not in stored and len(stored) == 1
    bad_role = CliRunner().invoke(
        users_app, ["create", "--org", "X", "--email", "a@b.uk", "--role", "surgeon"]
    )
    assert bad_role.exit_code == 2


def test_demo_has_every_role_two_trusts_and_the_90_patient_list(database_url):
    demo = create_demo(database_url)
    roles = {(u["organisation"], u["role"]) for u in demo["users"]}
    assert roles == {
        ("Demo NHS Trust", r) for r in ("coordinator", "clinician", "chair", "auditor", "admin")
    } | {("Other NHS Trust", "coordinator")}
    assert demo["cases"] == 90
