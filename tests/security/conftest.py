"""Security fixtures: a test keychain (plaintext file, tests only), no keychain at all, and
the capture fixtures (JACK dummy sound card, test clips) for real recordings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from app.security import keys
from tests.capture.conftest import clips, jack  # noqa: F401  (real recordings need them)
from tests.security.keyring_backend import BACKEND, FILE_ENV, TestFileKeyring


@pytest.fixture(autouse=True)
def _forget_keys() -> Iterator[None]:
    keys.forget_all()
    yield
    keys.forget_all()


def _use(backend: keyring.backend.KeyringBackend) -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def test_keychain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working keychain for this process and its children (a JSON file: tests only)."""
    path = tmp_path / "keychain.json"
    monkeypatch.setenv(FILE_ENV, str(path))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", BACKEND)
    yield from _use(TestFileKeyring())


@pytest.fixture
def no_keychain(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """What a headless machine has: keyring's `fail` backend, here and in children."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    yield from _use(fail.Keyring())
