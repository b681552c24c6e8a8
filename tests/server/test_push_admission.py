"""Admission control for pushes: over the limit the hub answers 503 + Retry-After without
reading the body, other routes are untouched, and the laptop's client waits it out and gets
through. A real uvicorn server on loopback runs the middleware around a push handler that
holds its slot until the test lets it go."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn

from app.sync import protocol as p
from app.sync.client import Credentials, HubClient, RetryPolicy
from server.api.deps import PushAdmission, push_limit
from server.config import HubSettings

PUSH = p.API_PREFIX + "/sync/push"


class Handler:
    """The app behind the middleware: a push waits for `release`; the rest answer at once."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.pushes = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == PUSH:
            self.pushes += 1
            while not self.release.is_set():  # polls: the event loop must stay free
                await asyncio.sleep(0.01)
        body = json.dumps({"results": [], "server_seq": 0}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


@contextmanager
def serve(app: Any) -> Iterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    t = threading.Thread(target=server.run, name="admission-uvicorn", daemon=True)
    t.start()
    _until(lambda: server.started or not t.is_alive())
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        t.join(30)


def _until(cond: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not cond():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.01)


@pytest.fixture
def limited() -> Iterator[tuple[str, Handler, PushAdmission]]:
    handler = Handler()
    gate = PushAdmission(handler, limit=1)
    with serve(gate) as url:
        try:
            yield url, handler, gate
        finally:
            handler.release.set()


def _push_in_thread(url: str, out: list[int]) -> threading.Thread:
    def run() -> None:
        out.append(httpx.post(url + PUSH, json={"ops": []}, timeout=30).status_code)

    t = threading.Thread(target=run, name="held-push")
    t.start()
    return t


def test_over_the_limit_a_push_is_told_to_come_back(
    limited: tuple[str, Handler, PushAdmission],
) -> None:
    url, handler, gate = limited
    first: list[int] = []
    t = _push_in_thread(url, first)
    try:
        _until(lambda: handler.pushes == 1)
        r = httpx.post(url + PUSH, json={"ops": []}, timeout=30)
        assert r.status_code == 503 and r.headers["Retry-After"] == "1"
        assert p.ErrorResponse.model_validate(r.json()).detail.code is p.ErrorCode.BUSY
        assert handler.pushes == 1, "a refused push must not reach the handler"
        # Other routes are not limited.
        assert httpx.get(url + p.API_PREFIX + "/health", timeout=30).status_code == 200
    finally:
        handler.release.set()
        t.join(30)
    assert first == [200] and gate.inflight == 0 and gate.refused == 1
    assert httpx.post(url + PUSH, json={"ops": []}, timeout=30).status_code == 200


def test_the_laptop_client_waits_out_a_busy_hub(
    limited: tuple[str, Handler, PushAdmission],
) -> None:
    url, handler, gate = limited
    first: list[int] = []
    t = _push_in_thread(url, first)
    creds = Credentials(
        hub_url=url,
        device_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        role="hr",
        access_token="t",
        refresh_token="r",
        access_expires_at=dt.datetime.now(dt.UTC),
    )
    # attempts=1: a busy answer must not count as a failed attempt.
    client = HubClient(url, credentials=creds, retry=RetryPolicy(attempts=1, base_s=0.05))
    got: list[p.PushResponse] = []
    c = threading.Thread(target=lambda: got.append(client.push([])), name="laptop")
    try:
        _until(lambda: handler.pushes == 1)
        c.start()
        _until(lambda: gate.refused >= 1)
        handler.release.set()
    finally:
        handler.release.set()
        t.join(30)
        c.join(60)
        client.close()
    assert got and got[0].server_seq == 0
    assert gate.refused >= 1 and handler.pushes == 2


def test_the_default_limit_follows_the_database_workers() -> None:
    assert push_limit(HubSettings(db_workers=8)) == 16
    assert push_limit(HubSettings(db_workers=8, push_max_inflight=5)) == 5
    assert push_limit(HubSettings(push_max_inflight=-1)) == -1


def test_busy_waits_start_at_retry_after_and_spread_out() -> None:
    policy = RetryPolicy(base_s=0.2)
    waits = [policy.busy_delay("2", n) for n in range(8) for _ in range(50)]
    assert min(waits) >= 2.0
    assert max(waits) <= 2.0 + policy.busy_cap_s
    first = [policy.busy_delay("2", 0) for _ in range(200)]
    assert max(first) <= 4.0 and max(first) - min(first) > 0.5  # jittered, not one instant
    assert policy.busy_delay("Wed, 21 Oct 2026 07:28:00 GMT", 0) >= 1.0
