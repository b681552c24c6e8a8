"""Real servers for hub and sync tests: a PostgreSQL cluster in a temp dir, the hub under
uvicorn in a thread on a loopback port, and helpers to set up an organisation."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from app.core.domain import Role
from app.sync import protocol as p
from server.config import HubSettings
from server.db import session_scope
from server.identity import create_admin
from server.main import create_app

PGBIN = Path(os.environ.get("ROUNDTWO_PGBIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Postgres:
    """One PostgreSQL server in a temporary directory (initdb refuses root: runuser)."""

    root: Path
    port: int

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(PGBIN / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
            capture_output=True,
            check=False,
            timeout=60,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> Postgres:
    if not (PGBIN / "initdb").exists():
        raise RuntimeError(f"PostgreSQL binaries not found in {PGBIN}")
    root = Path(tempfile.mkdtemp(prefix="rt-pg-"))
    shutil.chown(root, "postgres", "postgres")
    as_pg = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *as_pg,
            str(PGBIN / "initdb"),
            "-D",
            str(root / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    last: subprocess.CalledProcessError | None = None
    for _ in range(3):
        port = free_port()
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
            "-c max_connections=300 -c shared_buffers=64MB"
        )
        try:
            subprocess.run(
                [
                    *as_pg,
                    str(PGBIN / "pg_ctl"),
                    "-D",
                    str(root / "data"),
                    "-l",
                    str(root / "log"),
                    "-w",
                    "-o",
                    opts,
                    "start",
                ],
                capture_output=True,
                check=True,
                timeout=120,
            )
            return Postgres(root, port)
        except subprocess.CalledProcessError as exc:  # port taken meanwhile: try another
            last = exc
    shutil.rmtree(root, ignore_errors=True)
    raise RuntimeError(f"PostgreSQL did not start: {last}")


class HubThread:
    """The hub app under uvicorn in a thread, on a free loopback port (port 0)."""

    def __init__(self, settings: HubSettings) -> None:
        self.settings = settings
        self.app = create_app(settings)
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="hub-uvicorn", daemon=True)
        self.port = 0

    def start(self) -> HubThread:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the hub did not start")
            time.sleep(0.02)
        self.port = int(self.server.servers[0].sockets[0].getsockname()[1])
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def engine(self) -> Any:
        return self.app.state.hub.engine

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@dataclass
class Org:
    """A fresh organisation on a running hub, with an admin logged in."""

    hub: HubThread
    name: str
    admin_email: str
    admin_token: str
    unit_id: uuid.UUID
    password: str = "correct horse battery"
    units: dict[str, uuid.UUID] = field(default_factory=dict)

    def client(self, token: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=self.hub.url,
            headers={"Authorization": f"Bearer {token or self.admin_token}"},
            timeout=30,
        )

    def add_unit(self, name: str) -> uuid.UUID:
        with self.client() as c:
            r = c.post("/api/v1/admin/org-units", json={"name": name})
            r.raise_for_status()
            unit = uuid.UUID(r.json()["id"])
        self.units[name] = unit
        return unit

    def add_user(self, role: Role, unit: uuid.UUID | None = None) -> tuple[uuid.UUID, str]:
        """A user of `role`; returns (user id, access token)."""
        email = f"{role.value}-{uuid.uuid4().hex[:8]}@{self.name}.example"
        with self.client() as c:
            r = c.post(
                "/api/v1/admin/users",
                json={
                    "email": email,
                    "name": role.value,
                    "role": role.value,
                    "org_unit_id": str(unit or self.unit_id),
                    "password": self.password,
                },
            )
            r.raise_for_status()
            uid = uuid.UUID(r.json()["id"])
            r = c.post("/api/v1/auth/login", json={"email": email, "password": self.password})
            r.raise_for_status()
        return uid, str(r.json()["access_token"])

    def enrolment_code(self, user_id: uuid.UUID) -> str:
        with self.client() as c:
            r = c.post("/api/v1/admin/enrolment-codes", json={"user_id": str(user_id)})
            r.raise_for_status()
            return str(r.json()["code"])

    def enrol_device(self, user_id: uuid.UUID, name: str = "laptop") -> p.EnrolResponse:
        code = self.enrolment_code(user_id)
        r = httpx.post(
            f"{self.hub.url}/api/v1/devices/enrol",
            json={"code": code, "device_name": name},
            timeout=30,
        )
        r.raise_for_status()
        return p.EnrolResponse.model_validate(r.json())


def new_org(hub: HubThread) -> Org:
    name = f"org{uuid.uuid4().hex[:10]}"
    email = f"admin@{name}.example"
    password = "correct horse battery"
    with session_scope(hub.engine) as s:
        admin = create_admin(s, name, "HQ", email, "Admin", password)
        unit = admin.org_unit_id
    r = httpx.post(
        f"{hub.url}/api/v1/auth/login", json={"email": email, "password": password}, timeout=30
    )
    r.raise_for_status()
    return Org(hub, name, email, str(r.json()["access_token"]), unit, password)


@contextlib.contextmanager
def running_hub(settings: HubSettings) -> Iterator[HubThread]:
    hub = HubThread(settings).start()
    try:
        yield hub
    finally:
        hub.stop()


@contextlib.contextmanager
def hub_backends(kind: str, tmp: Path, pg: Postgres | None) -> Iterator[HubThread]:
    """A hub on SQLite (a file in `tmp`) or on a fresh database of the PostgreSQL server."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'hub.db'}"
    else:
        assert pg is not None
        url = pg.create_database(f"hub_{uuid.uuid4().hex[:12]}")
    settings = HubSettings(
        database_url=url,
        data_dir=tmp / "hubdata",
        db_workers=4,
        argon2_time_cost=1,  # cheap hashing: the tests create many users
        argon2_memory_kib=1024,
    )
    with running_hub(settings) as hub:
        yield hub
