"""Test helpers for privacy across machines: a hub on a SQLite file with a log file, laptops
(data directories) driven through the real CLI, a real recording that carries the candidate's
name in its metadata, and the byte scan."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from app.core.domain import ConsentPurpose, Role
from app.core.jobprofile import JobProfile, load_profile
from app.core.paths import resources_dir
from app.core.settings import load_settings, save_settings
from app.storage import repo
from app.storage.db import Database
from app.storage.tables import (
    Answer,
    Application,
    Candidate,
    ConsentRecord,
    InterviewSession,
    Recording,
    TranscriptSegment,
)
from app.sync.client import CredentialStore, HubClient
from app.sync.engine import Syncer
from app.sync.media import file_sha256, upload
from server.config import HubSettings
from tests.server.hubtools import HubThread, Org, new_org, running_hub

REPO = Path(__file__).resolve().parents[2]
JOB_FILE = "internet-product-manager.yaml"

# Distinctive values, Latin and Chinese, so a hit in a scan cannot be a coincidence.
TARGET = {
    "name": "Quixmore Zebulon 龚璇玑",
    "email": "zebulon.quixmore.4711@example.cn",
    "phone": "13947114711",
}
OTHER = {
    "name": "Ottoline Farquar 窦梓萱",
    "email": "ottoline.farquar.2025@example.cn",
    "phone": "13820252025",
}


def needles(person: dict[str, str]) -> list[bytes]:
    """Each value as UTF-8, UTF-16 and JSON-escaped ASCII, and the Chinese part alone."""
    out: list[bytes] = []
    values = [person["name"], person["email"], person["phone"], person["name"].split()[-1]]
    for v in values:
        out += [v.encode("utf-8"), v.encode("utf-16-le"), json.dumps(v)[1:-1].encode("ascii")]
    return sorted(set(out))


def scan(roots: list[Path], wanted: list[bytes]) -> list[str]:
    """Every hit of any needle in any file under the roots (databases with -wal/-shm,
    recordings, media store, logs, settings, credentials: everything)."""
    hits: list[str] = []
    for root in roots:
        for f in sorted(root.rglob("*")):
            if f.is_file():
                data = f.read_bytes()
                hits += [f"{f}: {n!r}" for n in wanted if n in data]
    return hits


def make_recording(path: Path, person: dict[str, str]) -> None:
    """A real one-second H.264 + AAC MP4 whose metadata names the candidate (as a recorder
    tagging its files would), so the file itself carries personal data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="mp4") as out:
        out.metadata["title"] = person["name"]
        out.metadata["comment"] = f"{person['email']} {person['phone']}"
        out.metadata["episode_id"] = path.stem  # every recording's bytes differ
        video = out.add_stream("libx264", rate=10)
        video.width, video.height, video.pix_fmt = 160, 120, "yuv420p"
        video.codec_context.options = {"preset": "ultrafast"}
        audio = out.add_stream("aac", rate=16000)
        audio.layout = "mono"
        for i in range(10):
            img = np.full((120, 160, 3), 20 * i, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode())
        t = np.arange(16000) / 16000
        pcm = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32).reshape(1, -1)
        samples = av.AudioFrame.from_ndarray(pcm, format="fltp", layout="mono")
        samples.sample_rate = 16000
        samples.pts = 0
        samples.time_base = Fraction(1, 16000)
        for packet in audio.encode(samples):
            out.mux(packet)
        out.mux(audio.encode())


@dataclass
class Laptop:
    """One data directory; commands run as real `python -m app` processes."""

    home: Path
    hub_url: str

    def __post_init__(self) -> None:
        # Plaintext on purpose: the byte scan must prove the rows are gone, which an
        # encrypted file would "pass" without deleting anything (tests/storage covers the
        # encrypted file). Recordings stay encrypted (the default).
        self.home.mkdir(parents=True, exist_ok=True)
        settings = load_settings(self.home / "settings.json")
        settings.database_encryption = False
        save_settings(self.home / "settings.json", settings)

    @property
    def db_path(self) -> Path:
        return self.home / "roundtwo.db"

    @property
    def recordings(self) -> Path:
        return self.home / "recordings"

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, ROUNDTWO_HOME=str(self.home))
        proc = subprocess.run(
            [sys.executable, "-m", "app", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=180,
            check=False,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"roundtwo {' '.join(args)}: {proc.returncode}\n{proc.stderr}")
        return proc

    def enrol(self, org: Org, user_id: uuid.UUID) -> None:
        with HubClient(self.hub_url, store=CredentialStore(self.home)) as c:
            c.enrol(org.enrolment_code(user_id), self.home.name)

    def sync(self) -> dict[str, Any]:
        """`roundtwo sync` as a real process (it logs to this laptop's log file)."""
        out = self.cli("sync", "--json").stdout
        data: dict[str, Any] = json.loads(out)
        return data

    def sync_here(self) -> dict[str, Any]:
        """The same sync run in this process (quicker; for setting the scene)."""
        with self.db() as db, self.client() as c:
            return Syncer(db, c, home=self.home).run().as_dict()

    @contextmanager
    def db(self) -> Iterator[Database]:
        db = Database(self.db_path).open()
        try:
            yield db
        finally:
            db.close()

    def client(self) -> HubClient:
        store = CredentialStore(self.home)
        return HubClient(self.hub_url, credentials=store.only(), store=store)


def job_profile() -> JobProfile:
    return load_profile(resources_dir() / "jobs" / JOB_FILE)


def interview(lap: Laptop, candidate_id: uuid.UUID, person: dict[str, str] | None) -> Path:
    """On this laptop: (the candidate, if `person`), an interview with answers, a transcript,
    consent and a real recording; the recording is uploaded to the hub. Returns its path."""
    job = job_profile()
    sid = uuid.uuid4()
    media = lap.recordings / f"rec-{sid.hex[:12]}.mp4"
    make_recording(media, person or TARGET)

    def write(s: Any) -> None:
        job_row = repo.get_job(s, job.id)
        if person is not None:
            repo.save(s, Candidate(id=candidate_id, **person, city="杭州", skills=["SQL"]))
            repo.save(
                s,
                ConsentRecord(
                    candidate_id=candidate_id,
                    purpose=ConsentPurpose.RECORDING,
                    granted=True,
                    notice_version="2026-11",
                    recorded_by="hr",
                ),
            )
        app = Application(candidate_id=candidate_id, job_id=job_row.id, status="interviewed")
        repo.save(s, app)
        repo.save(
            s,
            InterviewSession(
                id=sid, application_id=app.id, candidate_id=candidate_id, job_id=job_row.id
            ),
        )
        said = f"我叫{(person or TARGET)['name']}，电话{(person or TARGET)['phone']}。"
        ans = Answer(session_id=sid, text=said, source="asr")
        repo.save(s, ans)
        repo.save(
            s,
            TranscriptSegment(session_id=sid, answer_id=ans.id, start_ms=0, end_ms=900, text=said),
        )
        repo.save(
            s,
            Recording(
                session_id=sid,
                path=str(media),
                status="complete",
                size_bytes=media.stat().st_size,
                sha256=file_sha256(media),
            ),
        )

    with lap.db() as db:
        db.write(write)
    with lap.client() as c:
        assert upload(c, media).complete
    return media


@dataclass
class World:
    hub: HubThread
    org: Org
    a: Laptop
    b: Laptop
    hub_dir: Path
    target: uuid.UUID
    other: uuid.UUID
    recordings: list[Path]

    def roots(self) -> list[Path]:
        return [self.a.home, self.b.home, self.hub_dir]


@contextmanager
def world(tmp: Path) -> Iterator[World]:
    """A hub on a SQLite file (its log in its data directory) and two HR laptops in one unit
    that both hold the target candidate with a recording, and another candidate."""
    hub_dir = tmp / "hub"
    settings = HubSettings(
        database_url=f"sqlite:///{hub_dir / 'hub.db'}",
        data_dir=hub_dir,
        db_workers=2,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )
    hub_dir.mkdir(parents=True)
    log_handler = logging.FileHandler(hub_dir / "hub.log", encoding="utf-8")
    log_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(log_handler)
    root.setLevel(logging.INFO)
    try:
        with running_hub(settings) as hub:
            org = new_org(hub)
            a = Laptop(tmp / "laptop-a", hub.url)
            b = Laptop(tmp / "laptop-b", hub.url)
            for lap in (a, b):
                uid, _ = org.add_user(Role.HR, org.unit_id)
                lap.enrol(org, uid)
            for lap in (a, b):  # the bundled job profiles, as `open_context` stores them
                with lap.db() as db:
                    db.write(lambda s: repo.upsert_job_profile(s, job_profile(), "bundled"))
            target, other = uuid.uuid4(), uuid.uuid4()
            recs = [interview(a, target, TARGET), interview(a, other, OTHER)]
            a.sync_here()
            b.sync_here()  # B now holds both candidates (HR sees its unit)
            recs.append(interview(b, target, None))  # and interviews the target itself
            b.sync_here()
            a.sync_here()
            yield World(hub, org, a, b, hub_dir, target, other, recs)
    finally:
        root.removeHandler(log_handler)
        log_handler.close()
        root.setLevel(old_level)
