"""The server CLI: users create (token shown once, stored hashed) and the demo data."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from openmdt.cli.server import create_demo, users_app
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
        ("Demo NHS Trust", r) for r in ("coordinator", "clinician", "chair", "auditor", "admin",
                                        "prescriber", "pharmacist", "nurse")
    } | {("Other NHS Trust", "coordinator")}
    assert demo["cases"] == 90


def test_demo_rerun_reuses_the_organisation_users_and_meeting(database_url):
    from sqlalchemy import func

    from openmdt.accounts import login
    from openmdt.store.models import Meeting, MeetingCase, User

    first = create_demo(database_url)
    second = create_demo(database_url)
    assert second["meeting_id"] == first["meeting_id"] and second["cases"] == 90
    assert [u["email"] for u in second["users"]] == [u["email"] for u in first["users"]]
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as db:
        assert db.scalar(select(func.count()).select_from(User)) == 9  # 8 roles + other trust
        assert db.scalar(select(func.count()).select_from(Meeting)) == 1
        assert db.scalar(select(func.count()).select_from(MeetingCase)) == 90
        chair = next(u for u in second["users"] if u["role"] == "chair")
        assert login(db, email=chair["email"], password=chair["password"],
                     client_ip="127.0.0.1").role == "chair"
    engine.dispose()


def test_demo_refuses_a_busy_port_before_printing_credentials():
    import socket

    from openmdt.cli.demo import port_is_free

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        busy = listener.getsockname()[1]
        assert not port_is_free("127.0.0.1", busy)
    assert port_is_free("127.0.0.1", busy)
