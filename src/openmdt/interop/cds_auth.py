"""Verifying the JWT a CDS Client (the EHR) sends on every CDS Hooks call (CDS Hooks 2.0.1).

Only allow-listed issuers are accepted, each with its JSON Web Key Set (given in the
configuration; a `jku` in the token header must be one the issuer's entry lists). Only ES384
and RS384 are accepted (never `none` or an HMAC algorithm). The audience must be the exact
URL called; `exp`, `iat` and `jti` are required; a `jti` is accepted once until it expires.
The clock is passed in.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt

ALGORITHMS = ("ES384", "RS384")
CLOCK_SKEW_SECONDS = 60  # tolerated difference between the EHR's clock and ours
MAX_TOKEN_LIFETIME_SECONDS = 3600  # a jti is remembered this long at most


class TokenRejected(Exception):
    """The token is not accepted; ``reason`` says why (never the token itself)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CdsClient:
    """An allow-listed CDS Client: its issuer, keys, allowed `jku` URLs, and the OpenMDT
    user (by email) whose organisation and role its calls act with."""

    issuer: str
    jwks: Mapping[str, Any]
    user_email: str
    jku: tuple[str, ...] = ()


@dataclass(frozen=True)
class CdsClients:
    """The allow-list, by issuer."""

    by_issuer: Mapping[str, CdsClient] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any) -> CdsClients:
        """From ``[{"iss", "jwks": {"keys": [...]}, "user_email", "jku": [...]}, ...]``."""
        clients = {}
        for entry in data:
            client = CdsClient(str(entry["iss"]), dict(entry["jwks"]), str(entry["user_email"]),
                               tuple(entry.get("jku") or ()))
            clients[client.issuer] = client
        return cls(clients)

    @classmethod
    def from_file(cls, path: str | Path) -> CdsClients:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


class JtiRegistry:
    """The `jti`s seen, per issuer, until their tokens expire (a replay is refused).

    Kept in this process; several app processes each keep their own (see docs/interop.md).
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def claim(self, issuer: str, jti: str, expires: float, now: float) -> bool:
        """Whether this is the first use of ``jti``; remembers it until ``expires``."""
        with self._lock:
            self._seen = {k: v for k, v in self._seen.items() if v >= now}
            if (issuer, jti) in self._seen:
                return False
            self._seen[(issuer, jti)] = min(expires, now + MAX_TOKEN_LIFETIME_SECONDS)
            return True


@dataclass(frozen=True)
class VerifiedCall:
    """Who called: the allow-listed client and the token's claims."""

    client: CdsClient
    claims: Mapping[str, Any]


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRejected("no bearer token")
    return token.strip()


def verify_call(authorization: str | None, clients: CdsClients, audience: str,
                registry: JtiRegistry, now: float) -> VerifiedCall:
    """The verified caller of a CDS Hooks request, or TokenRejected."""
    client, claims = verify_token(bearer_token(authorization), clients, audience, now)
    if not registry.claim(client.issuer, str(claims["jti"]), float(claims["exp"]), now):
        raise TokenRejected("the token's jti was used before")
    return VerifiedCall(client, claims)


def verify_token(token: str, clients: CdsClients, audience: str, now: float,
                 check_expiry: bool = True) -> tuple[CdsClient, dict[str, Any]]:
    """Signature, algorithm, issuer, audience, expiry and required claims of one token."""
    header = _header(token)
    client = _client(token, clients)
    if header.get("jku") is not None and header["jku"] not in client.jku:
        raise TokenRejected("the token's jku is not allow-listed for its issuer")
    key = _key(client, header)
    try:
        claims = jwt.decode(token, key, algorithms=[header["alg"]], audience=audience,
                            issuer=client.issuer,
                            options={"require": ["iss", "aud", "exp", "iat", "jti"],
                                     "verify_exp": False, "verify_iat": False,
                                     "verify_nbf": False})
    except jwt.PyJWTError as error:
        raise TokenRejected(f"the token does not verify: {type(error).__name__}") from None
    if check_expiry:
        _check_times(claims, now)
    return client, claims


def _header(token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise TokenRejected("the token is not a JWT") from None
    if header.get("alg") not in ALGORITHMS:
        raise TokenRejected(f"algorithm {header.get('alg')!r} is not accepted: allowed "
                            f"{', '.join(ALGORITHMS)}")
    return header


def _client(token: str, clients: CdsClients) -> CdsClient:
    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError:
        raise TokenRejected("the token is not a JWT") from None
    client = clients.by_issuer.get(str(issuer))
    if client is None:
        raise TokenRejected("the issuer is not allow-listed")
    return client


def _key(client: CdsClient, header: Mapping[str, Any]) -> Any:
    try:
        keys = jwt.PyJWKSet.from_dict(dict(client.jwks)).keys
    except jwt.PyJWTError:
        raise TokenRejected("the issuer's key set cannot be read") from None
    kid = header.get("kid")
    chosen = [k for k in keys if kid is None or k.key_id == kid]
    if len(chosen) != 1:
        raise TokenRejected("no single key of the issuer matches the token's kid")
    if chosen[0].algorithm_name not in (header["alg"], None):
        raise TokenRejected("the key is not for the token's algorithm")
    return chosen[0].key


def _check_times(claims: Mapping[str, Any], now: float) -> None:
    if float(claims["exp"]) < now - CLOCK_SKEW_SECONDS:
        raise TokenRejected("the token has expired")
    if float(claims["iat"]) > now + CLOCK_SKEW_SECONDS:
        raise TokenRejected("the token was issued in the future")
