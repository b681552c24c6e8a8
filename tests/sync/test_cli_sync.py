"""The commands end to end, as real processes: `hub serve/create-admin/enrolment-code`,
`enroll`, `sync`; a stopped hub gives one clear line and keeps the queue."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import REPO
from tests.server.hubtools import free_port


def _hub_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["ROUNDTWO_HOME"] = str(tmp_path / "hubhome")
    env["ROUNDTWO_HUB_ADMIN_PASSWORD"] = "correct horse battery"
    env["ROUNDTWO_HUB_ARGON2_TIME_COST"] = "1"
    env["ROUNDTWO_HUB_ARGON2_MEMORY_KIB"] = "1024"
    return env


def _roundtwo(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_enroll_sync_and_hub_down_from_the_command_line(tmp_path: Path, cli: Any) -> None:
    env = _hub_env(tmp_path)
    db = f"sqlite:///{tmp_path / 'hub.db'}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    r = _roundtwo(env, "hub", "create-admin", "--db", db, "--org", "Acme", "--email", "a@acme.cn")
    assert r.returncode == 0, r.stderr
    r = _roundtwo(env, "hub", "enrolment-code", "--db", db, "--email", "a@acme.cn")
    assert r.returncode == 0, r.stderr
    code = r.stdout.strip()
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "hub", "serve", "--db", db, "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "the hub did not come up"
            time.sleep(0.3)

        bad = cli("enroll", "--hub", url, "--code", "AAAA-BBBB-CCCC")
        assert bad.returncode != 0 and "enrolment code is wrong" in bad.stderr
        ok = cli("enroll", "--hub", url, "--code", code, "--name", "fair-laptop")
        assert ok.returncode == 0, ok.stderr
        first = cli("sync", "--json")
        assert first.returncode == 0, first.stderr
        report = json.loads(first.stdout)
        assert report["sanity_ok"] is True and report["pending"] == 0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    # The demo data gives this laptop something to send while the hub is down.
    assert cli("demo").returncode == 0
    down = cli("sync")
    assert down.returncode == 75
    line = down.stderr.strip().splitlines()[-1]
    assert "cannot be reached" in line and "Nothing was lost" in line
    assert "Traceback" not in down.stderr
