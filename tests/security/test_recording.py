"""Real encrypted recordings through the capture path (camera from a file, microphone on the
JACK dummy card): kill -9 leaves every complete chunk readable and the file reported as
interrupted; no keychain refuses before anything is written; plaintext never reaches disk."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import av
import pytest

from app.capture.store import Manifest, manifest_path, probe
from app.pipeline.batch import read_audio
from app.security.chunks import HEADER_SIZE, RECORD_HEADER_SIZE, is_encrypted
from app.security.errors import IntegrityError
from app.security.media import open_encrypted, open_plain
from app.sync.media import file_sha256
from tests.capture import media
from tests.capture.conftest import REPO, record_cmd

MAX_LOSS_S = 2.0  # about one fragment (1 s) plus start-up and scheduling under load
MP4_MARKERS = (b"ftyp", b"moov", b"moof", b"mdat", b"x264 - core", b"Lavf")


def encrypted_home(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.json").write_text(
        json.dumps({"version": 3, "recording_encryption": "keychain"}), encoding="utf-8"
    )


def start(out: Path, clip: Path, *extra: str) -> tuple[subprocess.Popen[str], Path]:
    proc = subprocess.Popen(
        record_cmd("record", "--camera", str(clip), "--loop", "--out", str(out), *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("recording to "):
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"recorder did not start: {line!r} {err}")
    return proc, Path(line[len("recording to ") :].strip())


def files_under(*roots: Path) -> list[Path]:
    return [p for r in roots for p in r.rglob("*") if p.is_file()]


def assert_no_plaintext(plain: bytes, *roots: Path) -> None:
    """No MP4 box name / encoder string and no 48-byte window of the plaintext on disk."""
    windows = {plain[i : i + 48] for i in range(0, max(len(plain) - 48, 1), 1024)}
    for path in files_under(*roots):
        data = path.read_bytes()
        for marker in MP4_MARKERS:
            assert marker not in data, (path, marker)
        hits = [w for w in windows if w in data]
        assert not hits, (path, len(hits))


def frames_in(plain: bytes) -> int:
    with av.open(io.BytesIO(plain)) as c:
        return sum(1 for _ in c.decode(video=0))


@pytest.mark.slow
def test_kill_9_during_an_encrypted_recording(
    home: Path,
    test_keychain: Path,
    jack: media.JackServer,
    clips: dict[str, Path],
    tmp_path: Path,
) -> None:
    encrypted_home(home)
    out = tmp_path / "recordings"
    proc, path = start(out, clips["flash10"])
    time.sleep(4.0)
    os.kill(proc.pid, signal.SIGKILL)
    killed_at = time.time()
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    manifest = Manifest.load(manifest_path(path))
    assert manifest.status == "recording"  # nobody closed it
    assert is_encrypted(path)

    with open_encrypted(path) as reader:
        assert reader.interrupted  # no final chunk: never taken for a complete file
        n = len(reader.chunks)
        assert reader.describe().startswith(f"interrupted, {n} complete chunks readable")
        assert n >= 3  # the header chunk and a fragment a second
        assert all(isinstance(c, bytes) for c in reader.iter_chunks())  # every one decrypts
        plain = reader.read()
    assert plain[4:8] == b"ftyp"
    assert frames_in(plain) > 0  # a playable fragmented MP4, decoded from memory

    info = probe(path)  # the app's own probe reads it through the decrypting reader
    recorded = killed_at - manifest.started_epoch
    assert info.has_video and info.has_audio and info.decodable, info
    assert recorded - info.duration_s <= MAX_LOSS_S, (recorded, info.duration_s)
    assert info.duration_s >= 1.0
    print(f"kill -9: recorded {recorded:.2f} s, playable {info.duration_s:.2f} s, {n} chunks")
    assert_no_plaintext(plain, out, home)

    # The next start lists it as interrupted with the playable length.
    r = subprocess.run(
        record_cmd("recordings", "list", "--dir", str(out), "--json"),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=REPO,
    )
    (entry,) = json.loads(r.stdout)
    assert entry["status"] == "interrupted" and entry["recovered"] is True
    assert entry["duration_s"] == pytest.approx(info.duration_s, abs=0.01)

    # A flipped byte in a fragment is found and named, by the probe and by the batch path.
    off = HEADER_SIZE
    data = bytearray(path.read_bytes())
    for _ in range(2):  # skip to chunk 2
        off += RECORD_HEADER_SIZE + int.from_bytes(data[off : off + 4], "big")
    data[off + RECORD_HEADER_SIZE + 100] ^= 0x01
    path.write_bytes(data)
    with pytest.raises(IntegrityError, match=rf"{path} is damaged at chunk 2"):
        probe(path)
    with pytest.raises(IntegrityError, match="at chunk 2"):
        read_audio(path)


def test_no_keychain_refuses_and_writes_nothing(
    home: Path, no_keychain: None, clips: dict[str, Path], tmp_path: Path
) -> None:
    encrypted_home(home)
    out = tmp_path / "recordings"
    r = subprocess.run(
        record_cmd(
            "record", "--camera", str(clips["flash10"]), "--no-mic", "--seconds", "2",
            "--out", str(out),
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )  # fmt: skip
    assert r.returncode == 69, r.stderr
    (line,) = r.stderr.splitlines()
    assert line.startswith(
        "roundtwo: error: Recording refused: recordings must be encrypted and no OS keychain "
        "backend is available (keyring backend keyring.backends.fail.Keyring)."
    )
    assert "passphrase-mode" in line
    assert r.stdout == ""
    assert not list(out.glob("rec-*")) if out.exists() else True
    for p in files_under(home, tmp_path):
        if p.suffix != ".mp4" or p.parent.name != "clips":
            assert b"ftyp" not in p.read_bytes(), p


@pytest.mark.slow
def test_a_clean_recording_never_puts_plaintext_on_disk(
    home: Path,
    test_keychain: Path,
    jack: media.JackServer,
    clips: dict[str, Path],
    tmp_path: Path,
) -> None:
    encrypted_home(home)
    out = tmp_path / "recordings"
    proc, path = start(out, clips["flash10"], "--seconds", "3")
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert stdout.startswith(f"complete: {path} (")
    manifest = Manifest.load(manifest_path(path))
    assert manifest.status == "complete" and manifest.duration_s is not None
    with open_encrypted(path) as reader:
        assert not reader.interrupted and reader.describe().startswith("complete, ")
        plain = reader.read()
    assert frames_in(plain) > 60
    assert probe(path).duration_s == pytest.approx(manifest.duration_s, abs=0.5)
    assert_no_plaintext(plain, out, home, tmp_path / "keychain.json")
    # The batch path and the hub upload read the plaintext in memory.
    assert len(read_audio(path)) > 16000 * 2
    with open_plain(path) as (f, size):
        assert size == len(plain) and f.read() == plain
    assert file_sha256(path) == hashlib.sha256(plain).hexdigest()
