"""Fixtures for pipeline tests: the Whisper model, built into the model cache once."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def whisper_dir() -> Path:
    from app.models.build import ensure_whisper

    return ensure_whisper()
