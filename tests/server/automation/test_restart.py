"""The hub process is killed (SIGKILL) in the middle of a batch of 200 invitations and
started again: every candidate gets exactly one e-mail (counted per recipient in the sink)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from server.db import make_engine, session_scope, upgrade
from server.identity import create_admin
from server.tables import QueuedJob
from tests.server.automation.kit import smtp_sink, wait_until
from tests.server.hubtools import free_port

REPO = Path(__file__).resolve().parents[3]
N = 200
KILL_AT = 70


class HubProcess:
    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.port = port
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "server.main:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=REPO,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the hub did not start; see {log}")
            time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.log.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.log.close()


@pytest.mark.slow
def test_killed_mid_batch_every_candidate_gets_exactly_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    engine = make_engine(url, 2)
    upgrade(engine)
    with session_scope(engine) as s:
        create_admin(s, "acme", "HQ", "admin@acme.example", "Admin", "correct horse battery")

    with smtp_sink() as sink:
        first: dict[str, Any] = {"hub": None, "killed": False}
        lock = threading.Lock()
        seen = {"n": 0}

        def crash_mid_batch(_envelope: object) -> str | None:
            # The 70th message is in the middle of its SMTP transaction: kill the hub now,
            # before the server has accepted it.
            with lock:
                seen["n"] += 1
                if seen["n"] == KILL_AT and not first["killed"]:
                    first["hub"].kill()
                    first["killed"] = True
                    return "451 4.3.2 the hub died mid-transaction"
            return None

        sink.hook = crash_mid_batch
        port = free_port()
        env = {
            **os.environ,
            "ROUNDTWO_HUB_DATABASE_URL": url,
            "ROUNDTWO_HUB_DATA_DIR": str(tmp_path / "hubdata"),
            "ROUNDTWO_HUB_SMTP_HOST": "127.0.0.1",
            "ROUNDTWO_HUB_SMTP_PORT": str(sink.port),
            "ROUNDTWO_HUB_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "ROUNDTWO_HUB_AUTOMATION_POLL_SECONDS": "0.1",
            "ROUNDTWO_HUB_QUEUE_LEASE_SECONDS": "2",
            "ROUNDTWO_HUB_ARGON2_TIME_COST": "1",
            "ROUNDTWO_HUB_ARGON2_MEMORY_KIB": "1024",
        }
        hub = HubProcess(env, port, tmp_path / "hub.log")
        first["hub"] = hub
        try:
            token = httpx.post(
                f"{hub.url}/api/v1/auth/login",
                json={"email": "admin@acme.example", "password": "correct horse battery"},
            ).json()["access_token"]
            job_id = str(uuid.uuid4())
            cands = [
                {"id": str(uuid.uuid4()), "name": f"Candidate {i}", "email": f"c{i:03d}@ex.com"}
                for i in range(N)
            ]
            with httpx.Client(
                base_url=hub.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
            ) as c:
                jobs = [
                    {
                        "id": job_id,
                        "slug": "analyst",
                        "version": 1,
                        "title_zh": "分析师",
                        "title_en": "Analyst",
                        "match_threshold": 70,
                    }
                ]
                for dataset, rows in (
                    ("jobs", jobs),
                    ("candidates", cands),
                    (
                        "round1",
                        [
                            {"candidate_id": x["id"], "job_id": job_id, "round1_score": 90}
                            for x in cands
                        ],
                    ),
                ):
                    r = c.post(f"/api/v1/exchange/{dataset}", content=json.dumps(rows))
                    assert r.status_code == 200, r.text
            wait_until(lambda: first["killed"], 120, "the kill mid-batch")
        finally:
            hub.kill()
        with session_scope(engine) as s:
            states = Counter(j.status for j in s.exec(select(QueuedJob)).all())
        # Mid-batch indeed: some sent, one cut off in flight, the rest still queued (the
        # rules had queued all 200, or will on restart).
        assert 0 < states["sent"] < N and states["sending"] == 1, states

        again = HubProcess(env, port, tmp_path / "hub.log")
        try:

            def all_sent() -> bool:
                with session_scope(engine) as s:
                    jobs = s.exec(select(QueuedJob)).all()
                return len(jobs) == N and all(j.status == "sent" for j in jobs)

            wait_until(all_sent, 180, "all 200 invitations sent after the restart")
            time.sleep(3)  # longer than the lease: a duplicate would show up now
        finally:
            again.stop()
        engine.dispose()

    per_recipient = Counter(r for a in sink.arrived for r in a.rcpt)
    assert len(per_recipient) == N
    assert set(per_recipient.values()) == {1}, {k: v for k, v in per_recipient.items() if v != 1}
    with session_scope(make_engine(url, 1)) as s:
        retried = [j for j in s.exec(select(QueuedJob)).all() if j.attempts > 1]
    assert len(retried) == 1  # the one cut off, sent again once its lease ran out
    arrived = next(
        a for a in sink.arrived if retried[0].message_id in a.raw.decode("ascii", "replace")
    )
    assert arrived.msg["Message-ID"] == retried[0].message_id
