"""Resumable upload of a recording to the hub, keyed by its sha256: ask the hub how much it
holds, send the rest in chunks from there; the hub verifies the hash at the end."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from app.sync import protocol as p
from app.sync.client import HubClient, HubRejectedError


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            h.update(block)
    return h.hexdigest()


def upload(
    client: HubClient,
    path: Path,
    *,
    chunk_bytes: int = p.MEDIA_CHUNK_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> p.MediaStatus:
    sha = file_sha256(path)
    total = path.stat().st_size
    status = client.media_status(sha)
    offset = status.received if status is not None else 0
    if status is not None and status.complete:
        return status
    with path.open("rb") as f:
        while offset < total:
            f.seek(offset)
            data = f.read(chunk_bytes)
            try:
                status = client.put_chunk(sha, offset, total, data)
            except HubRejectedError as exc:
                if exc.status != 409:
                    raise
                # An earlier answer was lost after the hub stored the chunk: ask again.
                fresh = client.media_status(sha)
                if fresh is None:
                    raise
                status = fresh
            offset = status.received
            if progress is not None:
                progress(offset, total)
    assert status is not None
    return status
