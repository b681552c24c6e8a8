"""The chunked encrypted format: round trip, and every kind of damage detected with the file
and the chunk index named (flipped bytes, cut chunks, swapped chunks, spliced chunks)."""

from __future__ import annotations

import io
import secrets
import struct
from pathlib import Path

import pytest

from app.security.chunks import (
    HEADER_SIZE,
    RECORD_HEADER_SIZE,
    TAG_SIZE,
    ChunkReader,
    ChunkWriter,
    is_encrypted,
)
from app.security.errors import IntegrityError, KeyUnavailableError
from app.security.keys import RecordingKey

KEY = RecordingKey.from_secret(bytes(range(32)))
OTHER = RecordingKey.from_secret(bytes(range(1, 33)))
PARTS = [secrets.token_bytes(n) for n in (1000, 70_000, 5, 123_456, 40_000)]


def lookup(key_id: bytes) -> RecordingKey:
    for k in (KEY, OTHER):
        if k.key_id == key_id:
            return k
    raise KeyUnavailableError(f"its key {key_id.hex()} is unknown.")


def write(path: Path, parts: list[bytes], *, key: RecordingKey = KEY, close: bool = True) -> None:
    w = ChunkWriter(path, key)
    for p in parts:
        w.write(p[: len(p) // 2])
        w.write(p[len(p) // 2 :])
        w.seal()
    if close:
        w.close()
    else:
        w.abort()


def records(path: Path) -> list[tuple[int, int]]:
    """(offset, total length) of every record."""
    data = path.read_bytes()
    out, off = [], HEADER_SIZE
    while off + RECORD_HEADER_SIZE <= len(data):
        (n,) = struct.unpack(">I", data[off : off + 4])
        out.append((off, RECORD_HEADER_SIZE + n))
        off += RECORD_HEADER_SIZE + n
    return out


def read_all(path: Path, **kw: bool) -> bytes:
    with ChunkReader(path, lookup, **kw) as r:
        return r.read()


def test_round_trip_and_seek(tmp_path: Path) -> None:
    path = tmp_path / "a.rtenc"
    write(path, PARTS)
    plain = b"".join(PARTS)
    with ChunkReader(path, lookup) as r:
        assert not r.interrupted and r.describe() == "complete, 6 chunks"
        assert r.size == len(plain) and r.read() == plain
        r.seek(71_000)
        assert r.read(10) == plain[71_000:71_010]
        r.seek(-7, io.SEEK_END)
        assert r.read() == plain[-7:]
        assert [len(c) for c in r.iter_chunks()] == [*map(len, PARTS), 0]
    assert plain[:64] not in path.read_bytes()


def test_every_flipped_byte_is_detected(tmp_path: Path) -> None:
    """A flipped byte anywhere after the magic: header, record header, nonce, data, tag."""
    path = tmp_path / "a.rtenc"
    write(path, PARTS[:3])
    good = path.read_bytes()
    spans = records(path)
    positions = set(range(HEADER_SIZE))  # the header
    for off, n in spans:
        positions |= set(range(off, off + RECORD_HEADER_SIZE))  # length, flags, nonce, crc
        positions |= {off + RECORD_HEADER_SIZE, off + n // 2, off + n - TAG_SIZE, off + n - 1}
    for pos in sorted(positions):
        bad = bytearray(good)
        bad[pos] ^= 0x10
        path.write_bytes(bad)
        assert is_encrypted(path), pos  # never mistaken for a plain media file
        with pytest.raises((IntegrityError, KeyUnavailableError)) as err:
            read_all(path)
        assert str(path) in err.value.message, pos
        if pos >= HEADER_SIZE:
            chunk = next(i for i, (off, n) in enumerate(spans) if off <= pos < off + n)
            assert f"at chunk {chunk}" in err.value.message, (pos, err.value.message)


def test_flipped_byte_found_lazily_too(tmp_path: Path) -> None:
    """Without the up-front check, reading the damaged chunk still fails (never bad bytes)."""
    path = tmp_path / "a.rtenc"
    write(path, PARTS)
    off, n = records(path)[3]
    bad = bytearray(path.read_bytes())
    bad[off + n // 2] ^= 1
    path.write_bytes(bad)
    with ChunkReader(path, lookup, verify=False) as r:
        assert r.read(1000) == PARTS[0]
        with pytest.raises(IntegrityError, match="at chunk 3: it does not authenticate"):
            r.read()


def test_chunk_cut_short_in_the_middle(tmp_path: Path) -> None:
    path = tmp_path / "a.rtenc"
    write(path, PARTS)
    data = path.read_bytes()
    off, n = records(path)[1]
    path.write_bytes(data[: off + n // 2] + data[off + n // 2 + 100 :])  # 100 bytes cut out
    with pytest.raises(IntegrityError, match=r"damaged at chunk 1\b"):
        read_all(path)


def test_file_cut_inside_its_last_chunk_is_interrupted_not_complete(tmp_path: Path) -> None:
    path = tmp_path / "a.rtenc"
    write(path, PARTS)
    off, _ = records(path)[4]
    path.write_bytes(path.read_bytes()[: off + 50])
    with ChunkReader(path, lookup) as r:
        assert r.interrupted and len(r.chunks) == 4
        assert (
            r.describe()
            == "interrupted, 4 complete chunks readable; chunk 4 is incomplete (50 bytes)"
        )
        assert r.read() == b"".join(PARTS[:4])
    with pytest.raises(IntegrityError, match=r"at chunk 4: interrupted, 4 complete chunks"):
        read_all(path, allow_interrupted=False)


def test_final_chunk_dropped_is_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "a.rtenc"
    write(path, PARTS)
    off, _ = records(path)[-1]
    path.write_bytes(path.read_bytes()[:off])
    with ChunkReader(path, lookup) as r:
        assert r.interrupted and r.read() == b"".join(PARTS)


def test_swapped_chunks(tmp_path: Path) -> None:
    path = tmp_path / "a.rtenc"
    write(path, PARTS)
    data = path.read_bytes()
    (o1, n1), (o2, n2) = records(path)[1:3]
    path.write_bytes(data[:o1] + data[o2 : o2 + n2] + data[o1 : o1 + n1] + data[o2 + n2 :])
    with pytest.raises(IntegrityError, match=r"at chunk 1: it does not authenticate"):
        read_all(path)


@pytest.mark.parametrize("key", [KEY, OTHER], ids=["same-key", "other-key"])
def test_chunk_from_another_recording(tmp_path: Path, key: RecordingKey) -> None:
    a, b = tmp_path / "a.rtenc", tmp_path / "b.rtenc"
    write(a, PARTS)
    write(b, PARTS, key=key)  # the same plaintext, even under the same master key
    da, db = a.read_bytes(), b.read_bytes()
    (oa, na), (ob, nb) = records(a)[2], records(b)[2]
    a.write_bytes(da[:oa] + db[ob : ob + nb] + da[oa + na :])
    with pytest.raises(IntegrityError, match=r"at chunk 2: it does not authenticate"):
        read_all(a)


def test_bytes_after_the_final_chunk(tmp_path: Path) -> None:
    path = tmp_path / "a.rtenc"
    write(path, PARTS)
    data = path.read_bytes()
    off, n = records(path)[0]
    path.write_bytes(data + data[off : off + n])
    with pytest.raises(IntegrityError, match="at chunk 6: there are bytes after the final chunk"):
        read_all(path)


def test_unknown_key(tmp_path: Path) -> None:
    path = tmp_path / "a.rtenc"
    write(path, PARTS, key=RecordingKey.from_secret(secrets.token_bytes(32)))
    with pytest.raises(KeyUnavailableError, match=f"The recording {path} cannot be decrypted"):
        read_all(path)


def test_failed_write_leaves_whole_chunks(tmp_path: Path) -> None:
    """A write error (full disk) keeps the file at its last whole chunk, no final chunk."""
    path = tmp_path / "a.rtenc"
    w = ChunkWriter(path, KEY)
    w.write(PARTS[0])
    w.seal()
    w._fd, real = -1, w._fd  # every following write fails with EBADF
    w.write(PARTS[1])
    with pytest.raises(OSError):
        w.seal()
    with pytest.raises(OSError):
        w.seal(final=True)
    w._fd = real
    w.abort()
    with ChunkReader(path, lookup) as r:
        assert r.interrupted and r.read() == PARTS[0]
