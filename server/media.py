"""Chunked, resumable upload of recordings keyed by their sha256: a chunk is accepted only at
the offset the hub already holds, so an interrupted upload resumes where the hub says."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sqlmodel import Session, select

from app.sync import protocol as p
from server.errors import HubError, invalid, not_found
from server.identity import Principal
from server.tables import Media, utcnow

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
MAX_MEDIA_BYTES = 16 * 1024**3


def _paths(media_dir: Path, sha256: str) -> tuple[Path, Path]:
    folder = media_dir / sha256[:2]
    return folder / f"{sha256}.part", folder / sha256


def check_hash(sha256: str) -> str:
    if not SHA256_RE.match(sha256):
        raise invalid("The media key must be a lower-case sha256 hex digest (64 characters).")
    return sha256


def _out(m: Media) -> p.MediaStatus:
    return p.MediaStatus(
        sha256=m.sha256, total_size=m.total_size, received=m.received, complete=m.complete
    )


def status(s: Session, who: Principal, sha256: str) -> p.MediaStatus:
    m = s.get(Media, check_hash(sha256))
    if m is None or m.org_id != who.org_id:
        raise not_found(f"Media {sha256}")
    return _out(m)


def put_chunk(
    s: Session, who: Principal, media_dir: Path, sha256: str, offset: int, total: int, data: bytes
) -> tuple[p.MediaStatus, str | None]:
    """Store one chunk; returns the new status and, if the finished file's hash was wrong,
    the message to answer with (after this transaction commits the reset)."""
    check_hash(sha256)
    if not 0 < total <= MAX_MEDIA_BYTES:
        raise invalid(f"The total size must be between 1 and {MAX_MEDIA_BYTES} bytes.")
    # The row lock serialises two uploads of the same file (two laptops, or a retry).
    m = s.exec(select(Media).where(Media.sha256 == sha256).with_for_update()).first()
    if m is None:
        m = Media(sha256=sha256, org_id=who.org_id, total_size=total, uploaded_by=who.user_id)
        s.add(m)
        s.flush()
    if m.total_size != total:
        raise invalid(f"The total size {total} differs from the size first announced.")
    if m.complete:
        return _out(m), None
    if offset != m.received:
        raise HubError(
            409,
            p.ErrorCode.CONFLICT,
            f"The hub holds {m.received} bytes of this file; send the chunk at that offset.",
        )
    if not data or offset + len(data) > total:
        raise invalid("The chunk is empty or runs past the announced total size.")
    part, final = _paths(media_dir, sha256)
    part.parent.mkdir(parents=True, exist_ok=True)
    with part.open("r+b" if part.exists() else "wb") as f:
        f.truncate(offset)  # drop bytes a failed earlier attempt wrote but never recorded
        f.seek(offset)
        f.write(data)
        f.flush()
    m.received = offset + len(data)
    m.updated_at = utcnow()
    if m.received == total:
        digest = hashlib.sha256()
        with part.open("rb") as f:
            for block in iter(lambda: f.read(1024 * 1024), b""):
                digest.update(block)
        if digest.hexdigest() != sha256:
            # Reset and commit (the caller raises afterwards): raising here would roll the
            # row back to a size whose bytes are gone.
            part.unlink()
            m.received = 0
            s.add(m)
            s.flush()
            return _out(m), "The uploaded bytes do not match the sha256; the upload starts over."
        part.replace(final)
        m.complete = True
    s.add(m)
    s.flush()
    return _out(m), None
