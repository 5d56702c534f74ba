"""Server commands the main CLI mounts: serve, db upgrade, users create, audit verify, demo."""

from __future__ import annotations

import json
import secrets
from datetime import date
from pathlib import Path
from typing import Any

import typer

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
alliance_app = typer.Typer(help="Cancer Alliances: member trusts and the shared Standard of "
                                "Care set.", no_args_is_help=True)


@alliance_app.callback()
def _alliance_group() -> None:
    """Cancer Alliance commands."""


@db_app.callback()
def _db_group() -> None:
    """Database schema commands."""


@users_app.callback()
def _users_group() -> None:
    """User account commands."""


@audit_app.callback()
def _audit_group() -> None:
    """Audit trail commands."""


DEMO_ORGANISATION = "Demo NHS Trust"
DEMO_MEETING_TITLE = "Urology Local MDT (demo)"
OTHER_ORGANISATION = "Other NHS Trust"
DEMO_ROLES = ("coordinator", "clinician", "chair", "auditor", "admin", "prescriber", "pharmacist",
              "nurse")


def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    forwarded_allow_ips: str = typer.Option(
        "", "--forwarded-allow-ips",
        help="Comma-separated addresses of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto headers are trusted (default: none; the headers are ignored).",
    ),
) -> None:
    """Run the web app and API (migrates the database first)."""
    import uvicorn

    from openmdt.web.app import create_app

    proxies = forwarded_allow_ips.strip()
    try:
        app = create_app()
    except ValueError as error:  # a setting that is not valid: say which, do not start
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    uvicorn.run(
        app, host=host, port=port, log_level="info",
        # uvicorn would otherwise trust the headers from 127.0.0.1 (or $FORWARDED_ALLOW_IPS)
        proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None,
    )


@db_app.command("upgrade")
def upgrade() -> None:
    """Bring the database (OPENMDT_DATABASE_URL) to the newest schema."""
    from openmdt.store.database import (
        database_url_from_env,
        upgrade_database,
    )

    upgrade_database(database_url_from_env())
    typer.echo("database schema is up to date")


def _sessions() -> Any:
    from openmdt.store.database import database_url_from_env, make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(database_url_from_env()))


def _user_organisation(db: Any, org: str | None, alliance: str | None) -> Any:
    """The organisation a new user belongs to: a trust, or an alliance's office."""
    from openmdt.accounts import get_or_create_organisation
    from openmdt.accounts.alliances import alliance_by_name
    from openmdt.store.errors import InvalidRequest

    if (org is None) == (alliance is None):
        raise InvalidRequest("Give either --org (a trust's users) or --alliance (an "
                             "alliance_analyst), not both or neither.", code="org_or_alliance")
    if alliance is not None:
        from openmdt.store.models import Organisation

        return db.get(Organisation, alliance_by_name(db, alliance).organisation_id)
    return get_or_create_organisation(db, org or "")


@users_app.command("create")
def create_user_command(
    org: str | None = typer.Option(None, "--org", help="Organisation name (created if new)."),
    email: str = typer.Option(..., "--email"),
    role: str = typer.Option(..., "--role", help="coordinator|clinician|chair|auditor|admin|"
                                                  "prescriber|pharmacist|nurse|"
                                                  "alliance_analyst"),
    password: str | None = typer.Option(None, "--password", help="Sign-in password."),
    token: bool = typer.Option(False, "--token", help="Also issue an API token (shown once)."),
    alliance: str | None = typer.Option(
        None, "--alliance", help="For an alliance_analyst: the alliance's name (instead of "
                                 "--org)."),
) -> None:
    """Create a user; prints the API token once when --token is given (stored hashed)."""
    from openmdt.accounts import create_user, issue_api_token
    from openmdt.store.errors import ServiceError

    with _sessions()() as db:
        try:
            organisation = _user_organisation(db, org, alliance)
            user = create_user(
                db, organisation=organisation, email=email, role=role, password=password
            )
        except ServiceError as error:
            typer.echo(f"error: {error.detail}", err=True)
            raise typer.Exit(2) from error
        typer.echo(f"created {user.role} {user.email} in {organisation.name}")
        if token:
            typer.echo(f"API token (shown once): {issue_api_token(db, user)}")
            db.commit()


@alliance_app.command("create")
def create_alliance_command(
    name: str = typer.Argument(..., help="Short name, e.g. north-east (letters, digits, - _)."),
    label: str = typer.Option(..., "--label", help="What pages show, e.g. 'North East "
                                                   "Cancer Alliance'."),
    pack: str = typer.Option("prostate-nice-ng131", "--pack", help="The alliance's shared "
                             "Standard of Care set: its overlay pack id (or the national "
                             "pack)."),
) -> None:
    """Create a Cancer Alliance with its shared Standard of Care set."""
    from openmdt.accounts.alliances import create_alliance
    from openmdt.meetings.evaluation import pack_by_id
    from openmdt.store.errors import ServiceError

    with _sessions()() as db:
        try:
            pack_by_id(pack)
            alliance = create_alliance(db, name=name, label=label, pack_id=pack)
        except ServiceError as error:
            typer.echo(f"error: {error.detail}", err=True)
            raise typer.Exit(2) from error
        typer.echo(f"created alliance {alliance.name} ({alliance.label}), Standard of Care "
                   f"set {alliance.pack_id}")


@alliance_app.command("add-trust")
def add_trust_command(
    name: str = typer.Argument(..., help="The alliance's name."),
    org: str = typer.Option(..., "--org", help="The trust (an existing organisation)."),
) -> None:
    """Make a trust a member of an alliance (a trust belongs to one alliance)."""
    from openmdt.accounts.alliances import add_trust, alliance_by_name
    from openmdt.store.errors import ServiceError

    with _sessions()() as db:
        try:
            alliance = alliance_by_name(db, name)
            add_trust(db, alliance, org)
        except ServiceError as error:
            typer.echo(f"error: {error.detail}", err=True)
            raise typer.Exit(2) from error
        typer.echo(f"{org} is now a member of {alliance.label}")


@alliance_app.command("list")
def list_alliances_command() -> None:
    """The alliances, their Standard of Care sets and member trusts."""
    from sqlalchemy import select

    from openmdt.accounts.alliances import member_trusts
    from openmdt.store.models import Alliance

    with _sessions()() as db:
        alliances = list(db.scalars(select(Alliance).order_by(Alliance.name)))
        if not alliances:
            typer.echo("no alliances")
        for alliance in alliances:
            trusts = ", ".join(t.name for t in member_trusts(db, alliance)) or "no trusts yet"
            typer.echo(f"{alliance.name}: {alliance.label}; set {alliance.pack_id}; {trusts}")


@audit_app.command("verify")
def verify(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    against: Path | None = typer.Option(
        None, "--against", help="Also check the chain against exported checkpoints "
        "(a file written by `openmdt audit checkpoints`)."),
) -> None:
    """Check the audit trail's hash chain from its first row; exit status 1 when it is broken.

    With OPENMDT_AUDIT_KEY (or OPENMDT_AUDIT_KEY_FILE) set, the chain must also match the
    newest signed checkpoint, and a new checkpoint of the verified head is written.
    """
    from openmdt.store.audit import verify_audit_chain
    from openmdt.store.checkpoints import audit_key_from_env, record_checkpoint
    from openmdt.store.database import database_url_from_env, make_engine, make_sessionmaker

    key = audit_key_from_env()
    sessions = make_sessionmaker(make_engine(database_url_from_env()))
    with sessions() as db:
        result = verify_audit_chain(db, key=key)
        if result.ok and against is not None:
            result = _check_exported(db, against, key)
        record_checkpoint(db, result, key)
        db.commit()
    _report(result, as_json)


def _check_exported(db: Any, path: Path, key: bytes | None) -> Any:
    from openmdt.store.audit import AuditVerification, verify_audit_chain
    from openmdt.store.checkpoints import checkpoint_problem

    if key is None:
        typer.echo("error: --against needs OPENMDT_AUDIT_KEY or OPENMDT_AUDIT_KEY_FILE", err=True)
        raise typer.Exit(2)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        exported = [json.loads(line) for line in lines if line.strip()]
    except (OSError, UnicodeDecodeError, ValueError) as error:
        typer.echo(f"error: cannot read checkpoints from {path}: {error}", err=True)
        raise typer.Exit(2) from None
    for number, checkpoint in enumerate(exported, start=1):
        try:
            problem = checkpoint_problem(db, checkpoint, key)
        except (KeyError, TypeError, ValueError):
            typer.echo(f"error: {path}:{number}: not a checkpoint", err=True)
            raise typer.Exit(2) from None
        if problem is not None:
            return AuditVerification(False, 0, checkpoint["last_event_id"], problem)
    return verify_audit_chain(db, key=key)


def _report(result: Any, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result.to_dict()))
    elif result.ok:
        typer.echo(f"audit chain intact ({result.rows_checked} rows)")
    else:
        typer.echo(f"audit chain BROKEN at row {result.first_bad_id}: {result.problem}", err=True)
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("checkpoints")
def export_checkpoints() -> None:
    """Print the signed checkpoints of the audit chain, one JSON object a line, to keep
    outside the database (check them later with `audit verify --against FILE`)."""
    from openmdt.store.checkpoints import all_checkpoints, export_dict
    from openmdt.store.database import database_url_from_env, make_engine, make_sessionmaker

    sessions = make_sessionmaker(make_engine(database_url_from_env()))
    with sessions() as db:
        for checkpoint in all_checkpoints(db):
            typer.echo(json.dumps(export_dict(checkpoint), sort_keys=True))


def _demo_user(db: Any, organisation: Any, email: str, role: str) -> dict[str, str]:
    """The demo user with this email, created on the first run; a re-run gives the same user
    a new password (printed once, stored hashed) instead of adding another user."""
    from sqlalchemy import select

    from openmdt.accounts import create_user
    from openmdt.accounts.passwords import hash_password
    from openmdt.store.models import User

    password = secrets.token_urlsafe(12)
    existing = db.scalars(select(User).where(User.email == email)).one_or_none()
    if existing is None:
        create_user(db, organisation=organisation, email=email, role=role, password=password,
                    display_name=f"Demo {role}")
    else:
        existing.password_hash = hash_password(password)
        db.commit()
    return {"organisation": organisation.name, "email": email, "role": role, "password": password}


def _demo_meeting(db: Any, coordinator: Any) -> tuple[int, int]:
    """The demo meeting with its 90 synthetic cases: created and loaded on the first run,
    found again on a re-run. Returns (meeting id, number of cases)."""
    from sqlalchemy import func, select

    from openmdt.meetings import create_meeting, import_cases
    from openmdt.store.models import Meeting, MeetingCase
    from openmdt.synth import generate_prostate_list

    found = db.scalars(select(Meeting).where(
        Meeting.organisation_id == coordinator.organisation_id,
        Meeting.title == DEMO_MEETING_TITLE)).first()
    if found is not None:
        count = db.scalar(select(func.count()).select_from(MeetingCase).where(
            MeetingCase.meeting_id == found.id))
        return found.id, int(count or 0)
    meeting = create_meeting(db, acting_user=coordinator, meeting_date=date(2026, 12, 1),
                             mdt_type="1201", site_code="RDEMO", pack_id="prostate-nice-ng131",
                             title=DEMO_MEETING_TITLE)
    cases = generate_prostate_list(n=90, seed=7)
    text = "\n".join(json.dumps(case, default=str) for case in cases)
    imported = import_cases(db, meeting.id, text, "jsonl", acting_user=coordinator,
                            source="synthetic list (seed 7)")
    return meeting.id, len(imported)


def create_demo(database_url: str | None = None) -> dict[str, Any]:
    """The demo trust (one user per role), a second trust and a 90-patient meeting; a re-run
    reuses them (same users with new passwords, the same meeting)."""
    from openmdt.accounts import get_or_create_organisation
    from openmdt.store.database import (
        database_url_from_env,
        make_engine,
        make_sessionmaker,
        upgrade_database,
    )

    url = database_url or database_url_from_env()
    engine = make_engine(url)
    upgrade_database(url, engine=engine)
    with make_sessionmaker(engine)() as db:
        demo = get_or_create_organisation(db, DEMO_ORGANISATION)
        users = [_demo_user(db, demo, f"{role}@demo.nhs.uk", role) for role in DEMO_ROLES]
        other = get_or_create_organisation(db, OTHER_ORGANISATION)
        users.append(_demo_user(db, other, "coordinator@other.nhs.uk", "coordinator"))
        coordinator = _find_user(db, users[0]["email"])
        _demo_verifier_level(db)
        meeting_id, count = _demo_meeting(db, coordinator)
        result = {"users": users, "meeting_id": meeting_id, "cases": count}
    engine.dispose()
    return result


def _demo_verifier_level(db: Any) -> None:
    """The demo pharmacist verifies every cycle (BOPA level 2c), set by the demo admin."""
    from openmdt.sact.workflow import set_verifier_level

    pharmacist = _find_user(db, "pharmacist@demo.nhs.uk")
    set_verifier_level(db, pharmacist.id, "2c", acting_user=_find_user(db, "admin@demo.nhs.uk"))


def _find_user(db: Any, email: str) -> Any:
    from sqlalchemy import select

    from openmdt.store.models import User

    return db.scalars(select(User).where(User.email == email)).one()


def print_demo(result: dict[str, Any]) -> None:
    """Print the demo's sign-in credentials (for the person running `make demo`)."""
    typer.echo(f"Demo meeting {result['meeting_id']} with {result['cases']} synthetic cases.")
    for user in result["users"]:
        typer.echo(
            f"  {user['organisation']:<16} {user['role']:<12} {user['email']:<36} "
            f"password: {user['password']}"
        )
