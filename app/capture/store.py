"""Recording manifests next to each file, the liveness lock, probing, and crash recovery.

Each recording `rec-….mp4` has a JSON manifest `rec-….json` (status, markers, times) and,
while a recorder owns it, a locked `rec-….lock`. The OS drops the lock when the process dies,
so a manifest still saying "recording" with a free lock was left by a crash: `recover()`
probes the file, marks it "interrupted" and, given a database, updates its `Recording` row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import av

from app.core.domain import RecordingStatus
from app.core.errors import RoundTwoError
from app.security.media import media_source

if TYPE_CHECKING:  # the database layer is imported only when a database is given
    from app.storage.db import Database

try:  # POSIX; Windows falls back to "a manifest of another process id is not live"
    import fcntl
except ImportError:  # pragma: no cover - not on Linux
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)


def utc_now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass
class Manifest:
    id: str
    file: str
    container: str = "mp4"
    status: str = RecordingStatus.RECORDING.value
    started_at: str = ""
    started_epoch: float = 0.0  # wall clock of the recording's t=0 (first frame)
    ended_at: str | None = None
    duration_s: float | None = None
    size_bytes: int | None = None
    session_id: str | None = None
    pid: int = 0
    markers: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @staticmethod
    def load(path: Path) -> Manifest:
        data = json.loads(path.read_text(encoding="utf-8"))
        known = set(Manifest.__dataclass_fields__)
        return Manifest(**{k: v for k, v in data.items() if k in known})


def manifest_path(media: Path) -> Path:
    return media.with_suffix(".json")


def lock_path(media: Path) -> Path:
    return media.with_suffix(".lock")


class ManifestFile:
    """Atomic, thread-safe writes of one manifest (tmp file + fsync + rename)."""

    def __init__(self, media: Path, manifest: Manifest) -> None:
        self.media = media
        self.path = manifest_path(media)
        self.data = manifest
        self._lock = threading.Lock()

    def save(self) -> None:
        with self._lock:
            text = json.dumps(asdict(self.data), ensure_ascii=False, indent=1)
            tmp = self.path.with_suffix(".json.tmp")
            try:
                with tmp.open("w", encoding="utf-8") as fh:
                    fh.write(text)
                    fh.flush()
                    os.fsync(fh.fileno())
                tmp.replace(self.path)
            except OSError:
                # Keep the previous manifest; recovery can still tell what happened.
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise


class OwnerLock:
    """An exclusive lock file held while a recorder writes; released by the OS on death."""

    def __init__(self, media: Path) -> None:
        self.path = lock_path(media)
        self._fh: Any = None

    def acquire(self) -> bool:
        fh = self.path.open("a+")
        if fcntl is not None:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                fh.close()
                return False
        self._fh = fh
        return True

    def release(self, *, remove: bool = True) -> None:
        if self._fh is None:
            return
        if remove:
            with contextlib.suppress(OSError):
                self.path.unlink()
        self._fh.close()
        self._fh = None


def is_live(media: Path, manifest: Manifest) -> bool:
    """True if some process still owns this recording."""
    if fcntl is None:  # pragma: no cover - not on Linux
        return manifest.pid == os.getpid()
    if not lock_path(media).exists():
        return False
    probe = OwnerLock(media)
    if probe.acquire():
        probe.release(remove=False)
        return False
    return True


# --- probing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaInfo:
    duration_s: float
    video_s: float
    audio_s: float
    video_frames: int
    has_video: bool
    has_audio: bool
    decodable: bool
    truncated: bool


def probe(path: Path) -> MediaInfo:
    """Read every packet (a killed recording may end mid-fragment) and decode one frame.

    An encrypted recording is authenticated chunk by chunk and read in memory; damage raises
    `app.security.errors.IntegrityError` naming the chunk.
    """
    ends: dict[str, float] = {"video": 0.0, "audio": 0.0}
    starts: dict[str, float] = {}
    frames = 0
    truncated = False
    decodable = False
    with media_source(path) as source, av.open(source) as container:
        kinds = {s.index: s.type for s in container.streams}
        video = container.streams.video[0] if container.streams.video else None
        try:
            for packet in container.demux():
                if packet.pts is None or packet.stream.time_base is None:
                    continue
                kind = kinds[packet.stream.index]
                t = float(packet.pts * packet.stream.time_base)
                end = t + float((packet.duration or 0) * packet.stream.time_base)
                starts.setdefault(kind, t)
                ends[kind] = max(ends.get(kind, 0.0), end)
                if kind == "video":
                    frames += 1
                    if not decodable and video is not None:
                        decodable = bool(video.codec_context.decode(packet)) or decodable
        except av.error.FFmpegError:
            truncated = True
    video_s = ends["video"] - starts.get("video", 0.0) if "video" in starts else 0.0
    audio_s = ends["audio"] - starts.get("audio", 0.0) if "audio" in starts else 0.0
    return MediaInfo(
        duration_s=max(ends["video"], ends["audio"]),
        video_s=video_s,
        audio_s=audio_s,
        video_frames=frames,
        has_video="video" in starts,
        has_audio="audio" in starts,
        decodable=decodable,
        truncated=truncated,
    )


# --- database rows ---------------------------------------------------------------------------


def db_register(db: Database, manifest: Manifest, media: Path) -> None:
    if manifest.session_id is None:
        return
    from app.storage import repo
    from app.storage.tables import Recording

    session_id = uuid.UUID(manifest.session_id)

    def fn(s: Any) -> None:
        repo.save(
            s,
            Recording(
                id=uuid.UUID(manifest.id),
                session_id=session_id,
                path=str(media),
                container=manifest.container,
                status=RecordingStatus.RECORDING,
            ),
        )

    db.write(fn)


def db_update(db: Database, manifest: Manifest, *, wait: bool = True) -> None:
    """Copy status, markers, duration and size from the manifest to the `Recording` row."""
    if manifest.session_id is None:
        return
    from app.storage import repo
    from app.storage.tables import Recording

    rid = uuid.UUID(manifest.id)
    snapshot = Manifest(**asdict(manifest))

    def fn(s: Any) -> None:
        row = s.get(Recording, rid)
        if row is None:
            return
        ended = dt.datetime.fromisoformat(snapshot.ended_at) if snapshot.ended_at else None
        if (row.status, row.markers, row.duration_s, row.size_bytes) == (
            RecordingStatus(snapshot.status),
            snapshot.markers,
            snapshot.duration_s,
            snapshot.size_bytes,
        ):
            return  # unchanged: no outbox op
        row.status = RecordingStatus(snapshot.status)
        row.markers = list(snapshot.markers)
        row.duration_s = snapshot.duration_s
        row.size_bytes = snapshot.size_bytes
        if ended is not None:
            row.ended_at = ended
        repo.save(s, row)

    future = db.submit(fn)
    if wait:
        future.result(timeout=60)


# --- recovery and listing --------------------------------------------------------------------


@dataclass(frozen=True)
class RecordingEntry:
    id: str
    path: Path
    status: str
    started_at: str
    duration_s: float | None
    markers: int
    error: str | None
    recovered: bool = False  # marked interrupted by this call


def _interrupt(media: Path, manifest: Manifest) -> None:
    try:
        info = probe(media)
        manifest.duration_s = round(info.duration_s, 3)
        if not info.decodable:
            manifest.error = f"The recording {media} has no playable video."
    except (OSError, av.error.FFmpegError) as exc:
        manifest.duration_s = 0.0
        manifest.error = f"The recording {media} cannot be opened ({exc})."
    except RoundTwoError as exc:  # an encrypted file that is damaged or whose key is missing
        manifest.duration_s = 0.0
        manifest.error = exc.message
    manifest.status = RecordingStatus.INTERRUPTED.value
    manifest.size_bytes = media.stat().st_size if media.exists() else 0
    manifest.ended_at = manifest.ended_at or utc_now_iso()
    with contextlib.suppress(OSError):
        lock_path(media).unlink()


def recover(directory: Path, db: Database | None = None) -> list[RecordingEntry]:
    """List the recordings in `directory`; ones left by a crash become "interrupted"."""
    entries: list[RecordingEntry] = []
    if not directory.is_dir():
        return entries
    for mpath in sorted(directory.glob("rec-*.json")):
        try:
            manifest = Manifest.load(mpath)
        except (OSError, ValueError, TypeError) as exc:
            log.warning("skipping unreadable recording manifest %s: %s", mpath, exc)
            continue
        media = directory / manifest.file
        recovered = False
        if manifest.status == RecordingStatus.RECORDING.value and not is_live(media, manifest):
            _interrupt(media, manifest)
            ManifestFile(media, manifest).save()
            recovered = True
            log.info("recording %s was interrupted; kept %.1f s", media, manifest.duration_s)
        if db is not None and (recovered or manifest.status != RecordingStatus.RECORDING.value):
            db_update(db, manifest)
        entries.append(
            RecordingEntry(
                manifest.id,
                media,
                manifest.status,
                manifest.started_at,
                manifest.duration_s,
                len(manifest.markers),
                manifest.error,
                recovered,
            )
        )
    return entries
