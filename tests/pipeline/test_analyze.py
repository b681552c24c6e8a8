"""`roundtwo analyze` on the bundled sample interview: transcript accuracy and face signals."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "samples" / "media"


def _edit_distance(a: list[str], b: list[str]) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def cer(ref: str, hyp: str) -> float:
    norm = lambda s: [c for c in s if re.match(r"[\u3400-\u9fff]", c)]  # noqa: E731
    r = norm(ref)
    return _edit_distance(r, norm(hyp)) / max(len(r), 1)


def wer(ref: str, hyp: str) -> float:
    norm = lambda s: re.findall(r"[a-z']+", s.lower())  # noqa: E731
    r = norm(ref)
    return _edit_distance(r, norm(hyp)) / max(len(r), 1)


def test_error_rates_are_computed_correctly() -> None:
    assert cer("我们每周讨论", "我们每周讨论。") == 0
    assert cer("我们每周讨论", "我们每天讨论") == pytest.approx(1 / 6)
    assert wer("we met every week", "We met every week.") == 0
    assert wer("we met every week", "we met each week") == pytest.approx(0.25)


def test_analyze_rejects_a_non_video_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "notes.mp4"
    bad.write_text("this is not a video", encoding="utf-8")
    r = cli("analyze", str(bad), "--out", str(tmp_path / "out"))
    assert r.returncode == 65
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not a video file" in lines[0] and str(bad) in lines[0]
    assert "Traceback" not in r.stderr and not (tmp_path / "out").exists()
    audio_only = tmp_path / "answer.flac"
    audio_only.write_bytes((SAMPLE / "answer2-zh.flac").read_bytes())
    r2 = cli("analyze", str(audio_only), "--out", str(tmp_path / "out"))
    assert r2.returncode == 65 and "has no video stream" in r2.stderr


@pytest.fixture(scope="module")
def analysis(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from app.core.domain import ConsentPurpose
    from app.models.build import ensure_whisper
    from tests.pipeline.consent_kit import consented_interview

    ensure_whisper()
    out = tmp_path_factory.mktemp("analysis")
    env = dict(os.environ, ROUNDTWO_HOME=str(out / "home"))
    # Face and voice cues need a profile that allows them and the candidate's cue consent.
    sid = consented_interview(
        out / "home", "consented-nonverbal", set(ConsentPurpose), "internet-product-manager"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "analyze",
            str(SAMPLE / "interview-sample.mp4"),
            "--lang",
            "auto",
            "--job",
            "internet-product-manager",
            "--markers",
            str(SAMPLE / "interview-sample.markers.json"),
            "--session",
            str(sid),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "analysing [" in proc.stderr and "100%" in proc.stderr  # the progress bar
    data: dict[str, Any] = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    return data


def _meta() -> dict[str, Any]:
    meta: dict[str, Any] = json.loads((SAMPLE / "interview-sample.json").read_text("utf-8"))
    return meta


@pytest.mark.slow
def test_sample_transcript_error_rates(analysis: dict[str, Any], capsys) -> None:  # type: ignore[no-untyped-def]
    meta = _meta()
    rates = {"zh": [], "en": []}  # type: dict[str, list[float]]
    for ans in meta["answers"]:
        segs = [
            s
            for s in analysis["transcript"]
            if s["start"] < ans["end"] + 0.5 and s["end"] > ans["start"] - 0.5
        ]
        assert segs, f"no transcript for the answer at {ans['start']} s"
        assert all(s["lang"] == ans["lang"] for s in segs)
        assert all(0 < s["confidence"] <= 1 and s["start"] < s["end"] for s in segs)
        sep = "" if ans["lang"] == "zh" else " "
        hyp = sep.join(s["text"] for s in segs)
        rate = cer(ans["text"], hyp) if ans["lang"] == "zh" else wer(ans["text"], hyp)
        rates[ans["lang"]].append(rate)
        with capsys.disabled():
            kind = "CER" if ans["lang"] == "zh" else "WER"
            print(f"\n{kind} {rate:.1%}  ref: {ans['text']}\n          hyp: {hyp}")
    zh, en = float(np.mean(rates["zh"])), float(np.mean(rates["en"]))
    with capsys.disabled():
        print(f"\nsample interview: CER(zh) {zh:.1%}, WER(en) {en:.1%}")
    assert zh <= 0.10 and en <= 0.10


@pytest.mark.slow
def test_sample_face_signals_make_sense(analysis: dict[str, Any]) -> None:
    meta = _meta()
    face = analysis["signals"]["face"]
    t = np.array(face["t"])
    assert face["rate_hz"] == 10.0 and len(t) >= 0.9 * meta["duration_s"] * 10
    present = np.array(face["face_present"], dtype=bool)
    assert present.mean() >= 0.95 and analysis["summary"]["face_visible_ratio"] >= 0.95
    assert max(face["face_count"]) == 1

    def window(name: str, lo: float, hi: float) -> np.ndarray:
        sel = (t >= lo) & (t <= hi)
        return np.array([v for v, s in zip(face[name], sel, strict=True) if s], dtype=float)

    frontal_yaw = np.concatenate([window("yaw", a, b) for a, b in meta["pose"]["frontal"]])
    frontal_gaze = np.concatenate(
        [window("gaze_at_camera", a, b) for a, b in meta["pose"]["frontal"]]
    )
    assert abs(np.median(frontal_yaw)) < 5
    assert np.median(frontal_gaze) > 0.6
    assert abs(np.median(window("yaw", *meta["pose"]["yaw_20"])) - 20) <= 5
    assert np.median(window("gaze_at_camera", *meta["pose"]["yaw_20"])) < 0.4
    roll_base = np.median(
        np.concatenate([window("roll", a, b) for a, b in meta["pose"]["frontal"]])
    )
    assert abs(np.median(window("roll", *meta["pose"]["roll_20"])) - roll_base - 20) <= 5
    assert not any(face["hand_near_face"])


@pytest.mark.slow
def test_sample_analysis_document_shape(analysis: dict[str, Any]) -> None:
    assert analysis["job"] == "internet-product-manager"
    ids = {m["id"] for m in analysis["models"]}
    assert {"face_detect_short", "face_mesh", "iris", "silero_vad", "whisper_base"} <= ids
    assert all(len(m["sha256"]) == 64 and m["version"] for m in analysis["models"])
    assert analysis["signals"]["voice"]["rate_hz"] == pytest.approx(31.25)
    for key in ("total_s", "real_time_factor", "asr_s", "mesh_ms_per_frame"):
        assert analysis["timings"][key] > 0
    for u in analysis["utterances"]:
        p = u["prosody"]
        assert p["rate_unit"] == ("chars/min" if u["lang"] == "zh" else "words/min")
        assert p["speaking_rate"] > 0 and 0 <= p["pause_ratio"] < 1


def test_sample_analysis_has_competency_suggestions_with_evidence(
    analysis: dict[str, Any],
) -> None:
    comps = {c["id"]: c for c in analysis["competencies"]}
    assert set(comps) >= {"communication", "teamwork", "user-insight"}
    rated = [c for c in comps.values() if not c["insufficient_evidence"]]
    assert rated, "the sample's answers should support at least one suggestion"
    for c in rated:
        assert 0 <= c["ai_level"] <= 10 and c["evidence"]
        assert all("quote" in e and e.get("start_ms") is not None for e in c["evidence"])
    assert "match" in analysis
