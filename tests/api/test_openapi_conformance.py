"""The OpenAPI document tells the truth: schemathesis calls every operation of the real app
with generated requests (bounded) and checks each answer's status, media type, headers and
body against the document; and the document lists every problem status."""

from __future__ import annotations

import tempfile

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, settings

from openmdt.accounts import create_user, get_or_create_organisation, issue_api_token
from openmdt.web.app import create_app

APP = create_app(f"sqlite:///{tempfile.mkdtemp(prefix='openmdt-st-')}/st.db",
                 secret_key="schemathesis")
with APP.state.openmdt.sessions() as _db:
    _organisation = get_or_create_organisation(_db, "Schemathesis Trust")
    _chair = create_user(_db, organisation=_organisation, email="st.chair@example.nhs.uk",
                         role="chair", password=None)
    TOKEN = issue_api_token(_db, _chair)
    _db.commit()
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
# positive_data_acceptance is left out on purpose: the document gives types and ranges, but
# business rules (a known MDT type code, an existing pack) also refuse schema-valid values
# with a documented 422.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]


def _stays_in_the_api(case) -> bool:
    """Generated path values such as '..' would make the client leave /api/v1 (dot segments
    are resolved before sending), which tests the pages, not this document."""
    values = (case.path_parameters or {}).values()
    return not any(isinstance(v, str) and ("." in v or "/" in v or "\\" in v) for v in values)


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True)
def test_every_answer_conforms_to_the_document(case) -> None:
    assume(_stays_in_the_api(case))
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"},
                           excluded_checks=EXCLUDED)


@pytest.fixture(scope="module")
def document() -> dict:
    with TestClient(APP) as client:
        return client.get("/api/v1/openapi.json").json()


def _problem_statuses(document: dict, path: str, method: str) -> set[str]:
    responses = document["paths"][path][method]["responses"]
    return {status for status, response in responses.items()
            if "application/problem+json" in response.get("content", {})}


def test_the_document_lists_every_problem_status(document) -> None:
    assert _problem_statuses(document, "/cases/{case_id}/facts", "patch") >= {
        "401", "403", "404", "409", "413", "422", "428", "500", "503"}
    assert _problem_statuses(document, "/session", "post") >= {"401", "422", "429"}
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_a_wrong_method_lists_every_allowed_method() -> None:
    with TestClient(APP) as client:
        for path, allowed in (("/api/v1/meetings", "GET, POST"),
                              ("/api/v1/session", "DELETE, POST")):
            response = client.options(path)
            assert response.status_code == 405
            assert response.headers["allow"] == allowed
            assert response.headers["content-type"] == "application/problem+json"
