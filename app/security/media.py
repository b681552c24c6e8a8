"""Open a recording for reading whether it is encrypted or not: what PyAV and uploads use."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from app.security.chunks import ChunkReader, is_encrypted
from app.security.keys import find_key


def open_encrypted(
    path: Path, *, verify: bool = True, allow_interrupted: bool = True
) -> ChunkReader:
    """The plaintext of an encrypted recording as a seekable file object (in memory only)."""
    return ChunkReader(path, find_key, verify=verify, allow_interrupted=allow_interrupted)


@contextlib.contextmanager
def media_source(path: Path, *, verify: bool = True) -> Iterator[Any]:
    """What `av.open` should read: the path of a plain file, or a decrypting file object.

    With `verify` every chunk of an encrypted file is authenticated before PyAV sees a byte,
    so damage is reported as one clear error naming the file and the chunk.
    """
    if not is_encrypted(path):
        yield str(path)
        return
    reader = open_encrypted(path, verify=verify)
    try:
        yield reader
    finally:
        reader.close()


@contextlib.contextmanager
def open_plain(path: Path) -> Iterator[tuple[IO[bytes], int]]:
    """A binary file object of the recording's plaintext and its size (for uploads)."""
    if is_encrypted(path):
        reader = open_encrypted(path)
        try:
            yield reader, reader.size  # type: ignore[misc]
        finally:
            reader.close()
        return
    with path.open("rb") as f:
        yield f, path.stat().st_size


def open_source(path: Path) -> Any:
    """Like `media_source` without the context manager, for code that keeps a container open:
    the decrypting reader is closed when PyAV's container drops it (reference counting)."""
    if not is_encrypted(path):
        return str(path)
    return open_encrypted(path)
