"""The candidate's explanation export in zh and en: rendered, text extracted with pdftotext,
and checked for the evidence, ratings, decider and compliance profile; the export is audited."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.dbkey import connect

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (installed by .ci/run) is missing"
)

CANDIDATE = "5f0b8a52-7a5e-4d52-9c1e-2f2d0a1c0001"  # the demo's 林晓雯


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout


def _flat(text: str) -> str:
    # pdftotext breaks long lines (and CJK wrapping breaks anywhere): compare without spaces.
    return re.sub(r"\s+", "", text)


def _fonts_embedded(pdf: Path) -> bool:
    out = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()[2:]
    cjk = [line.split() for line in out if "WenQuanYi" in line or "Noto" in line]
    return bool(cjk) and all(f[-5] == "yes" for f in cjk)


@pytest.mark.slow
def test_explanation_in_chinese_and_english(cli: Any, home: Path, tmp_path: Path) -> None:
    assert cli("demo").returncode == 0
    zh, en, js = tmp_path / "zh.pdf", tmp_path / "en.pdf", tmp_path / "x.json"
    for args in (
        (CANDIDATE, "--lang", "zh", "--out", str(zh)),
        ("林晓雯", "--lang", "en", "--out", str(en)),  # by name works too
        (CANDIDATE, "--lang", "en", "--out", str(js)),
    ):
        r = cli("report", "explain", *args)
        assert r.returncode == 0, r.stderr
    doc = json.loads(js.read_text(encoding="utf-8"))
    assert doc["compliance"]["profile"] == "strict"
    features = {f["id"]: f for f in doc["compliance"]["ai_features"]}
    assert features["content_analysis"]["ran"] and not features["camera_voice_cues"]["ran"]
    assert not features["emotion_affect"]["allowed"]
    assert {d["name"] for d in doc["decided_by"]} == {"张敏", "王磊"}
    quotes = [e for s in doc["ai_suggestions"] for e in s["evidence"]]
    assert quotes and all(e["time"] for e in quotes)
    first = quotes[0]

    t_zh, t_en = _text(zh), _text(en)
    f_zh, f_en = _flat(t_zh), _flat(t_en)
    # Chinese: headings, profile, consent choices, evidence with its timestamp, ratings, decider
    for needle in (
        "面试结果说明",
        "严格（欧盟标准）",
        "摄像头/语音非语言信号",
        "未同意",
        "情绪、情感或性格推断：从不运行（禁止）",
        "面试官评分（即决定）",
        "谁作出决定",
        "张敏（面试官）",
        "王磊（面试官）",
        "跨团队推进的例子缺少本人行动。",
        "如何提出异议或要求删除",
        "30天内",
    ):
        assert _flat(needle) in f_zh, needle
    assert _flat(f"“{first['quote']}”{first['time']}") in f_zh
    assert "Who decided" not in t_zh and "Strict (EU-safe)" not in t_zh
    # English: the same facts in English labels (the quotes stay in the candidate's words)
    for needle in (
        "Explanation of your interview assessment",
        "Strict (EU-safe)",
        "camera/voice cues",
        "declined",
        "Emotion, affect or personality inference: never runs (forbidden)",
        "Interviewer ratings (the decision)",
        "Who decided",
        "张敏 (interviewer)",
        "王磊 (interviewer)",
        "How to contest this or ask for deletion",
        "within 30 days",
    ):
        assert _flat(needle) in f_en, needle
    assert _flat(f"“{first['quote']}”{first['time']}") in f_en
    assert "谁作出决定" not in t_en and "严格（欧盟标准）" not in t_en
    assert _fonts_embedded(zh) and _fonts_embedded(en)

    con = connect(home)
    rows = con.execute(
        "SELECT actor, entity_id, detail FROM auditlog WHERE action = 'export-explanation' "
        "ORDER BY seq"
    ).fetchall()
    con.close()
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (zh, en, js)]
    assert [json.loads(d)["sha256"] for _, _, d in rows] == digests
    assert not any(str(tmp_path) in d for _, _, d in rows)  # no file names in the log
    assert {json.loads(d)["lang"] for _, _, d in rows} == {"zh", "en"}
    assert all(eid == CANDIDATE for _, eid, _ in rows)
    assert cli("privacy", "audit-verify").returncode == 0


def test_explanation_errors_are_one_line(cli: Any, tmp_path: Path) -> None:
    assert cli("demo").returncode == 0
    r = cli("report", "explain", "Nobody", "--out", str(tmp_path / "x.pdf"))
    assert r.returncode == 66 and "Nobody" in r.stderr and "Traceback" not in r.stderr
    r = cli("report", "explain", CANDIDATE, "--out", str(tmp_path / "x.txt"))
    assert r.returncode == 65 and ".pdf or .json" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
