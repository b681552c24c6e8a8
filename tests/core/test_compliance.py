from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.core.compliance import (
    ALWAYS_FORBIDDEN,
    compliance_dir,
    load_compliance_profile,
    permissions,
)
from app.core.domain import ConsentPurpose as P
from app.core.errors import NotFoundError, ProfileError

ALL = set(P)


def test_bundled_profiles_load() -> None:
    for pid in ("strict", "consented-nonverbal"):
        prof = load_compliance_profile(pid)
        assert set(prof.forbidden_runner_tasks) >= ALWAYS_FORBIDDEN


def test_strict_never_stores_cues_or_runs_affect_even_with_every_consent() -> None:
    perm = permissions(load_compliance_profile("strict"), ALL)
    assert perm.record and perm.analyse_content
    assert not perm.store_cues and not perm.sync_cues and perm.delivery_weight == 0.0
    assert perm.cue_runners <= {"face_detection", "face_count"}
    for task in ("expression", "emotion", "smile", "gaze", "head_pose", "prosody"):
        assert not perm.runner_allowed(task)


def test_consented_nonverbal_needs_the_separate_cue_consent() -> None:
    prof = load_compliance_profile("consented-nonverbal")
    without = permissions(prof, ALL - {P.CAMERA_VOICE_CUES})
    assert not without.store_cues and without.cue_runners <= {"face_detection", "face_count"}
    with_cues = permissions(prof, ALL)
    assert with_cues.store_cues and with_cues.runner_allowed("gaze")
    assert 0 < with_cues.delivery_weight <= 0.2
    assert not with_cues.runner_allowed("expression")


def test_no_recording_consent_means_no_capture_and_no_cues() -> None:
    perm = permissions(load_compliance_profile("consented-nonverbal"), ALL - {P.RECORDING})
    assert not perm.record and perm.cue_runners == frozenset() and not perm.store_cues
    assert perm.analyse_content  # typed answers can still be analysed


def test_declining_ai_analysis_keeps_a_normal_interview() -> None:
    perm = permissions(load_compliance_profile("strict"), {P.RECORDING})
    assert perm.record and not perm.analyse_content and not perm.sync


def test_a_profile_that_enables_emotion_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load((compliance_dir() / "consented-nonverbal.yaml").read_text("utf-8"))
    data["id"] = "sneaky"
    data["cue_runners"].append("emotion")
    (tmp_path / "sneaky.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(ProfileError, match="cue_runners may not include"):
        load_compliance_profile("sneaky", [tmp_path])


def test_unknown_profile() -> None:
    with pytest.raises(NotFoundError):
        load_compliance_profile("anything-goes")
