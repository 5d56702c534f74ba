"""CDS Hooks 2.0.1 endpoints: discovery, the patient-view service and its feedback.

Every call carries the EHR's signed JWT; it is verified before the body is read, and a call
that fails verification gets 401 with nothing evaluated or stored. Errors are problem details.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from openmdt.interop import cds_hooks
from openmdt.interop.cds_auth import CdsClients, JtiClaims, TokenRejected, verify_call
from openmdt.interop.cds_hooks import CardContext, HookRequest, PrefetchUnavailable
from openmdt.interop.cds_replay import DatabaseJtiRegistry
from openmdt.store.errors import ServiceError
from openmdt.store.models import ALLIANCE_ANALYST, MeetingCase, User
from openmdt.web.problems import problem, service_problem
from openmdt.web.security import DbSession, settings_of

router = APIRouter()
CASE_LOOKUP_LIMIT = 5_000  # the organisation's newest cases searched for the patient's case


@dataclass
class CdsSettings:
    """The allow-listed CDS Clients, where seen `jti`s are kept (None: the app's database,
    shared by every process) and the public base URL (the audience of a token is the exact
    URL called; behind a proxy set OPENMDT_CDS_BASE_URL)."""

    clients: CdsClients = field(default_factory=CdsClients)
    registry: JtiClaims | None = None
    base_url: str | None = None
    # browser-based CDS Clients (an EHR's web front end) allowed to call from these origins
    allowed_origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls) -> CdsSettings:
        path = os.environ.get("OPENMDT_CDS_CLIENTS")
        clients = CdsClients.from_file(path) if path else CdsClients()
        return cls(clients, None, os.environ.get("OPENMDT_CDS_BASE_URL"),
                   allowed_origins(os.environ.get("OPENMDT_CDS_ALLOWED_ORIGINS", "")))


def allowed_origins(text: str) -> tuple[str, ...]:
    """The origins (``scheme://host[:port]``, comma-separated) a browser-based CDS Client may
    call from; ValueError for anything else (a path, a wildcard, no scheme)."""
    origins = tuple(o.strip().rstrip("/") for o in text.split(",") if o.strip())
    for origin in origins:
        scheme, _, rest = origin.partition("://")
        if scheme not in ("https", "http") or not rest or "/" in rest or "*" in rest:
            raise ValueError(f"OPENMDT_CDS_ALLOWED_ORIGINS: {origin!r} is not an origin; "
                             "give scheme://host[:port], e.g. https://ehr.example.org "
                             "(no path, no wildcard)")
    return origins


class CdsCors:
    """ASGI middleware: CORS for the CDS Hooks paths only (``/cds-services...``), for the
    allow-listed origins of browser-based CDS Clients; every other path is untouched. The
    client authenticates with a bearer JWT, never cookies, so no credentials are allowed.
    The CDS Hooks specification asks services to support CORS for browser clients."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=list(origins),
                                   allow_methods=["GET", "POST"],
                                   allow_headers=["Authorization", "Content-Type"],
                                   allow_credentials=False, max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith("/cds-services"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _settings(request: Request) -> CdsSettings:
    return request.app.state.cds


def _audience(request: Request, path: str) -> str:
    base = _settings(request).base_url or str(request.base_url)
    return f"{base.rstrip('/')}{path}"


def _caller(request: Request, db: Any, path: str) -> User:
    """The OpenMDT user a verified CDS Client acts as; TokenRejected otherwise."""
    settings = _settings(request)
    registry = settings.registry or DatabaseJtiRegistry(settings_of(request).sessions)
    call = verify_call(request.headers.get("authorization"), settings.clients,
                       _audience(request, path), registry, time.time())
    user = db.scalar(select(User).where(User.email == call.client.user_email))
    if user is None or not user.active:
        raise TokenRejected("the issuer's OpenMDT user is not active")
    if user.role == ALLIANCE_ANALYST:  # aggregate figures only, never a patient's card
        raise TokenRejected("the issuer's OpenMDT user is an alliance analyst")
    return user


def _unauthorised(rejected: TokenRejected) -> JSONResponse:
    return problem(401, "invalid_token", "Unauthorised", f"The JWT is not accepted: "
                   f"{rejected.reason}.", headers={"WWW-Authenticate": "Bearer"})


@router.get("/cds-services", tags=["cds-hooks"])
def discovery(request: Request, db: DbSession) -> JSONResponse:
    """CDS Hooks discovery: the patient-view service and its prefetch templates."""
    try:
        _caller(request, db, "/cds-services")
    except TokenRejected as rejected:
        return _unauthorised(rejected)
    return JSONResponse(cds_hooks.discovery())


@router.post("/cds-services/{service_id}", tags=["cds-hooks"])
async def patient_view(service_id: str, request: Request, db: DbSession) -> JSONResponse:
    """The patient-view hook: one card with the options, missing data and route."""
    try:
        user = await run_in_threadpool(_caller, request, db, f"/cds-services/{service_id}")
    except TokenRejected as rejected:
        return _unauthorised(rejected)
    if service_id != cds_hooks.SERVICE_ID:
        return problem(404, "not_found", "Not found", f"No CDS service {service_id!r}.")
    try:
        hook = HookRequest.model_validate_json(await request.body())
    except ValidationError as error:
        return _bad_request(error)
    if hook.hook != "patient-view":
        return problem(400, "invalid_request", "Bad request",
                       f"Hook {hook.hook!r} is not served here: allowed patient-view.")
    try:
        answer = await run_in_threadpool(_answer, hook, user, db, request)
    except PrefetchUnavailable as missing:
        return problem(412, "prefetch_unavailable", "Precondition failed", str(missing))
    return JSONResponse(answer)


def _answer(hook: HookRequest, user: User, db: Any, request: Request) -> dict[str, Any]:
    record = cds_hooks.gather(hook)
    outcome = cds_hooks.evaluate_record(record, date.today())
    nhs_number = None
    if outcome is not None and outcome.fhir is not None:
        nhs_number = (outcome.fhir.data.get("patient") or {}).get("nhs_number")
    return cds_hooks.cards(hook, outcome, _case_link(db, user, nhs_number, request))


def _case_link(db: Any, user: User, nhs_number: str | None, request: Request) -> CardContext:
    """The case page of the patient's newest case in the caller's organisation, if any."""
    if not nhs_number:
        return CardContext()
    rows = db.execute(select(MeetingCase.id, MeetingCase.patient)
                      .where(MeetingCase.organisation_id == user.organisation_id)
                      .order_by(MeetingCase.id.desc()).limit(CASE_LOOKUP_LIMIT))
    for case_id, patient in rows:
        if (patient or {}).get("nhs_number") == nhs_number:
            return CardContext(_audience(request, f"/cases/{case_id}"))
    return CardContext()


@router.post("/cds-services/{service_id}/feedback", tags=["cds-hooks"])
async def feedback(service_id: str, request: Request, db: DbSession) -> JSONResponse:
    """Feedback on a card: accepted, or overridden with a reason (each audited)."""
    try:
        user = await run_in_threadpool(_caller, request, db,
                                       f"/cds-services/{service_id}/feedback")
    except TokenRejected as rejected:
        return _unauthorised(rejected)
    if service_id != cds_hooks.SERVICE_ID:
        return problem(404, "not_found", "Not found", f"No CDS service {service_id!r}.")
    try:
        body = cds_hooks.FeedbackRequest.model_validate_json(await request.body())
    except ValidationError as error:
        return _bad_request(error)
    try:
        await run_in_threadpool(_record_feedback, db, user, service_id, body)
    except ServiceError as error:
        return service_problem(error)
    return JSONResponse({}, status_code=200)


def _record_feedback(db: Any, user: User, service_id: str,
                     body: cds_hooks.FeedbackRequest) -> None:
    from openmdt.meetings.actions import record_cds_feedback

    for item in body.feedback:
        reason = item.overrideReason.reason if item.overrideReason else None
        record_cds_feedback(
            db, acting_user=user, service_id=service_id, card=item.card, outcome=item.outcome,
            override_code=reason.code if reason else None,
            override_display=reason.display if reason else None,
            comment=item.overrideReason.userComment if item.overrideReason else None,
            outcome_timestamp=item.outcomeTimestamp)


def _bad_request(error: ValidationError) -> JSONResponse:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return problem(400, "invalid_request", "Bad request",
                   f"The request body is not a valid CDS Hooks request: {where}: "
                   f"{first.get('msg')}", errors=json.loads(error.json(include_url=False,
                                                                       include_input=False)))
