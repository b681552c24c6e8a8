from __future__ import annotations

from app.core.compliance import load_compliance_profile
from app.core.domain import ConsentPurpose as P
from app.core.notice import consent_notice


def test_strict_notice_offers_no_cue_consent_and_says_no_emotion_recognition() -> None:
    for lang in ("zh", "en"):
        n = consent_notice(load_compliance_profile("strict"), lang)
        assert P.CAMERA_VOICE_CUES not in n.purposes
        assert {P.RECORDING, P.AI_CONTENT, P.SYNC_TO_HUB} <= set(n.purposes)
        text = " ".join(s.text for s in n.sections)
        assert ("情绪识别" in text) if lang == "zh" else ("emotion recognition" in text)
        assert "180" in text  # the profile's retention period is stated


def test_nonverbal_notice_asks_separately_and_states_the_cap() -> None:
    n = consent_notice(load_compliance_profile("consented-nonverbal"), "en", "https://hub.corp")
    assert P.CAMERA_VOICE_CUES in n.purposes
    text = " ".join(s.text for s in n.sections)
    assert "10%" in text and "hub.corp" in text
    assert n.version.startswith("consented-nonverbal.v1.") and n.version.endswith(".en")


def test_versions_differ_by_language_and_profile() -> None:
    a = consent_notice(load_compliance_profile("strict"), "zh").version
    b = consent_notice(load_compliance_profile("strict"), "en").version
    c = consent_notice(load_compliance_profile("consented-nonverbal"), "zh").version
    assert len({a, b, c}) == 3
