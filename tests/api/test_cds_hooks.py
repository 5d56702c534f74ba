"""CDS Hooks 2.0.1: discovery, patient-view with prefetch or a FHIR server, JWT, feedback."""

from __future__ import annotations

import json
import sys
import time
import uuid
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "interop"))
from fhir_builders import EXTERNAL, FHIR, bundle, patient, prostate_cancer, psa  # noqa: E402
from fhir_server import fhir_server, resources_by_type  # noqa: E402

from openmdt.interop import cds_hooks  # noqa: E402
from openmdt.interop.cds_auth import CdsClients  # noqa: E402

BASE = "http://testserver"
SERVICE = f"{BASE}/cds-services/openmdt-patient-view"
EHR, EHR2, ROGUE = "https://ehr.example.org", "https://ehr2.example.org", "https://rogue.example"
ANDY = json.loads((FHIR / "synthea-r4-bundles"
                   / "Andy_Schaden_d630c6ca-046c-470a-8f3a-4dbc3850e7ae.json").read_text())
CDS = EXTERNAL / "cds-hooks"


@pytest.fixture(scope="module")
def keys():
    return {"es": ec.generate_private_key(ec.SECP384R1()),
            "rs": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "other": ec.generate_private_key(ec.SECP384R1())}


def _jwks(private, alg: str, kid: str) -> dict:
    algorithm = jwt.get_algorithm_by_name(alg)
    key = json.loads(algorithm.to_jwk(private.public_key()))
    return {"keys": [key | {"kid": kid, "alg": alg, "use": "sig"}]}


def _cds_app(database_url, keys):
    """The app with two allow-listed issuers; seen jtis are kept in its database."""
    from openmdt.web.app import create_app
    from openmdt.web.cds import CdsSettings

    clients = CdsClients.from_json([
        {"iss": EHR, "jwks": _jwks(keys["es"], "ES384", "k1"),
         "user_email": "clinician@example.nhs.uk"},
        {"iss": EHR2, "jwks": _jwks(keys["rs"], "RS384", "k2"),
         "user_email": "other_chair@example.nhs.uk"}])
    return create_app(database_url, secret_key="test-secret-key",
                      cds=CdsSettings(clients, None, BASE))


@pytest.fixture
def cds_client(database_url, tenant_maker, keys):
    app = _cds_app(database_url, keys)
    tenants = tenant_maker(app.state.openmdt.sessions)
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as client:
        yield client, tenants
    app.state.openmdt.engine.dispose()


def _token(keys, aud: str, iss: str = EHR, key: str = "es", alg: str = "ES384",
           kid: str = "k1", expires_in: int = 300, jti: str | None = None) -> str:
    now = int(time.time())
    claims = {"iss": iss, "aud": aud, "iat": now, "exp": now + expires_in,
              "jti": jti or str(uuid.uuid4())}
    return jwt.encode(claims, keys[key], algorithm=alg, headers={"kid": kid})


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _search(kind: str, record: dict) -> dict:
    return {"resourceType": "Bundle", "type": "searchset",
            "entry": [e for e in record["entry"] if e["resource"]["resourceType"] == kind]}


def _hook(patient_id: str, prefetch: dict | None = None, **extra) -> dict:
    body = {"hook": "patient-view", "hookInstance": str(uuid.uuid4()),
            "context": {"userId": "Practitioner/1", "patientId": patient_id}, **extra}
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


def _andy_prefetch() -> dict:
    """What an EHR would prefetch for the Synthea prostate patient (references as Type/id)."""
    store = resources_by_type(ANDY)
    [andy] = store["Patient"].values()

    def search(kind: str) -> dict:
        return {"resourceType": "Bundle", "type": "searchset",
                "entry": [{"resource": r} for r in store[kind].values()]}

    return {"patient": andy, "conditions": search("Condition"),
            "observations": search("Observation")}


def test_discovery_needs_a_token_and_lists_the_service(cds_client, keys):
    client, _ = cds_client
    assert client.get("/cds-services").status_code == 401
    response = client.get("/cds-services", headers=_auth(_token(keys, f"{BASE}/cds-services")))
    assert response.status_code == 200
    [service] = response.json()["services"]
    example = json.loads((CDS / "discovery-response.json").read_text())["services"][0]
    assert set(example) >= set(service) >= {"hook", "id", "title", "description", "prefetch"}
    assert service["prefetch"]["patient"] == "Patient/{{context.patientId}}"


def test_patient_view_with_prefetch_gives_one_card(cds_client, keys):
    client, _ = cds_client
    body = _hook("9afe28dc-7ad5-4e90-b6a6-16123eae98c3", _andy_prefetch())
    response = client.post("/cds-services/openmdt-patient-view", json=body,
                           headers=_auth(_token(keys, SERVICE)))
    assert response.status_code == 200, response.text
    [card] = response.json()["cards"]
    assert len(card["summary"]) < 140 and card["summary"].startswith("Not ready for the MDT")
    assert card["indicator"] == "warning"
    assert "prostate" in card["source"]["label"].lower() and "1.0.0" in card["source"]["label"]
    assert "**Missing data:**" in card["detail"] and "Diagnostic PSA" in card["detail"]
    assert all(r["display"] for r in card["overrideReasons"])
    assert "links" not in card  # OpenMDT holds no case for this patient


def test_without_prefetch_or_fhir_server_the_answer_is_412(cds_client, keys):
    client, _ = cds_client
    response = client.post("/cds-services/openmdt-patient-view", json=_hook("p1"),
                           headers=_auth(_token(keys, SERVICE)))
    assert response.status_code == 412
    assert response.json()["code"] == "prefetch_unavailable"


def test_the_spec_requests_are_read(cds_client, keys) -> None:
    text = (CDS / "hook-request-patient-view-with-prefetch.json").read_text()
    request = cds_hooks.HookRequest.model_validate_json(text)
    assert request.context.patientId == "1288992"
    assert request.fhirAuthorization.token_type == "Bearer"
    # the extension example has no patientId, which patient-view requires: a clear 400
    client, _ = cds_client
    response = client.post("/cds-services/openmdt-patient-view",
                           content=(CDS / "hook-request-with-extension.json").read_text(),
                           headers=_auth(_token(keys, SERVICE)))
    assert response.status_code == 400
    assert "context.patientId" in response.json()["detail"]


def test_fetches_from_the_fhir_server_with_the_bearer_token(cds_client, keys):
    client, _ = cds_client
    with fhir_server(ANDY, "secret-access") as (base, seen):
        body = _hook("9afe28dc-7ad5-4e90-b6a6-16123eae98c3", fhirServer=base,
                     fhirAuthorization={"access_token": "secret-access", "token_type": "Bearer",
                                        "expires_in": 300, "scope": "patient/*.read",
                                        "subject": "openmdt"})
        response = client.post("/cds-services/openmdt-patient-view", json=body,
                               headers=_auth(_token(keys, SERVICE)))
    assert response.status_code == 200, response.text
    assert response.json()["cards"][0]["summary"].startswith("Not ready")
    assert seen == ["Bearer secret-access"] * 3


def test_a_slow_fhir_server_gives_412(cds_client, keys, monkeypatch):
    client, _ = cds_client
    monkeypatch.setattr(cds_hooks, "FETCH_TIMEOUT_SECONDS", 0.2)
    with fhir_server(ANDY, "t", delay=1.0) as (base, _seen):
        body = _hook("9afe28dc-7ad5-4e90-b6a6-16123eae98c3", fhirServer=base,
                     fhirAuthorization={"access_token": "t", "token_type": "Bearer"})
        response = client.post("/cds-services/openmdt-patient-view", json=body,
                               headers=_auth(_token(keys, SERVICE)))
    assert response.status_code == 412
    assert "ReadTimeout" in response.json()["detail"]


@pytest.mark.parametrize("case", ["forged", "expired", "unlisted", "wrong_audience", "hs256",
                                  "replayed", "no_jti"])
def test_bad_tokens_get_401_and_nothing_is_read(cds_client, keys, case):
    client, _ = cds_client
    token = {
        "forged": lambda: _token(keys, SERVICE, key="other"),
        "expired": lambda: _token(keys, SERVICE, expires_in=-600),
        "unlisted": lambda: _token(keys, SERVICE, iss=ROGUE),
        "wrong_audience": lambda: _token(keys, f"{BASE}/cds-services/other"),
        "hs256": lambda: jwt.encode({"iss": EHR, "aud": SERVICE, "exp": time.time() + 60,
                                     "iat": time.time(), "jti": "x"}, "k" * 32,
                                    algorithm="HS256"),
        "replayed": lambda: _token(keys, SERVICE, jti="once"),
        "no_jti": lambda: jwt.encode({"iss": EHR, "aud": SERVICE, "exp": time.time() + 60,
                                      "iat": time.time()}, keys["es"], algorithm="ES384",
                                     headers={"kid": "k1"}),
    }[case]()
    if case == "replayed":  # the first use is accepted (the body is bad: 400, so it was read)
        first = client.post("/cds-services/openmdt-patient-view", content="not json",
                            headers=_auth(token))
        assert first.status_code == 400
    # a body that is not even JSON: 401 (not 400) shows it was never read or evaluated
    response = client.post("/cds-services/openmdt-patient-view", content="not json",
                           headers=_auth(token))
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"


def test_rs384_client_and_the_case_link_stays_in_its_organisation(cds_client, keys):
    client, tenants = cds_client
    from api_helpers import new_meeting

    meeting_id = new_meeting(client, tenants)
    record = [patient(), prostate_cancer(), psa("o1", 6.2, "2026-11-01")]
    imported = client.post(f"/api/v1/meetings/{meeting_id}/cases", content=bundle(*record),
                           headers={**tenants.headers("coordinator"),
                                    "Content-Type": "application/fhir+json"})
    case_id = imported.json()["case_ids"][0]
    prefetch = {"patient": record[0], "conditions": _search("Condition", json.loads(
        bundle(*record))), "observations": _search("Observation", json.loads(bundle(*record)))}
    same = client.post("/cds-services/openmdt-patient-view", json=_hook("p1", prefetch),
                       headers=_auth(_token(keys, SERVICE)))
    [card] = same.json()["cards"]
    assert card["links"] == [{"label": "Open the case in OpenMDT", "type": "absolute",
                              "url": f"{BASE}/cases/{case_id}"}]
    other = client.post("/cds-services/openmdt-patient-view", json=_hook("p1", prefetch),
                        headers=_auth(_token(keys, SERVICE, iss=EHR2, key="rs", alg="RS384",
                                             kid="k2")))
    assert other.status_code == 200
    assert "links" not in other.json()["cards"][0]


def test_feedback_is_recorded_in_the_audit_trail(cds_client, keys):
    client, tenants = cds_client
    url = "/cds-services/openmdt-patient-view/feedback"
    for name in ("feedback-suggestion-accepted.json", "feedback-overridden-without-reason.json",
                 "feedback-overridden-with-reason.json"):
        response = client.post(url, content=(CDS / name).read_text(),
                               headers=_auth(_token(keys, f"{BASE}{url}")))
        assert response.status_code == 200, (name, response.text)
    events = client.get("/api/v1/audit", headers=tenants.headers("auditor")).json()["events"]
    feedback = [e["details"] for e in events if e["action"] == "cds_feedback"]
    assert [f["outcome"] for f in feedback] == ["accepted", "overridden", "overridden"]
    assert feedback[2]["override_reason"] and feedback[2]["comment"]
    assert all(e["user_id"] == tenants.user_ids["clinician"] for e in events
               if e["action"] == "cds_feedback")


def test_a_replay_to_another_app_instance_is_refused(cds_client, keys, database_url):
    """Two app instances (two processes' worth: separate engines and connection pools) on
    one database: a token used on one is refused on the other, and nothing is stored."""
    client, tenants = cds_client
    url = "/cds-services/openmdt-patient-view/feedback"
    body = (CDS / "feedback-suggestion-accepted.json").read_text()
    token = _token(keys, f"{BASE}{url}")
    assert client.post(url, content=body, headers=_auth(token)).status_code == 200
    other_app = _cds_app(database_url, keys)
    try:
        with TestClient(other_app, base_url=BASE, raise_server_exceptions=False) as other:
            replayed = other.post(url, content=body, headers=_auth(token))
            assert replayed.status_code == 401, replayed.text
            assert "jti was used before" in replayed.json()["detail"]
            fresh = other.post(url, content=body, headers=_auth(_token(keys, f"{BASE}{url}")))
            assert fresh.status_code == 200
    finally:
        other_app.state.openmdt.engine.dispose()
    events = client.get("/api/v1/audit", headers=tenants.headers("auditor")).json()["events"]
    assert len([e for e in events if e["action"] == "cds_feedback"]) == 2  # not 3


def test_seen_jtis_are_kept_until_their_tokens_expire_then_purged(database_url):
    from sqlalchemy import select

    from openmdt.interop.cds_replay import DatabaseJtiRegistry
    from openmdt.store.database import make_engine, make_sessionmaker, upgrade_database
    from openmdt.store.models import CdsTokenUse

    engine = make_engine(database_url)
    upgrade_database(database_url, engine=engine)
    first, second = (DatabaseJtiRegistry(make_sessionmaker(engine)) for _ in range(2))
    try:
        assert first.claim(EHR, "j1", expires=1300, now=1000)
        assert not second.claim(EHR, "j1", expires=1300, now=1001)  # another process
        assert second.claim(EHR2, "j1", expires=1300, now=1001)  # unique per issuer
        assert second.claim(EHR, "j2", expires=1_000_000, now=1002)
        # once expired, the rows are purged by the next claim
        assert first.claim(EHR, "j3", expires=1900, now=1400)
        with make_sessionmaker(engine)() as db:
            kept = db.scalars(select(CdsTokenUse.jti).order_by(CdsTokenUse.jti)).all()
            assert kept == ["j2", "j3"]
        # a jti is kept an hour at most, whatever its token's exp says: j2 is purged too
        assert first.claim(EHR, "j1", expires=5000, now=4700)
        with make_sessionmaker(engine)() as db:
            assert sorted(db.scalars(select(CdsTokenUse.jti)).all()) == ["j1"]
    finally:
        engine.dispose()


def test_an_alliance_analyst_cannot_be_a_cds_client_user(database_url, keys):
    """A CDS client acting as an alliance analyst gets 401: the role sees no patient."""
    from openmdt.accounts import create_user
    from openmdt.accounts.alliances import create_alliance
    from openmdt.store.models import Organisation
    from openmdt.web.app import create_app
    from openmdt.web.cds import CdsSettings

    clients = CdsClients.from_json([{"iss": EHR, "jwks": _jwks(keys["es"], "ES384", "k1"),
                                     "user_email": "analyst@alliance.example"}])
    app = create_app(database_url, secret_key="test-secret-key",
                     cds=CdsSettings(clients, None, BASE))
    with app.state.openmdt.sessions() as db:
        alliance = create_alliance(db, name="ne", label="NE Cancer Alliance",
                                   pack_id="prostate-nice-ng131")
        create_user(db, organisation=db.get(Organisation, alliance.organisation_id),
                    email="analyst@alliance.example", role="alliance_analyst", password=None)
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as client:
        body = _hook("9afe28dc-7ad5-4e90-b6a6-16123eae98c3", _andy_prefetch())
        response = client.post("/cds-services/openmdt-patient-view", json=body,
                               headers=_auth(_token(keys, SERVICE)))
        assert response.status_code == 401, response.text
    app.state.openmdt.engine.dispose()


def test_browser_clients_from_allow_listed_origins_get_cors_on_the_cds_paths_only(
        database_url, tenant_maker, keys):
    """CDS Hooks asks services to support CORS for browser-based clients: an allow-listed
    origin's preflight and calls are answered with its origin (no credentials: the JWT is
    the authentication); any other origin gets no CORS header, and no other path has CORS."""
    from openmdt.web.app import create_app
    from openmdt.web.cds import CdsSettings, allowed_origins

    ehr = "https://ehr.example.org"
    clients = CdsClients.from_json([{"iss": EHR, "jwks": _jwks(keys["es"], "ES384", "k1"),
                                     "user_email": "clinician@example.nhs.uk"}])
    app = create_app(database_url, secret_key="test-secret-key",
                     cds=CdsSettings(clients, None, BASE, allowed_origins(ehr)))
    tenant_maker(app.state.openmdt.sessions)
    preflight = {"Origin": ehr, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type"}
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as client:
        allowed = client.options("/cds-services/openmdt-patient-view", headers=preflight)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == ehr
        assert "POST" in allowed.headers["access-control-allow-methods"]
        assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-credentials" not in allowed.headers
        other = client.options("/cds-services/openmdt-patient-view",
                               headers=preflight | {"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        call = client.get("/cds-services", headers={"Origin": ehr} | _auth(
            _token(keys, f"{BASE}/cds-services")))
        assert call.status_code == 200 and call.headers["access-control-allow-origin"] == ehr
        unsigned = client.get("/cds-services", headers={"Origin": ehr})
        assert unsigned.status_code == 401  # CORS lets the browser read the refusal, no more
        assert client.get("/api/v1/meetings", headers={"Origin": ehr}).headers.get(
            "access-control-allow-origin") is None
    app.state.openmdt.engine.dispose()
    for bad in ("https://ehr.example.org/path", "*", "ehr.example.org", "https://*.nhs.uk"):
        with pytest.raises(ValueError, match="not an origin"):
            allowed_origins(bad)
