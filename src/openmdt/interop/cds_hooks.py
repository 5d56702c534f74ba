"""The CDS Hooks 2.0.1 `patient-view` service: discovery, prefetch, cards, feedback models.

The EHR sends the patient, their conditions and observations as prefetch (or a FHIR server
and a bearer token to fetch them with); OpenMDT reads them with the FHIR reader, evaluates
the case with the pack of its primary cancer and answers one card. Without the data and
without a FHIR server to fetch it from, the answer is 412, as the specification says.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field

from openmdt.engine.result import EvaluationRecord
from openmdt.interop.fhir_cases import FhirOutcome, evaluate_fhir
from openmdt.interop.fhir_out import missing_items
from openmdt.knowledge.words import label_of, option_title, standard_title
from openmdt.meetings.codes import DEVIATION_REASONS

SERVICE_ID = "openmdt-patient-view"
PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
}
SUMMARY_LIMIT = 139  # the spec: fewer than 140 characters
FETCH_TIMEOUT_SECONDS = 2.0  # each request to the EHR's FHIR server
MAX_PAGES = 5  # search pages followed per prefetch key
OVERRIDE_SYSTEM = "https://openmdt.example/fhir/CodeSystem/deviation-reason"
CARD_NAMESPACE = uuid.UUID("3a0e4c1d-6f0b-4a8e-b2a9-0d9c3f6e2b71")


def discovery() -> dict[str, Any]:
    """The discovery document: one patient-view service with its prefetch templates."""
    return {"services": [{
        "hook": "patient-view", "id": SERVICE_ID, "title": "OpenMDT MDT decision support",
        "description": "The guideline options, the missing data and the MDT triage route "
                       "(standard of care, full discussion, not ready) for the patient's "
                       "cancer, with a link to the case in OpenMDT.",
        "prefetch": dict(PREFETCH),
    }]}


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore")  # unknown members (extensions) are ignored


class FhirAuthorization(Strict):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int | None = None
    scope: str | None = None
    subject: str | None = None
    patient: str | None = None


class PatientViewContext(Strict):
    userId: str  # noqa: N815 - the spec's names
    patientId: str  # noqa: N815
    encounterId: str | None = None  # noqa: N815


class HookRequest(Strict):
    hook: str
    hookInstance: str  # noqa: N815
    fhirServer: str | None = None  # noqa: N815
    fhirAuthorization: FhirAuthorization | None = None  # noqa: N815
    context: PatientViewContext
    prefetch: dict[str, Any] | None = None


class Coding(Strict):
    code: str
    system: str | None = None
    display: str | None = None


class OverrideReason(Strict):
    reason: Coding | None = None
    userComment: str | None = Field(None, max_length=2000)  # noqa: N815


class FeedbackItem(Strict):
    card: str
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[dict[str, Any]] = []  # noqa: N815
    overrideReason: OverrideReason | None = None  # noqa: N815
    outcomeTimestamp: str  # noqa: N815


class FeedbackRequest(Strict):
    feedback: list[FeedbackItem]


class PrefetchUnavailable(Exception):
    """The data the service needs cannot be had (answered 412)."""


def gather(request: HookRequest) -> dict[str, Any]:
    """The patient's record as a FHIR collection Bundle (parsed JSON), from prefetch, else
    fetched from the EHR's FHIR server with its bearer token."""
    prefetch = request.prefetch or {}
    found: dict[str, Any] = {}
    for key, template in PREFETCH.items():
        if key in prefetch:
            found[key] = prefetch[key]
        elif request.fhirServer:
            found[key] = _fetch(request, template.replace("{{context.patientId}}",
                                                          request.context.patientId))
        else:
            raise PrefetchUnavailable(f"prefetch {key!r} is missing and no fhirServer is given")
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"resource": r} for r in _resources(found)]}


def _resources(found: Mapping[str, Any]) -> list[dict[str, Any]]:
    resources = []
    for value in found.values():
        if not isinstance(value, dict):
            continue  # null: the EHR has no such data
        if value.get("resourceType") == "Bundle":
            resources += [e["resource"] for e in value.get("entry") or []
                          if isinstance(e, dict) and isinstance(e.get("resource"), dict)
                          and e["resource"].get("resourceType") != "OperationOutcome"]
        elif value.get("resourceType") not in (None, "OperationOutcome"):
            resources.append(value)
    return resources


def _fetch(request: HookRequest, query: str) -> Any:
    """One prefetch query against the EHR's FHIR server (searches followed a few pages)."""
    headers = {"Accept": "application/fhir+json"}
    if request.fhirAuthorization is not None:
        headers["Authorization"] = f"Bearer {request.fhirAuthorization.access_token}"
    url: str | None = f"{str(request.fhirServer).rstrip('/')}/{query}"
    pages: list[dict[str, Any]] = []
    try:
        with httpx.Client(timeout=FETCH_TIMEOUT_SECONDS, headers=headers) as client:
            while url and len(pages) < MAX_PAGES:
                response = client.get(url)
                response.raise_for_status()
                pages.append(response.json())
                url = _next_page(pages[-1])
    except (httpx.HTTPError, ValueError) as error:
        raise PrefetchUnavailable(f"the FHIR server did not answer {query.split('?')[0]}: "
                                  f"{type(error).__name__}") from None
    if len(pages) == 1:
        return pages[0]
    return {"resourceType": "Bundle", "type": "searchset",
            "entry": [e for page in pages for e in page.get("entry") or []]}


def _next_page(page: Mapping[str, Any]) -> str | None:
    for link in page.get("link") or []:
        if link.get("relation") == "next":
            return link.get("url")
    return None


@dataclass(frozen=True)
class CardContext:
    """What a card links to: the case page, when OpenMDT holds the patient's case."""

    case_url: str | None = None


def evaluate_record(record: dict[str, Any], as_of: date) -> FhirOutcome | None:
    """The patient's evaluation (None when the record holds no patient)."""
    result = evaluate_fhir(record, None, as_of, "prefetch")
    return result.outcomes[0] if result.outcomes else None


def cards(request: HookRequest, outcome: FhirOutcome | None, context: CardContext
          ) -> dict[str, Any]:
    """The response: one card, or none when no pack applies to the patient."""
    if outcome is None or outcome.evaluation is None:
        return {"cards": []}
    return {"cards": [card(request, outcome, context)]}


def card(request: HookRequest, outcome: FhirOutcome, context: CardContext) -> dict[str, Any]:
    evaluation = outcome.evaluation
    assert evaluation is not None
    pack = evaluation.pack
    result = EvaluationRecord.read(evaluation.to_dict())
    body: dict[str, Any] = {
        "uuid": str(uuid.uuid5(CARD_NAMESPACE, request.hookInstance)),
        "summary": _summary(result, pack),
        "indicator": "info" if evaluation.route == "standard_of_care" else "warning",
        "detail": _detail(result, pack, outcome),
        "source": {"label": f"OpenMDT ({pack.title}, version {pack.version})"},
        "overrideReasons": [{"code": code, "system": OVERRIDE_SYSTEM, "display": text}
                            for code, text in DEVIATION_REASONS.items()],
    }
    if context.case_url:
        body["links"] = [{"label": "Open the case in OpenMDT", "url": context.case_url,
                          "type": "absolute"}]
    return body


def _summary(result: EvaluationRecord, pack: Any) -> str:
    triage = result.triage
    if triage.route == "standard_of_care":
        text = f"MDT standard of care: {standard_title(pack, triage.standard_of_care)}"
    elif triage.route == "full_discussion":
        text = "Needs full MDT discussion: " + "; ".join(triage.reasons)
    else:
        missing = [label_of(pack, name) for name in triage.data_requests]
        text = f"Not ready for the MDT: {len(missing)} items missing ({', '.join(missing)})"
    return text if len(text) <= SUMMARY_LIMIT else text[:SUMMARY_LIMIT - 1] + "…"


def _detail(result: EvaluationRecord, pack: Any, outcome: FhirOutcome) -> str:
    lines = []
    for decision in result.decisions:
        if not decision.applicable:
            continue
        options = ", ".join(option_title(pack, decision.id, o)
                            for o in decision.recommended) or "none yet"
        lines.append(f"- **{decision.title or decision.id}** ({decision.status}): {options}")
    missing = [label_of(pack, name) for name in missing_items(result)]
    if missing:
        lines.append(f"\n**Missing data:** {', '.join(missing)}")
    if outcome.fhir is not None and outcome.fhir.conflicts:
        lines.append("\n**Conflicting values in the record:** "
                     + "; ".join(c.message(pack) for c in outcome.fhir.conflicts))
    return "\n".join(lines) or "No guideline decision applies."
