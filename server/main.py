"""The hub's FastAPI application: lifespan (migrate, thread pool), error handlers, routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app import __version__
from app.sync import protocol as p
from server import db, privacy, security
from server.api.audit import router as audit_router
from server.api.deps import Hub, PushAdmission, push_limit
from server.api.impact import router as impact_router
from server.api.privacy import router as privacy_router
from server.api.routes import router
from server.automation.routes import router as automation_router
from server.config import HubSettings
from server.errors import HubError
from server.web.dashboard import router as dashboard_router

log = logging.getLogger(__name__)


def create_app(settings: HubSettings | None = None, *, migrate: bool = True) -> FastAPI:
    settings = settings or HubSettings()
    security.configure_hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
    engine = db.make_engine(settings.resolved_database_url(), settings.db_pool_size)
    privacy.install(engine, settings.media_dir())  # erasure deletes media files (#11)
    hub = Hub(settings, engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if migrate:
            db.upgrade(engine)
        hub.start()
        try:
            yield
        finally:
            hub.stop()
            engine.dispose()

    app = FastAPI(
        title="RoundTwo hub",
        version=__version__,
        description="The central hub RoundTwo laptops sync to (offline-first, idempotent).",
        lifespan=lifespan,
    )
    app.state.hub = hub

    @app.exception_handler(HubError)
    async def _hub_error(_req: Request, exc: HubError) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status, content={"detail": exc.body.model_dump(mode="json")}
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_req: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        body = p.ErrorBody(
            code=p.ErrorCode.INVALID,
            message=f"The request is invalid at {where or 'the body'}: {first.get('msg', '')}.",
        )
        return JSONResponse(status_code=422, content={"detail": body.model_dump(mode="json")})

    app.add_middleware(PushAdmission, limit=push_limit(settings))  # sync performance (#7)
    app.include_router(router)
    app.include_router(privacy_router)  # privacy (#11): erasure reports, compliance profile
    app.include_router(automation_router)  # hub automation (#8): API + self-scheduling pages
    app.include_router(dashboard_router)  # HR web dashboard (server/web)
    app.include_router(impact_router)  # adverse-impact report (#11), HR/admin only
    app.include_router(audit_router)  # hub audit log (#11), admins only
    return app
