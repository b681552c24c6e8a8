"""The command line as a person uses it: real processes, real files, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app import __version__
from tests.dbkey import connect


def _one_clean_error(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = [ln for ln in stderr.strip().splitlines() if ln.startswith("roundtwo: error:")]
    assert len(lines) == 1, stderr
    return lines[0]


def test_version(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"roundtwo {__version__}"


def test_jobs_list_json_has_four_bilingual_profiles(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("jobs", "list", "--json")
    assert r.returncode == 0, r.stderr
    jobs = {j["id"]: j for j in json.loads(r.stdout)}
    assert set(jobs) >= {
        "internet-product-manager",
        "production-supervisor",
        "retail-store-manager",
        "risk-control-analyst",
    }
    for job in jobs.values():
        assert job["title"]["zh"] and job["title"]["en"]
        assert 5 <= len(job["competencies"]) <= 7
        for c in job["competencies"]:
            assert c["name"]["zh"] and c["name"]["en"]
            assert 0 < c["weight"] <= 1 and 0 <= c["required_level"] <= 10


def test_jobs_list_text_follows_the_language(cli) -> None:  # type: ignore[no-untyped-def]
    zh = cli("jobs", "list", "--lang", "zh")
    en = cli("jobs", "list", "--lang", "en")
    assert zh.returncode == en.returncode == 0
    assert "金融风控分析师" in zh.stdout or "风控" in zh.stdout
    assert "Risk" in en.stdout and "风控" not in en.stdout


def test_jobs_show_text_and_json(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("jobs", "show", "retail-store-manager", "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert "Competency model" in r.stdout and "Structured guide" in r.stdout
    j = cli("jobs", "show", "retail-store-manager", "--json")
    data = json.loads(j.stdout)
    assert data["id"] == "retail-store-manager" and len(data["questions"]) >= 8


def test_missing_profile_is_one_clear_line(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("jobs", "show", "astronaut")
    assert r.returncode == 66
    line = _one_clean_error(r.stderr)
    assert "astronaut" in line and "retail-store-manager" in line


def test_missing_bundled_profiles_folder(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("jobs", "list", env={"ROUNDTWO_RESOURCES": str(tmp_path / "nowhere")})
    assert r.returncode == 66
    assert "bundled job profiles are missing" in _one_clean_error(r.stderr)


def test_broken_user_profile_is_reported_and_the_rest_listed(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    (home / "jobs").mkdir(parents=True)
    (home / "jobs" / "night-guard.yaml").write_text(
        "id: night-guard\nversion: one\n", encoding="utf-8"
    )
    r = cli("jobs", "list", "--json")
    assert r.returncode == 65
    assert len(json.loads(r.stdout)) >= 4
    assert "night-guard.yaml" in r.stderr and "'version'" in r.stderr
    assert "Traceback" not in r.stderr


def test_corrupt_database(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    home.mkdir(parents=True)
    (home / "roundtwo.db").write_bytes(os.urandom(8192))
    r = cli("jobs", "list")
    assert r.returncode == 74
    line = _one_clean_error(r.stderr)
    assert "damaged" in line and "roundtwo.db" in line


def test_locked_database(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("db", "upgrade").returncode == 0
    (home / "settings.json").write_text(json.dumps({"version": 2, "db_busy_timeout_s": 0.5}))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys
            from tests.dbkey import connect
            from pathlib import Path
            c = connect(Path({str(home)!r})); c.isolation_level = None
            c.execute("BEGIN EXCLUSIVE"); print("locked", flush=True); sys.stdin.readline()
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        r = cli("jobs", "list")
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
    assert r.returncode == 75
    assert "locked" in _one_clean_error(r.stderr)


def _read_only_prefix(path: Path) -> list[str]:
    """Make `path` read-only for the CLI process. Root ignores permission bits, so as root
    the CLI runs in a private mount namespace where `path` is a read-only bind mount."""
    if os.geteuid() != 0:
        path.chmod(0o555)
        return []
    if shutil.which("unshare") is None:
        pytest.fail("running as root needs util-linux 'unshare' to make a read-only directory")
    return ["unshare", "-m", "sh", "-c", f'mount --bind -o ro "{path}" "{path}" && exec "$@"', "sh"]


def test_read_only_data_directory(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    home.mkdir(parents=True)
    prefix = _read_only_prefix(home)
    try:
        r = cli("jobs", "list", prefix=prefix)
    finally:
        home.chmod(0o755)
    assert r.returncode == 77, r.stderr
    line = _one_clean_error(r.stderr)
    assert str(home) in line
    assert "not writable" in line or "Read-only" in line


def test_data_directory_that_is_a_file(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    home.parent.mkdir(parents=True, exist_ok=True)
    home.write_text("oops")
    r = cli("jobs", "list")
    assert r.returncode == 77
    assert "is a file" in _one_clean_error(r.stderr)


def test_db_upgrade_and_status(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    from app.storage.migrate import head_revision

    r = cli("db", "upgrade")
    assert r.returncode == 0 and f"schema {head_revision()} (latest)" in r.stdout
    s = cli("db", "status")
    assert s.returncode == 0 and "job" in s.stdout
    con = connect(home)
    assert con.execute("SELECT count(*) FROM job").fetchone()[0] >= 4
    con.close()


def test_doctor_names_what_is_missing_on_this_machine(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("doctor", "--json")
    report = json.loads(r.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["database"]["status"] == "ok"
    assert checks["qt"]["status"] == "ok", checks["qt"]
    failed = [c for c in report["checks"] if c["status"] == "fail"]
    # This machine has no camera and no sound card: doctor must say so and fail.
    assert (r.returncode == 1) == bool(failed)
    if failed:
        assert "problem" in r.stderr and "Traceback" not in r.stderr
        for c in failed:
            assert c["detail"]


def test_internal_errors_are_one_line_and_logged(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    home.mkdir(parents=True)
    (home / "settings.json").write_text('{"version": 2, "language": 5}')
    r = cli("jobs", "list")
    assert r.returncode == 65
    assert "'language'" in _one_clean_error(r.stderr)
