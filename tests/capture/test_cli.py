"""`roundtwo record` / `roundtwo recordings`: bad input is one clear line with the kind's code."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.capture.conftest import REPO, record_cmd


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        record_cmd(*args), capture_output=True, text=True, timeout=60, check=False, cwd=REPO
    )


def test_missing_camera_file(home: Path, tmp_path: Path) -> None:
    r = run("record", "--camera", str(tmp_path / "clip.mp4"), "--out", str(tmp_path))
    assert r.returncode == 66
    assert r.stderr == f"roundtwo: error: The camera file {tmp_path / 'clip.mp4'} does not exist.\n"


def test_camera_file_that_is_not_video(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(b"\x00" * 1000)
    r = run("record", "--camera", str(bad), "--out", str(tmp_path / "out"))
    assert r.returncode == 65
    assert r.stderr.splitlines() == [
        f"roundtwo: error: The camera file {bad} could not be read as video "
        "(unknown format or damaged)."
    ]
    assert not list((tmp_path / "out").glob("rec-*"))


def test_session_must_be_a_uuid(home: Path, tmp_path: Path) -> None:
    r = run("record", "--camera", "0", "--session", "42", "--out", str(tmp_path))
    assert r.returncode == 65
    assert r.stderr == "roundtwo: error: --session '42' is not a UUID.\n"


def test_list_of_an_empty_folder(home: Path, tmp_path: Path) -> None:
    r = run("recordings", "list", "--dir", str(tmp_path))
    assert (r.returncode, r.stdout) == (0, "no recordings\n")


def test_commands_are_part_of_roundtwo(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("record", "--help")
    assert r.returncode == 0 and "--camera FILE_OR_INDEX" in r.stdout
    r = cli("recordings", "list", "--help")
    assert r.returncode == 0 and "interrupted" in r.stdout
