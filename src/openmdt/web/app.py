"""The FastAPI application: JSON API under /api/v1, the HTML pages, static files, headers."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from openmdt import __version__
from openmdt.store.database import (
    database_url_from_env,
    make_engine,
    make_sessionmaker,
    upgrade_database,
)
from openmdt.store.errors import ServiceError
from openmdt.web.api import router as api_router
from openmdt.web.api_sact import router as sact_api_router
from openmdt.web.api_samples import router as samples_router
from openmdt.web.cds import CdsCors, CdsSettings
from openmdt.web.cds import router as cds_router
from openmdt.web.limits import BodyLimit
from openmdt.web.openapi import install_openapi
from openmdt.web.problems import BUSY_RETRY_AFTER, UnexpectedErrors, install_problem_handlers
from openmdt.web.security import AppSettings, SecurityHeaders

STATIC_DIR = Path(__file__).parent / "static"
log = logging.getLogger("openmdt.web")


def _secret_key(secret_key: str | None) -> bytes:
    key = secret_key or os.environ.get("OPENMDT_SECRET_KEY")
    if key:
        return key.encode("utf-8")
    # A per-process key is fine for one process; several need OPENMDT_SECRET_KEY.
    return secrets.token_bytes(32)


def build_api(settings: AppSettings) -> FastAPI:
    """The /api/v1 sub-application with its own OpenAPI document and problem handlers."""
    api = FastAPI(
        title="OpenMDT API",
        version=__version__,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        description="MDT meeting workflow: lists, agenda, facts, outcomes, audit. Errors are "
        "RFC 9457 problem details with a stable `code`.",
    )
    api.state.openmdt = settings
    install_problem_handlers(api)
    api.include_router(api_router)
    api.include_router(sact_api_router)
    api.include_router(samples_router)
    install_openapi(api)
    return api


def _internal_error_page(_scope: object) -> Response:
    return HTMLResponse(
        "<!doctype html><title>Server error</title><h1>Sorry, there is a problem</h1>"
        "<p>The server could not complete the request.</p>",
        status_code=500,
    )


def _busy_page(_scope: object) -> Response:
    return HTMLResponse(
        "<!doctype html><title>Busy</title><h1>The system is busy</h1>"
        "<p>Another change is being saved; nothing was changed. Please try again in a few "
        "seconds.</p>",
        status_code=503, headers={"Retry-After": str(BUSY_RETRY_AFTER)},
    )


def _include_pages(app: FastAPI) -> None:
    try:
        from openmdt.web import pages
    except ImportError as error:
        log.warning("HTML pages not available: %s", error)
        return
    app.include_router(pages.router)


def _install_page_errors(app: FastAPI) -> None:
    """Errors on HTML routes become pages (the API sub-application answers problem details)."""
    try:
        from openmdt.web.pages_common import error_page, service_error_page
    except ImportError:
        return

    async def on_service_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, ServiceError)
        return service_error_page(request, None, error)

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        message = "" if error.status_code == 404 else str(error.detail or "")
        response = error_page(request, None, error.status_code, message)
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    app.add_exception_handler(ServiceError, on_service_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)


def create_app(database_url: str | None = None, *, secret_key: str | None = None,
               cds: CdsSettings | None = None) -> FastAPI:
    """Build the app for a database (migrated to the newest schema first); ``cds``: the
    allow-listed CDS Hooks clients (default: OPENMDT_CDS_CLIENTS, see docs/interop.md)."""
    url = database_url or database_url_from_env()
    engine = make_engine(url)
    upgrade_database(url, engine=engine)
    settings = AppSettings(engine, make_sessionmaker(engine), _secret_key(secret_key))
    app = FastAPI(
        title="OpenMDT", version=__version__, openapi_url=None, docs_url=None, redoc_url=None
    )
    app.state.openmdt = settings
    app.add_middleware(UnexpectedErrors, respond=_internal_error_page, busy=_busy_page)
    app.add_middleware(BodyLimit)
    app.state.cds = cds or CdsSettings.from_env()
    if app.state.cds.allowed_origins:
        app.add_middleware(CdsCors, origins=app.state.cds.allowed_origins)
    app.add_middleware(SecurityHeaders)
    app.mount("/api/v1", build_api(settings), name="api")
    app.include_router(cds_router)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _include_pages(app)
    _install_page_errors(app)
    _warm_packs()
    return app


def _warm_packs() -> None:
    """Compile the shipped packs now, not in the first requests (which would all wait)."""
    from openmdt.knowledge import PackLoadError, load_pack, shipped_pack_ids

    for pack_id in shipped_pack_ids():
        try:
            load_pack(pack_id)
        except PackLoadError as error:
            log.warning("knowledge pack %s cannot be loaded: %s", pack_id, error)
