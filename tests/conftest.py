"""Shared fixtures: an isolated data directory per test, a CLI runner, leak checks."""

from __future__ import annotations

import os

# Qt must never try to reach a display in tests (it aborts the process without one).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh ROUNDTWO_HOME for the test (never the real per-user directory)."""
    h = tmp_path / "home"
    monkeypatch.setenv("ROUNDTWO_HOME", str(h))
    monkeypatch.delenv("ROUNDTWO_RESOURCES", raising=False)
    return h


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(home: Path) -> Iterator[object]:
    """Run `python -m app ARGS` as a real process with the test's data directory."""

    def run(
        *args: str,
        env: dict[str, str] | None = None,
        prefix: list[str] | None = None,
        timeout: float = 120,
    ) -> CliResult:
        full_env = dict(os.environ)
        full_env["ROUNDTWO_HOME"] = str(home)
        full_env.update(env or {})
        proc = subprocess.run(
            [*(prefix or []), sys.executable, "-m", "app", *args],
            capture_output=True,
            text=True,
            env=full_env,
            cwd=REPO,
            timeout=timeout,
            check=False,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    yield run


@pytest.fixture(scope="session", autouse=True)
def _session_keychain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The test keychain for module- and session-scoped fixtures (which run before the
    per-test one below); a test's own keychain file replaces it while the test runs."""
    import keyring

    from tests.security.keyring_backend import BACKEND, FILE_ENV, TestFileKeyring

    saved = {k: os.environ.get(k) for k in (FILE_ENV, "PYTHON_KEYRING_BACKEND")}
    os.environ[FILE_ENV] = str(tmp_path_factory.mktemp("keychain") / "session-keychain.json")
    os.environ["PYTHON_KEYRING_BACKEND"] = BACKEND
    previous = keyring.get_keyring()
    keyring.set_keyring(TestFileKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(autouse=True)
def _test_keychain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Recordings are encrypted by default and this machine has no OS keychain: every test
    (and the processes it starts) gets a test keychain file of its own. Tests that need no
    keychain at all say so (tests/security)."""
    import keyring

    from tests.security.keyring_backend import BACKEND, FILE_ENV, TestFileKeyring

    monkeypatch.setenv(FILE_ENV, str(tmp_path / "test-keychain.json"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", BACKEND)
    previous = keyring.get_keyring()
    keyring.set_keyring(TestFileKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _no_leaked_threads() -> Iterator[None]:
    """A test must join every thread it starts (napari/qutebrowser habit)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 2.0
    while True:
        leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not leaked, f"test leaked threads: {[t.name for t in leaked]}"
