"""JWT verification for CDS Hooks: the spec's own token as a known-answer test, and refusals."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fhir_builders import EXTERNAL
from jwks_server import jwks_server

from openmdt.interop.cds_auth import (
    CdsClients,
    JtiRegistry,
    KeySetFetcher,
    TokenRejected,
    verify_call,
    verify_token,
)

SPEC = json.loads((Path(__file__).parent / "data" / "cds-hooks-spec-example-jwt.json").read_text())
JWKS = json.loads((EXTERNAL / "cds-hooks" / "jwks-public-key-example.json").read_text())
PAYLOAD = json.loads((EXTERNAL / "cds-hooks" / "jwt-payload-example.json").read_text())
HEADER = json.loads((EXTERNAL / "cds-hooks" / "jwt-header-example.json").read_text())
AUDIENCE = PAYLOAD["aud"]


def _clients(jku: tuple[str, ...] = (HEADER["jku"],)) -> CdsClients:
    return CdsClients.from_json([{"iss": PAYLOAD["iss"], "jwks": JWKS, "user_email": "x",
                                  "jku": list(jku)}])


def test_the_spec_example_token_verifies_with_the_spec_key() -> None:
    assert jwt.get_unverified_header(SPEC["token"]) == HEADER
    client, claims = verify_token(SPEC["token"], _clients(), AUDIENCE, now=PAYLOAD["iat"],
                                  check_expiry=False)
    assert claims == PAYLOAD and client.issuer == PAYLOAD["iss"]


def test_the_spec_token_is_expired_today() -> None:
    with pytest.raises(TokenRejected, match="expired"):
        verify_token(SPEC["token"], _clients(), AUDIENCE, now=1_800_000_000)


def test_one_changed_character_breaks_the_signature() -> None:
    head, body, signature = SPEC["token"].split(".")
    forged = ".".join([head, body, ("A" if signature[0] != "A" else "B") + signature[1:]])
    with pytest.raises(TokenRejected, match="does not verify"):
        verify_token(forged, _clients(), AUDIENCE, now=PAYLOAD["iat"], check_expiry=False)


def test_a_jku_that_is_not_allow_listed_is_refused() -> None:
    with pytest.raises(TokenRejected, match="jku"):
        verify_token(SPEC["token"], _clients(jku=()), AUDIENCE, now=PAYLOAD["iat"],
                     check_expiry=False)


def test_the_audience_must_be_the_url_called() -> None:
    with pytest.raises(TokenRejected):
        verify_token(SPEC["token"], _clients(), AUDIENCE + "-other", now=PAYLOAD["iat"],
                     check_expiry=False)


def test_alg_none_is_refused() -> None:
    token = jwt.encode(PAYLOAD, None, algorithm="none")
    with pytest.raises(TokenRejected, match="algorithm 'none'"):
        verify_token(token, _clients(), AUDIENCE, now=PAYLOAD["iat"])


def test_a_jti_is_accepted_once() -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    public = json.loads(jwt.get_algorithm_by_name("ES384").to_jwk(key.public_key()))
    clients = CdsClients.from_json([{"iss": "https://ehr", "user_email": "x",
                                     "jwks": {"keys": [public | {"kid": "k"}]}}])
    claims = {"iss": "https://ehr", "aud": "https://svc", "iat": 1000, "exp": 1300,
              "jti": "j1"}
    token = jwt.encode(claims, key, algorithm="ES384", headers={"kid": "k"})
    registry = JtiRegistry()
    assert verify_call(f"Bearer {token}", clients, "https://svc", registry, 1100).claims
    with pytest.raises(TokenRejected, match="jti"):
        verify_call(f"Bearer {token}", clients, "https://svc", registry, 1101)
    # once the token has expired its jti is forgotten, and the token is refused as expired
    with pytest.raises(TokenRejected, match="expired"):
        verify_call(f"Bearer {token}", clients, "https://svc", registry, 2000)


# Key sets fetched over HTTP from a real loopback server

ISSUER = "https://ehr.example.org"
SERVICE = "https://svc/cds-services/openmdt-patient-view"


def _private(alg: str) -> Any:
    if alg == "ES384":
        return ec.generate_private_key(ec.SECP384R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _public(private: Any, alg: str, kid: str) -> dict[str, Any]:
    public = json.loads(jwt.get_algorithm_by_name(alg).to_jwk(private.public_key()))
    return public | {"kid": kid, "alg": alg, "use": "sig"}


def _signed(private: Any, alg: str, kid: str, **header: str) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": SERVICE, "iat": now, "exp": now + 300,
              "jti": str(uuid.uuid4())}
    return jwt.encode(claims, private, algorithm=alg, headers={"kid": kid, **header})


def _fetching(entry: dict[str, Any], **fetcher: float) -> CdsClients:
    return CdsClients.from_json([{"iss": ISSUER, "user_email": "x", **entry}],
                                KeySetFetcher(**fetcher))


@pytest.mark.parametrize("alg", ["ES384", "RS384"])
def test_the_key_set_is_fetched_from_the_configured_url_and_cached(alg) -> None:
    private = _private(alg)
    with jwks_server([_public(private, alg, "k1")]) as host:
        clients = _fetching({"jwks_url": f"{host.base}/jwks"})
        for _ in range(3):
            client, claims = verify_token(_signed(private, alg, "k1"), clients, SERVICE,
                                          time.time())
            assert client.issuer == ISSUER and claims["iss"] == ISSUER
        assert host.requests == ["/jwks"]  # fetched once, then cached


def test_a_jku_on_the_issuers_list_is_fetched_and_one_off_the_list_never() -> None:
    private = _private("ES384")
    with jwks_server([_public(private, "ES384", "k1")]) as host:
        listed = f"{host.base}/listed"
        clients = _fetching({"jku": [listed]})
        verify_token(_signed(private, "ES384", "k1", jku=listed), clients, SERVICE,
                     time.time())
        assert host.requests == ["/listed"]
        with pytest.raises(TokenRejected, match="jku is not allow-listed"):
            verify_token(_signed(private, "ES384", "k1", jku=f"{host.base}/attacker"),
                         clients, SERVICE, time.time())
        assert host.requests == ["/listed"]  # the unlisted URL was never asked for


def test_an_unknown_kid_refreshes_the_key_set_once() -> None:
    old, new = _private("RS384"), _private("ES384")
    with jwks_server([_public(old, "RS384", "old")]) as host:
        clients = _fetching({"jwks_url": f"{host.base}/jwks"}, cooldown=0)
        verify_token(_signed(old, "RS384", "old"), clients, SERVICE, time.time())
        host.keys = [_public(old, "RS384", "old"), _public(new, "ES384", "new")]  # rotation
        verify_token(_signed(new, "ES384", "new"), clients, SERVICE, time.time())
        assert len(host.requests) == 2
        stranger = _private("ES384")
        with pytest.raises(TokenRejected, match="kid"):
            verify_token(_signed(stranger, "ES384", "stranger"), clients, SERVICE, time.time())
        assert len(host.requests) == 3  # one refresh for the unknown kid, then refused


def test_within_the_cooldown_an_unknown_kid_does_not_refetch() -> None:
    private, stranger = _private("ES384"), _private("ES384")
    with jwks_server([_public(private, "ES384", "k1")]) as host:
        clients = _fetching({"jwks_url": f"{host.base}/jwks"})  # the default cool-down
        verify_token(_signed(private, "ES384", "k1"), clients, SERVICE, time.time())
        for _ in range(3):
            with pytest.raises(TokenRejected, match="kid"):
                verify_token(_signed(stranger, "ES384", "x"), clients, SERVICE, time.time())
        assert host.requests == ["/jwks"]


def test_a_key_from_the_url_must_still_sign_the_token() -> None:
    private, forger = _private("ES384"), _private("ES384")
    with jwks_server([_public(private, "ES384", "k1")]) as host:
        clients = _fetching({"jwks_url": f"{host.base}/jwks"})
        with pytest.raises(TokenRejected, match="does not verify"):
            verify_token(_signed(forger, "ES384", "k1"), clients, SERVICE, time.time())


def test_a_key_set_that_does_not_answer_in_time_is_a_refusal() -> None:
    private = _private("ES384")
    with jwks_server([_public(private, "ES384", "k1")], delay=2.0) as host:
        clients = _fetching({"jwks_url": f"{host.base}/jwks"}, timeout=0.2)
        with pytest.raises(TokenRejected, match="could not be fetched"):
            verify_token(_signed(private, "ES384", "k1"), clients, SERVICE, time.time())


def test_key_set_urls_must_be_https_or_loopback() -> None:
    with pytest.raises(ValueError, match="use https"):
        CdsClients.from_json([{"iss": ISSUER, "user_email": "x",
                               "jwks_url": "http://keys.example.org/jwks"}])
    with pytest.raises(ValueError, match="give its keys"):
        CdsClients.from_json([{"iss": ISSUER, "user_email": "x"}])
