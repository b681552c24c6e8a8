"""Exports: the PDF embeds a CJK font and its zh/en text extracts; .ics in the plan's zone."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from app.core.errors import DependencyError, InvalidInputError
from app.reports import fonts
from app.training.catalogue import load_catalogue_yaml
from app.training.export import plan_ics, write_export
from app.training.plan import Evidence, PlanDocument, PlanOptions, generate_plan
from app.training.progress import record_checkin, record_reassessment
from tests.training.helpers import NOW, SEED_BARS, START, plan_input, seed_levels


@pytest.fixture(scope="module")
def doc() -> PlanDocument:
    evidence = {
        "data-analysis": [
            Evidence(
                source="rating",
                text="只会用透视表，SQL 写得很慢，缺少对逾期样本的切分。",
                who="李娜",
            )
        ]
    }
    d = generate_plan(
        plan_input(seed_levels(), SEED_BARS, evidence=evidence),
        load_catalogue_yaml(),
        PlanOptions(START),
        NOW,
    )
    record_checkin(d, NOW + dt.timedelta(days=10), by="王磊", note="SQL 课程按计划进行")
    record_reassessment(d, "data-analysis", 8, NOW + dt.timedelta(days=40), by="李娜")
    return d


def _poppler(tool: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        pytest.fail(f"{tool} is missing: install poppler-utils (apt-get install poppler-utils)")
    return exe


def _text(pdf: Path) -> str:
    out = subprocess.run(
        [_poppler("pdftotext"), "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return re.sub(r"\s+", "", out.stdout)


def _fonts(pdf: Path) -> list[list[str]]:
    out = subprocess.run(
        [_poppler("pdffonts"), str(pdf)], capture_output=True, text=True, timeout=60, check=True
    )
    return [line.split() for line in out.stdout.splitlines()[2:]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_plan_pdf_embeds_a_cjk_font_and_its_text_extracts(
    doc: PlanDocument, tmp_path: Path, lang: str
) -> None:
    pdf = write_export(doc, tmp_path / f"plan-{lang}.pdf", NOW, lang=lang)
    raw = pdf.read_bytes()
    assert raw.startswith(b"%PDF") and b"/FontFile2" in raw
    rows = _fonts(pdf)
    cjk = [r for r in rows if "WenQuanYi" in r[0] or "CJK" in r[0] or "Hei" in r[0]]
    assert cjk, rows
    # pdffonts columns: name type encoding emb sub uni ...; 'emb' must be yes.
    assert all(r[-5] == "yes" for r in cjk), rows
    text = _text(pdf)
    first = doc.items[0]
    # The candidate's Chinese name and the evidence quote appear in both languages.
    assert "周子涵" in text and "只会用透视表" in text
    if lang == "zh":
        assert "入职培训计划" in text and first.course.title_zh.replace(" ", "") in text
        assert "文化契合度" in text and "75%" in text and "经理面谈" in text
    else:
        assert "Onboardingtrainingplan" in text
        assert first.course.title_en.replace(" ", "") in text
        assert "Culturefit" in text and "75%" in text
        assert "managercheck-in" in text
    # Re-assessed to the bar: the data-analysis items show as closed.
    assert ("已达标关闭" if lang == "zh" else "closed:barreached") in text


def test_no_cjk_font_is_a_clear_dependency_error(
    doc: PlanDocument, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fonts, "_fc_match", lambda: [])
    monkeypatch.setattr(fonts, "_matplotlib", lambda: [])
    monkeypatch.setattr(fonts, "FONT_NAME", "RoundTwoCJK-test-missing")
    with pytest.raises(DependencyError, match="No TrueType font with Chinese glyphs") as err:
        write_export(doc, tmp_path / "plan.pdf", NOW)
    assert "fonts-wqy-microhei" in err.value.user_message()
    assert not (tmp_path / "plan.pdf").exists()
    latin = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if latin.exists():
        with pytest.raises(DependencyError, match="no Chinese glyphs"):
            fonts.find_cjk_font(latin)


def test_ics_has_every_open_session_in_the_plan_time_zone(
    doc: PlanDocument, tmp_path: Path
) -> None:
    path = write_export(doc, tmp_path / "plan.ics", NOW, plan_id="p1")
    cal = Calendar.from_ical(path.read_bytes())
    events = list(cal.walk("VEVENT"))
    open_sessions = [s for i in doc.items if i.status == "open" for s in i.sessions]
    assert len(events) == len(open_sessions) > 0
    assert {tz["TZID"] for tz in cal.walk("VTIMEZONE")} == {"Asia/Shanghai"}
    shanghai = ZoneInfo("Asia/Shanghai")
    starts = sorted(e.decoded("DTSTART") for e in events)
    assert starts == sorted(s.start for s in open_sessions)
    for e in events:
        start = e.decoded("DTSTART")
        assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(hours=8)
        assert start.astimezone(shanghai).hour >= 14
        assert e.decoded("DTEND") > start
    assert "DTSTART;TZID=Asia/Shanghai:" in path.read_text(encoding="utf-8")
    assert len({str(e["UID"]) for e in events}) == len(events)
    # Closed items (data analysis reached the bar) are no longer on the calendar.
    closed = {i.course.title_zh for i in doc.items if i.status == "closed"}
    assert closed and not any(str(e["SUMMARY"]).split(" (")[0] in closed for e in events)


def test_ics_uses_another_zone_when_the_plan_says_so(tmp_path: Path) -> None:
    d = generate_plan(
        plan_input(seed_levels(), SEED_BARS),
        load_catalogue_yaml(),
        PlanOptions(START, timezone="Europe/Berlin"),
        NOW,
    )
    cal = Calendar.from_ical(plan_ics(d, "p2", lang="en"))
    first = next(iter(cal.walk("VEVENT")))
    assert first.decoded("DTSTART").utcoffset() == dt.timedelta(hours=1)  # CET in winter
    assert {tz["TZID"] for tz in cal.walk("VTIMEZONE")} == {"Europe/Berlin"}


def test_json_export_has_items_state_and_trajectory(doc: PlanDocument, tmp_path: Path) -> None:
    path = write_export(doc, tmp_path / "plan.json", NOW + dt.timedelta(days=41), plan_id="p1")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["plan_id"] == "p1" and data["header"]["culture_fit_percent"] == 75.0
    assert [i["priority"] for i in data["items"]] == [i.priority for i in doc.items]
    traj = {t["competency"]: t for t in data["trajectory"]}
    assert [p["level"] for p in traj["data-analysis"]["points"]] == [7.0, 8.0]
    assert traj["data-analysis"]["reached"] is True
    assert data["state"]["status"] == "active"


def test_unknown_export_type_is_refused(doc: PlanDocument, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"plan\.docx.*\.json, \.pdf or \.ics"):
        write_export(doc, tmp_path / "plan.docx", NOW)
    with pytest.raises(InvalidInputError, match="does not exist"):
        write_export(doc, tmp_path / "missing" / "plan.pdf", NOW)
