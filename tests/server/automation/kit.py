"""Test kit for hub automation: a real SMTP sink (aiosmtpd on loopback), a hub wired to it,
an organisation with job, competencies, slots and people, and readers for what arrived."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from icalendar import Calendar

from app.core.domain import Role
from server.config import HubSettings
from tests.server.hubtools import HubThread, Org, Postgres, free_port, new_org


@dataclass
class Arrived:
    rcpt: list[str]
    raw: bytes

    @property
    def msg(self) -> EmailMessage:
        m = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(m, EmailMessage)
        return m

    def part(self, mime: str) -> Any:
        for p in self.msg.walk():
            if p.get_content_type() == mime:
                return p
        return None

    @property
    def text(self) -> str:
        return str(self.part("text/plain").get_content())

    @property
    def html(self) -> str:
        return str(self.part("text/html").get_content())

    def calendar(self) -> Calendar:
        p = self.part("text/calendar")
        assert p is not None, "no text/calendar part"
        data = p.get_payload(decode=True)
        return Calendar.from_ical(data)


class Sink:
    """aiosmtpd Controller on a loopback port; `hook(envelope)` may answer instead (e.g. 451)."""

    def __init__(self) -> None:
        self.arrived: list[Arrived] = []
        self.lock = threading.Lock()
        self.hook: Callable[[Any], str | None] | None = None
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.hook is not None:
            answer = self.hook(envelope)
            if answer is not None:
                return answer
        with self.lock:
            self.arrived.append(Arrived(list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Arrived]:
        with self.lock:
            return [a for a in self.arrived if address in a.rcpt]

    def count(self) -> int:
        with self.lock:
            return len(self.arrived)

    def wait(self, n: int, timeout: float = 30.0) -> list[Arrived]:
        deadline = time.monotonic() + timeout
        while self.count() < n:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {n} messages, {self.count()} arrived")
            time.sleep(0.05)
        with self.lock:
            return list(self.arrived)


@contextlib.contextmanager
def smtp_sink() -> Iterator[Sink]:
    sink = Sink()
    sink.controller.start()
    try:
        yield sink
    finally:
        sink.controller.stop()


def hub_settings(url: str, data_dir: Path, sink: Sink, **extra: Any) -> HubSettings:
    values: dict[str, Any] = {
        "database_url": url,
        "data_dir": data_dir,
        "db_workers": 4,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "smtp_host": "127.0.0.1",
        "smtp_port": sink.port,
        "smtp_sender": "RoundTwo HR <hr-robot@acme.example>",
        "automation_poll_seconds": 0.1,
        "default_language": "en",
    }
    return HubSettings(**{**values, **extra})


@contextlib.contextmanager
def automation_hub(
    tmp: Path, sink: Sink, pg: Postgres | None = None, **extra: Any
) -> Iterator[HubThread]:
    if pg is None:
        url = f"sqlite:///{tmp / 'hub.db'}"
    else:
        url = pg.create_database(f"auto_{uuid.uuid4().hex[:12]}")
    hub = HubThread(hub_settings(url, tmp / "hubdata", sink, **extra)).start()
    hub.settings.public_base_url = hub.url
    try:
        yield hub
    finally:
        hub.stop()


def push(client: httpx.Client, entity: str, payload: dict[str, Any]) -> None:
    op = {
        "op_id": str(uuid.uuid4()),
        "seq": 1,
        "entity": entity,
        "entity_id": payload["id"],
        "op": "upsert",
        "payload": payload,
    }
    r = client.post("/api/v1/sync/push", json={"ops": [op]})
    r.raise_for_status()
    assert r.json()["results"][0]["status"] == "applied", r.text


@dataclass
class World:
    """An organisation with HR, a hiring manager, two interviewers and one job (with two
    competencies) on a running hub."""

    org: Org
    job_id: uuid.UUID
    hr: tuple[uuid.UUID, str]
    manager: tuple[uuid.UUID, str]
    interviewers: list[tuple[uuid.UUID, str]]
    emails: dict[uuid.UUID, str] = field(default_factory=dict)

    def client(self) -> httpx.Client:
        return self.org.client()


def user_email(org: Org, uid: uuid.UUID) -> str:
    with org.client() as c:
        users = c.get("/api/v1/admin/users").json()
    return str(next(u["email"] for u in users if u["id"] == str(uid)))


def make_world(hub: HubThread, title_en: str = "Data analyst") -> World:
    org = new_org(hub)
    hr = org.add_user(Role.HR)
    manager = org.add_user(Role.HIRING_MANAGER)
    interviewers = [org.add_user(Role.INTERVIEWER), org.add_user(Role.INTERVIEWER)]
    job_id = uuid.uuid4()
    now = dt.datetime.now(dt.UTC).isoformat()
    with org.client() as c:
        push(
            c,
            "job",
            {
                "id": str(job_id),
                "slug": f"job-{job_id.hex[:6]}",
                "version": 1,
                "title_zh": "数据分析师",
                "title_en": title_en,
                "match_threshold": 70.0,
                "created_at": now,
                "updated_at": now,
            },
        )
        for i, (key, weight, bar) in enumerate((("analysis", 0.6, 7), ("ownership", 0.4, 6))):
            push(
                c,
                "competency",
                {
                    "id": str(uuid.uuid4()),
                    "job_id": str(job_id),
                    "key": key,
                    "position": i,
                    "name_zh": "分析能力" if key == "analysis" else "主人翁精神",
                    "name_en": key.title(),
                    "weight": weight,
                    "required_level": bar,
                },
            )
    w = World(org, job_id, hr, manager, interviewers)
    for uid, _ in (hr, manager, *interviewers):
        w.emails[uid] = user_email(org, uid)
    return w


def add_slots(
    w: World, starts: list[dt.datetime], tz: str, location: str = "Room 3", minutes: int = 60
) -> list[str]:
    body = {
        "slots": [
            {
                "interviewer_id": str(w.interviewers[i % len(w.interviewers)][0]),
                "job_id": str(w.job_id),
                "starts_at": t.isoformat(),
                "ends_at": (t + dt.timedelta(minutes=minutes)).isoformat(),
                "timezone": tz,
                "location": location,
            }
            for i, t in enumerate(starts)
        ]
    }
    with w.client() as c:
        r = c.post("/api/v1/automation/slots", json=body)
        assert r.status_code == 201, r.text
        return [x["id"] for x in r.json()]


def import_rows(w: World, dataset: str, rows: list[dict[str, Any]]) -> None:
    with w.client() as c:
        r = c.post(f"/api/v1/exchange/{dataset}", content=json.dumps(rows, ensure_ascii=False))
        assert r.status_code == 200, r.text


def wait_until(cond: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
