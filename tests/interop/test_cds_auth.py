"""JWT verification for CDS Hooks: the spec's own token as a known-answer test, and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fhir_builders import EXTERNAL

from openmdt.interop.cds_auth import (
    CdsClients,
    JtiRegistry,
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
