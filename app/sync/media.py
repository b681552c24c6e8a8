"""Resumable upload of a recording to the hub, keyed by its sha256: ask the hub how much it
holds, send the rest in chunks from there; the hub verifies the hash at the end.

A recording encrypted at rest is sent as its plaintext (decrypted in memory, never on disk)
over the hub's TLS connection: the laptop's key never leaves its keychain, and the hub, which
reviewers play recordings from and which runs deletion, keeps its own copy under its own
protection. The hash and offsets are of the plaintext, so they do not depend on the laptop.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from app.security.media import open_plain
from app.sync import protocol as p
from app.sync.client import HubClient, HubRejectedError


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open_plain(path) as (f, _size):
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
    status = client.media_status(sha)
    offset = status.received if status is not None else 0
    if status is not None and status.complete:
        return status
    with open_plain(path) as (f, total):
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
