"""Verifying the JWT a CDS Client (the EHR) sends on every CDS Hooks call (CDS Hooks 2.0.1).

Only allow-listed issuers are accepted, each with its JSON Web Key Set: given in the
configuration, or fetched over HTTP from the issuer's configured `jwks_url`, or from the
token's `jku` when (and only when) the issuer's entry lists that exact URL. Fetched key sets
are cached; a `kid` not in the cached set triggers one refresh (PyJWT's PyJWKClient: timeout,
cache lifespan, refresh cool-down, no redirects). Only ES384 and RS384 are accepted (never
`none` or an HMAC algorithm). The audience must be the exact URL called; `exp`, `iat` and
`jti` are required; a `jti` is accepted once until it expires. The clock is passed in.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import jwt

ALGORITHMS = ("ES384", "RS384")
CLOCK_SKEW_SECONDS = 60  # tolerated difference between the EHR's clock and ours
MAX_TOKEN_LIFETIME_SECONDS = 3600  # a jti is remembered this long at most
# Local policy (no source sets these): fetching an issuer's key set.
JWKS_TIMEOUT_SECONDS = 5.0  # one HTTP fetch
JWKS_CACHE_SECONDS = 300.0  # a fetched key set is used this long before it is fetched again
JWKS_REFRESH_COOLDOWN_SECONDS = 30.0  # an unknown kid refetches at most this often per URL
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


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
    jwks_url: str | None = None


class KeySetFetcher:
    """Issuers' key sets fetched over HTTP, one PyJWKClient (with its cache) per URL. Only
    URLs from the allow-list are ever passed in."""

    def __init__(self, timeout: float = JWKS_TIMEOUT_SECONDS,
                 lifespan: float = JWKS_CACHE_SECONDS,
                 cooldown: float = JWKS_REFRESH_COOLDOWN_SECONDS) -> None:
        self.timeout, self.lifespan, self.cooldown = timeout, lifespan, cooldown
        self._clients: dict[str, jwt.PyJWKClient] = {}
        self._lock = threading.Lock()

    def key(self, url: str, kid: str | None) -> jwt.PyJWK:
        """The key ``kid`` of the set at ``url`` (the only key when no kid is given)."""
        client = self._client(url)
        try:
            if kid is not None:
                return client.get_signing_key(kid)
            keys = client.get_signing_keys()
        except jwt.PyJWKClientConnectionError:
            raise TokenRejected("the issuer's key set could not be fetched") from None
        except jwt.PyJWTError:
            raise TokenRejected("no single key of the issuer matches the token's kid") from None
        if len(keys) != 1:
            raise TokenRejected("no single key of the issuer matches the token's kid")
        return keys[0]

    def _client(self, url: str) -> jwt.PyJWKClient:
        with self._lock:
            if url not in self._clients:
                self._clients[url] = jwt.PyJWKClient(
                    url, cache_jwk_set=True, lifespan=self.lifespan, timeout=self.timeout,
                    cooldown_duration=self.cooldown)
            return self._clients[url]


@dataclass(frozen=True)
class CdsClients:
    """The allow-list, by issuer, and the fetcher of their key sets."""

    by_issuer: Mapping[str, CdsClient] = field(default_factory=dict)
    fetcher: KeySetFetcher = field(default_factory=KeySetFetcher, compare=False)

    @classmethod
    def from_json(cls, data: Any, fetcher: KeySetFetcher | None = None) -> CdsClients:
        """From ``[{"iss", "jwks": {"keys": [...]}, "jwks_url", "user_email", "jku": [...]},
        ...]``: each entry gives its keys (``jwks``), a URL to fetch them from
        (``jwks_url``), or both."""
        clients = {}
        for number, entry in enumerate(data, start=1):
            client = CdsClient(str(entry["iss"]), dict(entry.get("jwks") or {}),
                               str(entry["user_email"]), tuple(entry.get("jku") or ()),
                               entry.get("jwks_url"))
            _check_entry(client, number)
            clients[client.issuer] = client
        return cls(clients, fetcher or KeySetFetcher())

    @classmethod
    def from_file(cls, path: str | Path) -> CdsClients:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def _check_entry(client: CdsClient, number: int) -> None:
    """A configured issuer has keys or a URL to fetch them from, and fetches only over HTTPS
    (plain HTTP only on this machine: local policy)."""
    if not client.jwks.get("keys") and not client.jwks_url and not client.jku:
        raise ValueError(f"CDS client {number} ({client.issuer}): give its keys (jwks) or "
                         "the URL of its key set (jwks_url or jku)")
    for url in (*client.jku, *([client.jwks_url] if client.jwks_url else [])):
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http"
                                            and parts.hostname in LOOPBACK_HOSTS):
            raise ValueError(f"CDS client {number} ({client.issuer}): key set URL {url!r} "
                             "is not allowed: use https (http only on 127.0.0.1/localhost)")


class JtiClaims(Protocol):
    """Where the `jti`s seen are kept: this process (JtiRegistry) or the database shared by
    every process (``cds_replay.DatabaseJtiRegistry``, what the app uses)."""

    def claim(self, issuer: str, jti: str, expires: float, now: float) -> bool: ...


class JtiRegistry:
    """The `jti`s seen, per issuer, until their tokens expire (a replay is refused).

    Kept in this process only: for a single process or tests; the app keeps them in the
    database (``cds_replay``).
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
                registry: JtiClaims, now: float) -> VerifiedCall:
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
    key = _key(client, header, clients.fetcher)
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


def _key(client: CdsClient, header: Mapping[str, Any], fetcher: KeySetFetcher) -> Any:
    """The issuer's key for the token: from the configured set, else fetched from the
    token's (allow-listed) `jku` or the issuer's `jwks_url`."""
    kid = header.get("kid")
    chosen = [k for k in _configured_keys(client) if kid is None or k.key_id == kid]
    if len(chosen) > 1:
        raise TokenRejected("no single key of the issuer matches the token's kid")
    url = header.get("jku") or client.jwks_url
    if chosen:
        found = chosen[0]
    elif url is not None:
        found = fetcher.key(str(url), kid)
    else:
        raise TokenRejected("no single key of the issuer matches the token's kid")
    if found.algorithm_name not in (header["alg"], None):
        raise TokenRejected("the key is not for the token's algorithm")
    return found.key


def _configured_keys(client: CdsClient) -> list[jwt.PyJWK]:
    if not client.jwks.get("keys"):
        return []
    try:
        return list(jwt.PyJWKSet.from_dict(dict(client.jwks)).keys)
    except jwt.PyJWTError:
        raise TokenRejected("the issuer's key set cannot be read") from None


def _check_times(claims: Mapping[str, Any], now: float) -> None:
    if float(claims["exp"]) < now - CLOCK_SKEW_SECONDS:
        raise TokenRejected("the token has expired")
    if float(claims["iat"]) > now + CLOCK_SKEW_SECONDS:
        raise TokenRejected("the token was issued in the future")
