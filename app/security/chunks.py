"""The chunked, authenticated file format of encrypted recordings (AES-256-GCM per chunk).

Layout (all integers big-endian)::

    header  magic "RTWOENC1" | version u8 | reserved u8 | key id 16 B | salt 32 B | crc32 u32
    record  length u32 | flags u8 | nonce 12 B | crc32 u32 | ciphertext+tag (length bytes)
    record  ...

Each file has its own AES-256 key, derived with HKDF-SHA256 from the installation's master
key and the file's random salt, so a chunk copied from another recording never
authenticates. The associated data of chunk `i` is the whole header, `i` and the flags, so
reordering, dropping a chunk in the middle or changing the final flag is detected. The
writer marks the last chunk of a cleanly closed file as final: a file without one was cut
short (a crash, a kill -9, a full disk) and is reported as interrupted with the number of
complete chunks, never silently accepted as complete. The CRC32 of each record header tells
a damaged length field apart from a record cut short by a crash. Plaintext exists only in
memory: the writer encrypts before the first byte reaches the file, the reader decrypts
chunk by chunk into memory.
"""

from __future__ import annotations

import bisect
import contextlib
import io
import os
import secrets
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.security.errors import IntegrityError, KeyUnavailableError
from app.security.keys import RecordingKey

MAGIC = b"RTWOENC1"
VERSION = 1
_HEAD = struct.Struct(">8sBB16s32s")
_HEAD_CRC = struct.Struct(">I")
HEADER_SIZE = _HEAD.size + _HEAD_CRC.size  # 62
_REC = struct.Struct(">IB12s")
_REC_CRC = struct.Struct(">I")
RECORD_HEADER_SIZE = _REC.size + _REC_CRC.size  # 21
TAG_SIZE = 16
FINAL = 0x01
# A chunk normally holds one MP4 fragment (about a second of video); the writer seals
# earlier if one grows past this, and a reader refuses lengths beyond the hard limit.
DEFAULT_MAX_CHUNK = 8 * 1024 * 1024
MAX_CIPHERTEXT = 64 * 1024 * 1024
_INFO = b"roundtwo recording chunks v1"

KeyLookup = Callable[[bytes], RecordingKey]


def file_key(master: bytes, salt: bytes) -> bytes:
    """The AES-256 key of one file, from the master key and the file's salt."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO).derive(master)


def _aad(header: bytes, index: int, flags: int) -> bytes:
    return header + struct.pack(">QB", index, flags)


def is_encrypted(path: Path) -> bool:
    """True if `path` is an encrypted recording, even one whose magic bytes were damaged
    (its header CRC still matches with the magic restored): it must not be taken for a
    plain media file."""
    try:
        with path.open("rb") as f:
            head = f.read(HEADER_SIZE)
    except OSError:
        return False
    if head.startswith(MAGIC):
        return True
    if len(head) < HEADER_SIZE:
        return False
    fixed = MAGIC + head[len(MAGIC) : _HEAD.size]
    (crc,) = _HEAD_CRC.unpack(head[_HEAD.size :])
    return zlib.crc32(fixed) == int(crc)


class ChunkWriter:
    """A write-only file object for PyAV: `write()` buffers in memory, `seal()` encrypts the
    buffer into one chunk and appends it, `close()` seals the final chunk.

    No `seek`: FFmpeg then treats the output as a stream, which fragmented MP4 with
    `empty_moov` needs no seeking for. A failed write cuts the file back to the last whole
    chunk and the writer refuses further writes, so the file stays readable (as interrupted).
    """

    def __init__(
        self, path: Path, key: RecordingKey, *, max_chunk: int = DEFAULT_MAX_CHUNK
    ) -> None:
        self.path = path
        self.max_chunk = max_chunk
        self._salt = secrets.token_bytes(32)
        self._aead = AESGCM(file_key(key.secret, self._salt))
        head = _HEAD.pack(MAGIC, VERSION, 0, key.key_id, self._salt)
        self._header = head + _HEAD_CRC.pack(zlib.crc32(head))
        self._buf = bytearray()
        self._index = 0
        self._plain = 0
        self._failed: OSError | None = None
        self._closed = False
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._good = 0
        try:
            self._append(self._header)
        except OSError:
            os.close(self._fd)
            raise

    # --- the file-object side PyAV uses -----------------------------------------------
    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._closed:
            raise ValueError("write to a closed encrypted recording")
        n = len(data)
        self._buf += data
        self._plain += n
        if len(self._buf) >= self.max_chunk:
            self.seal()
        return n

    def tell(self) -> int:
        return self._plain

    def flush(self) -> None:
        """Nothing to do: chunks are sealed at fragment boundaries by the media writer."""

    # --- chunks ---------------------------------------------------------------------------
    @property
    def chunks(self) -> int:
        return self._index

    @property
    def failed(self) -> bool:
        return self._failed is not None

    def seal(self, *, final: bool = False) -> None:
        """Encrypt what was written since the last seal into one chunk (none if empty)."""
        if self._failed is not None:
            raise self._failed
        if not self._buf and not final:
            return
        flags = FINAL if final else 0
        nonce = secrets.token_bytes(12)
        ct = self._aead.encrypt(nonce, bytes(self._buf), _aad(self._header, self._index, flags))
        rec = _REC.pack(len(ct), flags, nonce)
        self._append(rec + _REC_CRC.pack(zlib.crc32(rec)) + ct)
        self._buf.clear()
        self._index += 1

    def _append(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                n = os.write(self._fd, view)
                view = view[n:]
        except OSError as exc:
            self._failed = exc
            # Drop the partial record so the file ends at its last whole chunk (if this
            # fails too, the reader still stops at the partial record).
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._good)
            raise
        self._good += len(data)

    def fsync(self) -> None:
        if not self._closed:
            os.fsync(self._fd)

    def close(self) -> None:
        """Seal the final chunk and fsync; after a failed write only release the file."""
        if self._closed:
            return
        try:
            if self._failed is None:
                self.seal(final=True)
                os.fsync(self._fd)
        finally:
            self._closed = True
            os.close(self._fd)

    def abort(self) -> None:
        """Release the file without a final chunk (it will read as interrupted)."""
        if not self._closed:
            self._closed = True
            os.close(self._fd)


@dataclass(frozen=True)
class ChunkInfo:
    index: int
    offset: int  # file offset of the ciphertext
    length: int  # ciphertext length (with the tag)
    flags: int
    nonce: bytes
    plain_start: int

    @property
    def plain_size(self) -> int:
        return self.length - TAG_SIZE


class ChunkReader(io.RawIOBase):
    """A read-only, seekable file object of the plaintext of an encrypted recording.

    Opening reads the chunk index (and, with `verify`, authenticates every chunk); reading
    decrypts one chunk at a time into memory. A file whose last chunk is not final is
    `interrupted`: its complete chunks are readable, a partial record after them (a write
    cut short) is ignored; with `allow_interrupted=False` such a file is an error.
    """

    def __init__(
        self,
        path: Path,
        lookup: KeyLookup,
        *,
        verify: bool = True,
        allow_interrupted: bool = True,
    ) -> None:
        super().__init__()
        self.path = path
        self._f = path.open("rb")
        try:
            self._open(lookup, verify, allow_interrupted)
        except BaseException:
            self._f.close()
            raise
        self._pos = 0
        self._cached: tuple[int, bytes] | None = None

    def _damaged(self, what: str, chunk: int | None = None) -> IntegrityError:
        where = f" at chunk {chunk}" if chunk is not None else ""
        return IntegrityError(
            f"The encrypted recording {self.path} is damaged{where}: {what}.", chunk=chunk
        )

    def _open(self, lookup: KeyLookup, verify: bool, allow_interrupted: bool) -> None:
        f = self._f
        head = f.read(HEADER_SIZE)
        if len(head) < HEADER_SIZE or not head.startswith(MAGIC):
            raise self._damaged("it does not start with an encrypted-recording header")
        _magic, version, _reserved, key_id, salt = _HEAD.unpack(head[: _HEAD.size])
        if zlib.crc32(head[: _HEAD.size]) != _HEAD_CRC.unpack(head[_HEAD.size :])[0]:
            raise self._damaged("its header was changed")
        if version != VERSION:
            raise IntegrityError(
                f"The encrypted recording {self.path} has format version {version}; "
                f"this RoundTwo reads version {VERSION}."
            )
        self.key_id: bytes = key_id
        self._header = head
        try:
            key = lookup(key_id)
        except KeyUnavailableError as exc:
            raise KeyUnavailableError(
                f"The recording {self.path} cannot be decrypted: {exc.message}", hint=exc.hint
            ) from exc
        self._aead = AESGCM(file_key(key.secret, salt))
        size = os.fstat(f.fileno()).st_size
        chunks: list[ChunkInfo] = []
        offset = HEADER_SIZE
        plain = 0
        self.tail_bytes = 0  # bytes of a record cut short after the last complete chunk
        self.final = False
        while offset < size:
            index = len(chunks)
            if self.final:
                raise self._damaged("there are bytes after the final chunk", index)
            f.seek(offset)
            rh = f.read(RECORD_HEADER_SIZE)
            if len(rh) < RECORD_HEADER_SIZE:
                self.tail_bytes = size - offset
                break
            if zlib.crc32(rh[: _REC.size]) != _REC_CRC.unpack(rh[_REC.size :])[0]:
                raise self._damaged("its length, flags or nonce were changed", index)
            length, flags, nonce = _REC.unpack(rh[: _REC.size])
            if length < TAG_SIZE or length > MAX_CIPHERTEXT or flags & ~FINAL:
                raise self._damaged(f"an impossible chunk length {length} or flags", index)
            start = offset + RECORD_HEADER_SIZE
            if start + length > size:
                self.tail_bytes = size - offset
                break
            info = ChunkInfo(index, start, length, flags, nonce, plain)
            if verify:  # before the next record: damage is named at the chunk it is in
                self._decrypt(info)
            chunks.append(info)
            plain += length - TAG_SIZE
            offset = start + length
            self.final = bool(flags & FINAL)
        self.chunks = chunks
        self.size = plain
        self._starts = [c.plain_start for c in chunks]
        if not self.final and not allow_interrupted:
            raise self._damaged(self.describe(), len(chunks))

    # --- state ---------------------------------------------------------------------------
    @property
    def interrupted(self) -> bool:
        """No final chunk: the writer did not close the file (crash, kill, full disk)."""
        return not self.final

    def describe(self) -> str:
        n = len(self.chunks)
        if self.final:
            return f"complete, {n} chunks"
        tail = f"; chunk {n} is incomplete ({self.tail_bytes} bytes)" if self.tail_bytes else ""
        return f"interrupted, {n} complete chunks readable{tail}"

    # --- decryption ------------------------------------------------------------------------
    def _decrypt(self, c: ChunkInfo) -> bytes:
        self._f.seek(c.offset)
        ct = self._f.read(c.length)
        try:
            return self._aead.decrypt(c.nonce, ct, _aad(self._header, c.index, c.flags))
        except InvalidTag:
            raise self._damaged(
                "it does not authenticate (changed, moved, or taken from another recording)",
                c.index,
            ) from None

    def chunk(self, index: int) -> bytes:
        """The plaintext of chunk `index` (authenticated)."""
        cached = self._cached
        if cached is not None and cached[0] == index:
            return cached[1]
        data = self._decrypt(self.chunks[index])
        self._cached = (index, data)
        return data

    def iter_chunks(self) -> Iterator[bytes]:
        for c in self.chunks:
            yield self._decrypt(c)

    # --- io.RawIOBase ----------------------------------------------------------------------
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._pos + offset
        elif whence == io.SEEK_END:
            pos = self.size + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if pos < 0:
            raise OSError(f"negative seek position {pos}")
        self._pos = pos
        return pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self._pos < self.size:
            i = bisect.bisect_right(self._starts, self._pos) - 1
            c = self.chunks[i]
            data = self.chunk(i)
            at = self._pos - c.plain_start
            n = min(len(view) - done, len(data) - at)
            view[done : done + n] = data[at : at + n]
            done += n
            self._pos += n
        return done

    def close(self) -> None:
        if not self.closed:
            self._f.close()
            self._cached = None
        super().close()
