"""The batch path honours the compliance profile and consent like the live room: under
`strict` no cue runner is loaded and no cue is stored or queued for the hub."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.core.compliance import load_compliance_profile, permissions
from app.core.domain import ConsentPurpose as P
from app.models.registry import ModelRegistry
from app.models.session import OnnxSession
from app.pipeline.batch import analyse_video
from tests.dbkey import connect
from tests.pipeline.consent_kit import consented_interview

SAMPLE = Path(__file__).resolve().parents[2] / "resources/samples/media/interview-sample.mp4"
JOB = "internet-product-manager"
CUE_MODELS = {"face_mesh", "iris", "hand_landmark_lite"}
CUE_SIGNALS = {"yaw", "pitch", "roll", "gaze_at_camera", "smile", "hand_near_face"}


class SpyRegistry(ModelRegistry):
    """The real registry, noting every model session it hands out."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    def session(self, model_id: str, *, intra_op_threads: int = 1) -> OnnxSession:
        self.opened.append(model_id)
        return super().session(model_id, intra_op_threads=intra_op_threads)


def _analyse(profile: str, granted: set[P]) -> tuple[dict[str, Any], set[str]]:
    reg = SpyRegistry()
    perm = permissions(load_compliance_profile(profile), granted)
    result = analyse_video(SAMPLE, registry=reg, face_rate_hz=2.0, permissions=perm)
    return result, set(reg.opened)


def test_strict_opens_only_the_face_quality_detector() -> None:
    # No AI content consent here, so Whisper stays off and only the face side is compared.
    granted = set(P) - {P.AI_CONTENT}
    strict, opened = _analyse("strict", granted)
    assert opened == {"face_detect_short"}
    assert strict["runners"] == ["face-quality"]
    face = strict["signals"]["face"]
    assert set(face) == {"rate_hz", "t", "face_present", "face_count"}
    assert strict["summary"]["face_visible_ratio"] >= 0.9  # the quality check still works
    assert "voice" not in strict["signals"] and strict["utterances"] == []

    # The same consent under consented-nonverbal loads the cue models (so this test can fail).
    full, opened_full = _analyse("consented-nonverbal", granted)
    assert opened_full >= CUE_MODELS and full["runners"] == ["face", "prosody"]
    assert set(full["signals"]["face"]) >= CUE_SIGNALS and "voice" in full["signals"]
    assert all("prosody" in u for u in full["utterances"]) and full["utterances"]

    # Without the separate cue consent that profile falls back to the quality check.
    nocue, opened_nocue = _analyse("consented-nonverbal", granted - {P.CAMERA_VOICE_CUES})
    assert opened_nocue == {"face_detect_short"} and nocue["runners"] == ["face-quality"]


def _run_cli(cli: Any, out: Path, sid: object) -> dict[str, Any]:
    r = cli(
        "analyze",
        str(SAMPLE),
        "--session",
        str(sid),
        "--out",
        str(out),
        "--face-rate",
        "3",
        "--beam",
        "1",
        "--quiet",
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    data: dict[str, Any] = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    return data


def _db(home: Path, sid: object) -> dict[str, Any]:
    con = connect(home)
    try:
        hexid = str(sid).replace("-", "")
        obs = con.execute(
            "SELECT signal, COUNT(*) FROM observation WHERE session_id IN (?, ?) GROUP BY signal",
            (hexid, str(sid)),
        ).fetchall()
        outbox = con.execute("SELECT entity, payload FROM outboxop").fetchall()
        audit = con.execute(
            "SELECT detail FROM auditlog WHERE action = 'analyze' ORDER BY seq"
        ).fetchall()
    finally:
        con.close()
    return {
        "observations": dict(obs),
        "outbox_entities": {e for e, _ in outbox},
        "outbox_text": "\n".join(p for _, p in outbox),
        "audit": [json.loads(d) for (d,) in audit],
    }


@pytest.mark.slow
def test_analyze_cli_under_strict_stores_and_queues_no_cue(
    cli: Any, home: Path, tmp_path: Path
) -> None:
    # Every purpose granted, sync included: strict itself must keep the cues out.
    sid = consented_interview(home, "strict", set(P), JOB)
    data = _run_cli(cli, tmp_path / "out", sid)
    assert data["runners"] == ["face-quality", "asr"]
    models = {m["id"] for m in data["models"]}
    assert not models & CUE_MODELS and "face_detect_short" in models
    assert data["transcript"], "content analysis was consented and still runs"
    assert data["signals"] == {} and all("prosody" not in u for u in data["utterances"])
    assert data["compliance"]["profile"] == "strict" and not data["compliance"]["store_cues"]
    assert data["compliance"]["stored_cue_samples"] == 0
    db = _db(home, sid)
    assert db["observations"] == {}
    assert "observation" not in db["outbox_entities"]
    for name in CUE_SIGNALS:
        assert f'"{name}"' not in db["outbox_text"]
    assert db["audit"] and db["audit"][-1]["runners"] == ["face-quality", "asr"]


@pytest.mark.slow
def test_analyze_cli_with_cue_consent_stores_and_queues_cues(
    cli: Any, home: Path, tmp_path: Path
) -> None:
    granted = {P.RECORDING, P.CAMERA_VOICE_CUES, P.SYNC_TO_HUB}  # no Whisper: keeps it quick
    sid = consented_interview(home, "consented-nonverbal", granted, JOB)
    data = _run_cli(cli, tmp_path / "out", sid)
    assert data["runners"] == ["face", "prosody"]
    assert {m["id"] for m in data["models"]} >= CUE_MODELS
    db = _db(home, sid)
    assert {"gaze_at_camera", "yaw", "face_present"} <= set(db["observations"])
    assert "observation" in db["outbox_entities"]
    assert data["compliance"]["stored_cue_samples"] == sum(db["observations"].values())


def test_analyze_cli_refuses_without_recording_consent(
    cli: Any, home: Path, tmp_path: Path
) -> None:
    sid = consented_interview(home, "consented-nonverbal", {P.AI_CONTENT}, JOB)
    r = cli("analyze", str(SAMPLE), "--session", str(sid), "--out", str(tmp_path / "o"))
    assert r.returncode == 77 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "no recording consent" in r.stderr
    assert not (tmp_path / "o").exists()
