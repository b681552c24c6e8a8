"""Manifest parsing, digest checks and what happens when a model is missing or altered."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from app.core.errors import ErrorKind
from app.models.manifest import ManifestError, load_manifest, parse_manifest
from app.models.registry import ModelRegistry, ModelUnavailableError


def test_bundled_manifest_lists_every_model_with_a_licence_and_digest() -> None:
    m = load_manifest()
    assert set(m.ids()) >= {
        "face_detect_short",
        "face_detect_full",
        "face_mesh",
        "iris",
        "hand_landmark_lite",
        "silero_vad",
        "whisper_base",
    }
    for spec in m.models:
        assert len(spec.sha256) == 64 and spec.licence
        if spec.source_kind == "file":
            path = m.base_dir / spec.source_path
            assert path.stat().st_size < 5 * 1024 * 1024, f"{path} is too big to commit"


def test_committed_models_verify(registry: ModelRegistry) -> None:
    for spec in registry.manifest.models:
        if spec.source_kind == "file":
            st = registry.status(spec.id)
            assert st.available, st.reason


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d["models"][0].pop("sha256"), "missing the field 'sha256'"),
        (lambda d: d["models"][0].update(sha256="abc"), "64-digit"),
        (lambda d: d["models"][0]["source"].update(kind="cloud"), "source.kind"),
        (lambda d: d.update(version=7), "unsupported manifest version"),
        (lambda d: d["models"].append(dict(d["models"][0])), "listed twice"),
    ],
)
def test_bad_manifest_names_file_and_field(mutate, fragment: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = load_manifest().path
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    mutate(data)
    target = tmp_path / "manifest.yaml"
    with pytest.raises(ManifestError) as err:
        parse_manifest(data, target)
    assert fragment in err.value.message and str(target) in err.value.message
    assert err.value.kind is ErrorKind.INVALID_INPUT


def _copy_models(tmp_path: Path) -> Path:
    src = load_manifest().base_dir
    dst = tmp_path / "onnx_models"
    shutil.copytree(src, dst)
    return dst


def test_missing_model_is_unavailable_with_a_clear_reason(tmp_path: Path) -> None:
    d = _copy_models(tmp_path)
    (d / "face_landmark_attention_eyes.onnx").unlink()
    reg = ModelRegistry(load_manifest(d / "manifest.yaml"), cache_dir=tmp_path / "cache")
    st = reg.status("iris")
    assert (
        not st.available
        and "missing" in st.reason
        and "face_landmark_attention_eyes.onnx" in st.reason
    )
    assert reg.status("face_mesh").available
    with pytest.raises(ModelUnavailableError):
        reg.session("iris")
    # Whisper is not in this empty cache: unavailable, pointing at `models build`.
    ws = reg.status("whisper_base")
    assert not ws.available and "roundtwo models build" in ws.reason


def test_altered_model_fails_its_digest(tmp_path: Path) -> None:
    d = _copy_models(tmp_path)
    with (d / "face_landmark_attention.onnx").open("r+b") as fh:
        fh.seek(4096)
        fh.write(b"\x00\x01\x02\x03")
    reg = ModelRegistry(load_manifest(d / "manifest.yaml"), cache_dir=tmp_path / "cache")
    st = reg.status("face_mesh")
    assert not st.available and "sha256" in st.reason


def test_face_analysis_degrades_when_the_mesh_is_missing(tmp_path: Path) -> None:
    from app.pipeline.face import FaceAnalyzer
    from tools.synth_media import astronaut, place

    d = _copy_models(tmp_path)
    (d / "face_landmark_attention.onnx").unlink()
    reg = ModelRegistry(load_manifest(d / "manifest.yaml"), cache_dir=tmp_path / "cache")
    fa = FaceAnalyzer(reg)
    assert "face_mesh" in fa.unavailable
    obs = fa.analyse(place(astronaut()), 0.0)
    # Detection still works: the face is there, the mesh-based signals are not.
    assert obs.face_present and obs.face_count == 1
    assert obs.yaw is None and obs.gaze_at_camera is None


def test_face_analysis_keeps_pose_when_the_eye_heads_are_missing(tmp_path: Path) -> None:
    from app.pipeline.face import FaceAnalyzer
    from tools.synth_media import astronaut, place

    d = _copy_models(tmp_path)
    (d / "face_landmark_attention_eyes.onnx").unlink()
    reg = ModelRegistry(load_manifest(d / "manifest.yaml"), cache_dir=tmp_path / "cache")
    fa = FaceAnalyzer(reg)
    assert "iris" in fa.unavailable and "face_mesh" not in fa.unavailable
    obs = fa.analyse(place(astronaut()), 0.0)
    assert obs.face_present and obs.yaw is not None and obs.smile is not None
    assert obs.gaze_at_camera is None and "iris" not in obs.stage_ms


@pytest.mark.slow
def test_cli_models_list_and_verify(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = {"ROUNDTWO_MODEL_CACHE": str(tmp_path / "empty-cache")}
    r = cli("models", "list", env=env)
    assert r.returncode == 0, r.stderr
    assert "face_mesh" in r.stdout and "UNAVAILABLE" in r.stdout  # whisper not built there
    v = cli("models", "verify", env=env)
    assert v.returncode == 1
    assert "FAIL  whisper_base" in v.stdout and "ok    face_detect_short" in v.stdout
    d = _copy_models(tmp_path)
    (d / "face_landmark_attention_eyes.onnx").write_bytes(b"not a model")
    v2 = cli("models", "verify", env={**env, "ROUNDTWO_MODELS_DIR": str(d)})
    assert v2.returncode == 1 and "FAIL  iris" in v2.stdout and "sha256" in v2.stdout
