"""The sign-in throttle against a real server: simultaneous attempts and forwarded addresses."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from live_helpers import served
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

EMAIL = "parallel.person@example.nhs.uk"


def _add_user(database_url: str) -> None:
    from openmdt.accounts import create_user, get_or_create_organisation

    engine = create_engine(database_url)
    try:
        with sessionmaker(engine)() as db:
            organisation = get_or_create_organisation(db, "Throttle Trust")
            create_user(db, organisation=organisation, email=EMAIL, role="chair",
                        password="correct horse battery")
            db.commit()
    finally:
        engine.dispose()


def _sign_in(base: str, password: str, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    body = {"email": EMAIL, "password": password}
    return httpx.post(f"{base}/api/v1/session", json=body, headers=headers,
                      timeout=60).status_code


def test_simultaneous_sign_ins_check_at_most_five_passwords(database_url, tmp_path):
    with served(database_url, tmp_path / "server.log") as base:
        _add_user(database_url)
        with ThreadPoolExecutor(max_workers=30) as pool:
            statuses = list(pool.map(lambda _: _sign_in(base, "wrong password!"), range(30)))
        assert statuses.count(401) <= 5, statuses  # a 401 means the password was checked
        assert set(statuses) <= {401, 429}
        assert _sign_in(base, "correct horse battery") == 429


def test_x_forwarded_for_is_ignored_unless_the_proxy_is_listed(database_url, tmp_path):
    with served(database_url, tmp_path / "server.log") as base:
        _add_user(database_url)
        statuses = [_sign_in(base, "wrong password!", f"10.0.0.{n}") for n in range(7)]
        assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]


def test_a_listed_proxy_passes_on_the_client_address(database_url, tmp_path):
    with served(database_url, tmp_path / "server.log", "--forwarded-allow-ips",
                "127.0.0.1") as base:
        _add_user(database_url)
        statuses = [_sign_in(base, "wrong password!", f"10.0.0.{n}") for n in range(7)]
        assert statuses == [401] * 7
