"""Route dependencies: the hub's services, the caller, protocol negotiation, policy checks.

Everything here is `async`: database work runs on the hub's own pre-started thread pool
(`Hub.run`), never on Starlette's lazily grown one, so the number of threads is fixed."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from app.sync import protocol as p
from server.automation.worker import AutomationWorker
from server.config import HubSettings
from server.db import session_scope
from server.errors import HubError, forbidden
from server.identity import Principal, authenticate
from server.policy import Action, allowed, scope_of

T = TypeVar("T")


class Hub:
    """The services of one running hub: settings, engine and the database thread pool."""

    def __init__(self, settings: HubSettings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.pool: ThreadPoolExecutor | None = None
        # automation (#8): rules, job queue and e-mail in one worker thread
        self.automation = AutomationWorker(settings, engine)

    def start(self) -> None:
        # SQLite takes one writer at a time; more threads would only wait in its busy
        # handler (which sleeps in steps up to 100 ms), so it gets one.
        n = 1 if self.engine.dialect.name == "sqlite" else max(1, self.settings.db_workers)
        self.pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="hub-db")
        # Start every worker now: a pool that grows during requests looks like a thread leak.
        barrier = threading.Barrier(n)
        for f in [self.pool.submit(barrier.wait) for _ in range(n)]:
            f.result()
        self.automation.start()

    def stop(self) -> None:
        self.automation.stop()
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None

    async def run(self, fn: Callable[[Session], T]) -> T:
        """Run `fn(session)` in one transaction on the database pool."""
        assert self.pool is not None, "hub not started"

        def job() -> T:
            with session_scope(self.engine) as s:
                return fn(s)

        return await asyncio.get_running_loop().run_in_executor(self.pool, job)


class PushAdmission:
    """Admission control for pushes (pure ASGI, so a refused push costs no body parsing): at
    most `limit` pushes in progress in this process; the next gets 503 with Retry-After and
    the laptop comes back after that plus jitter (`RetryPolicy.busy_delay`). Queueing them
    all instead makes every push in a reconnect storm slow, and slow ones time out and are
    sent again."""

    def __init__(self, app: ASGIApp, limit: int, retry_after_s: int = 1) -> None:
        self.app = app
        self.limit = limit
        self.retry_after = str(retry_after_s).encode()
        self.inflight = 0
        self.path = p.API_PREFIX + "/sync/push"
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or self.limit < 0:
            await self.app(scope, receive, send)
            return
        if self.inflight >= self.limit:
            self.refused += 1
            body = p.ErrorResponse(
                detail=p.ErrorBody(
                    code=p.ErrorCode.BUSY,
                    message="The hub is busy with other laptops' changes; try again shortly.",
                )
            ).model_dump_json()
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"retry-after", self.retry_after),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body.encode()})
            return
        self.inflight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.inflight -= 1


def push_limit(settings: HubSettings) -> int:
    if settings.push_max_inflight == 0:
        return 2 * max(1, settings.db_workers)
    return settings.push_max_inflight


async def get_hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


HubDep = Annotated[Hub, Depends(get_hub)]
_bearer = HTTPBearer(auto_error=False)


async def current_principal(
    hub: HubDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if creds is None or not creds.credentials:
        raise HubError(401, p.ErrorCode.TOKEN_INVALID, "No access token was sent.")
    token = creds.credentials
    return await hub.run(lambda s: authenticate(s, token))


PrincipalDep = Annotated[Principal, Depends(current_principal)]


async def protocol_version(
    x_roundtwo_protocol: Annotated[
        int | None, Header(alias=p.PROTOCOL_HEADER, description="sync protocol version")
    ] = None,
) -> int:
    """Negotiation: the client names its version; a hub that does not speak it says which
    versions it does (426), so the laptop can tell the person to update one side."""
    version = p.PROTOCOL_VERSION if x_roundtwo_protocol is None else x_roundtwo_protocol
    if version not in p.SUPPORTED_VERSIONS:
        raise HubError(
            426,
            p.ErrorCode.PROTOCOL_MISMATCH,
            f"This hub speaks sync protocol {list(p.SUPPORTED_VERSIONS)}; the laptop speaks "
            f"{version}.",
            list(p.SUPPORTED_VERSIONS),
        )
    return version


ProtocolDep = Annotated[int, Depends(protocol_version)]


def require(who: Principal, action: Action, target_unit: uuid.UUID | None = None) -> None:
    """Raise 403 unless the policy table lets `who` do `action` (on `target_unit`)."""
    if scope_of(who.role, action) is None:
        raise forbidden(f"The role {who.role.value} may not do '{action.value}'.")
    if target_unit is not None and not allowed(who.role, action, who.org_unit_id, target_unit):
        raise forbidden(
            f"The role {who.role.value} may do '{action.value}' only in its own org unit."
        )
