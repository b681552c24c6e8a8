"""A keyring backend for TESTS ONLY: keeps secrets in a plain JSON file named by an
environment variable. It protects nothing and must never be configured in production."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

FILE_ENV = "ROUNDTWO_TEST_KEYRING_FILE"
BACKEND = "tests.security.keyring_backend.TestFileKeyring"


class TestFileKeyring(KeyringBackend):
    """Plaintext JSON file keyring (the file path comes from ROUNDTWO_TEST_KEYRING_FILE)."""

    priority = 1  # type: ignore[assignment]

    @staticmethod
    def _path() -> Path:
        return Path(os.environ[FILE_ENV])

    def _load(self) -> dict[str, str]:
        p = self._path()
        return json.loads(p.read_text()) if p.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\x00{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\x00{username}"] = password
        self._path().write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\x00{username}", None) is None:
            raise PasswordDeleteError(username)
        self._path().write_text(json.dumps(data))
