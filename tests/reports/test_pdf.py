"""The report PDF as a reader gets it: text extracts in both languages, fonts embedded."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (installed by .ci/run) is missing"
)


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def _fonts(pdf: Path) -> list[list[str]]:
    out = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()[2:]
    return [line.split() for line in out]


def test_report_pdf_and_json_in_both_languages(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("demo").returncode == 0
    zh, en, js = tmp_path / "zh.pdf", tmp_path / "en.pdf", tmp_path / "r.json"
    r = cli("report", "latest", "--pdf", str(zh), "--json", str(js), "--lang", "zh")
    assert r.returncode == 0, r.stderr
    assert cli("report", "latest", "--pdf", str(en), "--lang", "en").returncode == 0

    text_zh = _text(zh)
    assert "面试报告" in text_zh and "林晓雯" in text_zh and "团队协作" in text_zh
    assert "96.8%" in text_zh and "未达标" in text_zh
    text_en = _text(en)
    assert "Interview report" in text_en and "Teamwork and collaboration" in text_en
    for pdf in (zh, en):
        cjk = [f for f in _fonts(pdf) if "WenQuanYi" in f[0] or "Noto" in f[0]]
        assert cjk and all(f[-5] == "yes" for f in cjk), _fonts(pdf)  # the "emb" column

    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["match_percent"] == 96.8
    teamwork = next(c for c in data["competencies"] if c["id"] == "teamwork")
    assert teamwork["meets_bar"] is False and len(teamwork["notes"]) == 2


def test_report_export_is_audited_and_bad_ids_are_one_line(cli, home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("demo").returncode == 0
    assert cli("report", "latest", "--json", str(tmp_path / "x.json")).returncode == 0
    from tests.dbkey import connect

    con = connect(home)
    actions = [r[0] for r in con.execute("SELECT action FROM auditlog ORDER BY seq")]
    con.close()
    assert actions[-1] == "export"
    bad = cli("report", "not-a-uuid")
    assert bad.returncode == 66 and "Traceback" not in bad.stderr
    assert "not-a-uuid" in bad.stderr
