"""The hub's training view per department, seeded through the real sync push API with plans
built by the laptop's own plan model and progress functions (app.training), checked against
a hand computation; plus zh/en screenshots (docs/screenshots/hub_training_*.png)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from app.core.domain import Role
from app.training.catalogue import CourseSpec
from app.training.plan import (
    Bilingual,
    CompetencyBaseline,
    PlanDocument,
    PlanHeader,
    PlanItem,
    SessionSlot,
)
from app.training.progress import record_completion, record_reassessment
from tests.server.browser import Browser
from tests.server.hubtools import HubThread, Org, new_org
from tests.server.web.seed import JOB_ID, add_login, op, push
from tests.server.web.test_dashboard import login

SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
UTC = dt.UTC


def t(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=UTC)


def course(key: str, zh: str, en: str, comp: str, hours: float = 6.0) -> CourseSpec:
    return CourseSpec(
        key=key,
        title_zh=zh,
        title_en=en,
        competencies=[comp],
        min_level=0,
        max_level=9,
        format="online",
        hours=hours,
        language="zh",
        provider="L&D",
    )


SQL = course("sql-analysis", "SQL 数据分析实战", "Hands-on SQL analysis", "data-analysis")
EXCEL = course("excel-modelling", "Excel 分析建模", "Excel analysis and modelling", "data-analysis")
CULTURE = course("culture-cases", "创新案例研讨", "Innovation case sessions", "values-fit", 4.0)

COMPS = {
    "data-analysis": ("数据分析", "Data analysis", 0.25, 8),
    "risk-judgement": ("风险判断与模型思维", "Risk judgement and model thinking", 0.20, 7),
    "values-fit": ("价值观匹配", "Values and culture fit", 0.10, 7),
}


def plan_doc(name: str, levels: dict[str, float], created: dt.datetime) -> PlanDocument:
    return PlanDocument(
        header=PlanHeader(
            candidate_name=name,
            job_slug="risk-control-analyst",
            job_title=Bilingual(zh="金融风控分析师", en="Financial Risk-Control Analyst"),
            session_id=None,
            language="zh",
            created_at=created,
            start_date=created.date(),
            timezone="Asia/Shanghai",
            weekly_hours_cap=4.0,
            horizon_days=90,
            culture_fit_percent=None,
            competencies=[
                CompetencyBaseline(
                    key=k,
                    name_zh=COMPS[k][0],
                    name_en=COMPS[k][1],
                    category="professional",
                    weight=COMPS[k][2],
                    required_level=COMPS[k][3],
                    level=v,
                )
                for k, v in levels.items()
            ],
        )
    )


def item(
    doc: PlanDocument, item_id: str, c: CourseSpec, level: float, start: dt.datetime | None
) -> None:
    key = c.competencies[0]
    doc.items.append(
        PlanItem(
            id=item_id,
            priority=len(doc.items) + 1,
            kind="culture" if key == "values-fit" else "remedial",
            competency_key=key,
            level=level,
            required_level=COMPS[key][3],
            target_level=COMPS[key][3],
            weight=COMPS[key][2],
            score=0.1,
            course=c,
            reason=Bilingual(zh="差距", en="gap"),
            sessions=[SessionSlot(start=start, hours=c.hours)] if start else [],
            due=(start or doc.header.created_at).date() + dt.timedelta(days=30),
            phase=1,
        )
    )


def plans() -> dict[str, PlanDocument]:
    """The progress of three people, written with the laptop's own progress functions."""
    # 陈晨: SQL course from 7 Sep, done 21 Sep, re-assessed 8 on 5 Oct: +1.0 level in 4 weeks.
    #       Culture sessions (no sessions: from plan creation 1 Sep), done 15 Sep, values-fit
    #       re-assessed 8 on 29 Sep: +2.0 levels in 4 weeks. Risk judgement stays 6 < 7.
    a = plan_doc(
        "陈晨", {"data-analysis": 7.0, "risk-judgement": 6.0, "values-fit": 6.0}, t("2026-09-01")
    )
    item(a, "r01-sql", SQL, 7.0, t("2026-09-07T01:00"))
    item(a, "c02-culture", CULTURE, 6.0, None)
    record_completion(a, "r01-sql", t("2026-09-21T09:00"))
    record_completion(a, "c02-culture", t("2026-09-15T09:00"))
    record_reassessment(a, "values-fit", 8, t("2026-09-29T00:00"), "经理")
    record_reassessment(a, "data-analysis", 8, t("2026-10-05T01:00"), "经理")
    # 刘洋: SQL course from 10 Sep, done and re-assessed 7 on 24 Sep: +1.0 level in 2 weeks;
    #       Excel course done 20 Oct, not re-assessed since: awaiting. Data analysis 7 < 8.
    b = plan_doc("刘洋", {"data-analysis": 6.0}, t("2026-09-03"))
    item(b, "r01-sql", SQL, 6.0, t("2026-09-10T00:00"))
    item(b, "r02-excel", EXCEL, 6.0, t("2026-10-01T00:00"))
    record_completion(b, "r01-sql", t("2026-09-24T00:00"))
    record_reassessment(b, "data-analysis", 7, t("2026-09-24T00:00"), "经理")
    record_completion(b, "r02-excel", t("2026-10-20T00:00"))
    # A superseded plan must not count.
    c = plan_doc("旧计划", {"data-analysis": 2.0}, t("2026-08-01"))
    return {"陈晨": a, "刘洋": b, "旧计划": c}


# Hand computation for the HQ unit:
#   sql-analysis    陈晨 1.0/4 = 0.25, 刘洋 1.0/2 = 0.5 -> mean 0.375 levels/week, n = 2
#   culture-cases   陈晨 2.0/4 = 0.5                    -> 0.5, n = 1
#   excel-modelling completed, no re-assessment since   -> no rate, 1 awaiting
#   below the bar   刘洋 data analysis 7 (re-assessed) < 8; 陈晨 risk judgement 6 < 7
EXPECTED_COURSES = [
    ("culture-cases", "0.50", 1),
    ("sql-analysis", "0.38", 2),
    ("excel-modelling", "—", 0),
]
EXPECTED_GAPS = [
    ("刘洋", "data-analysis", "7"),
    ("陈晨", "risk-judgement", "6"),
]


def push_plans(org: Org, unit: uuid.UUID, docs: dict[str, PlanDocument]) -> None:
    uid, _ = org.add_user(Role.HR, unit)
    device = org.enrol_device(uid, "manager-laptop")
    ops: list[dict[str, Any]] = []
    for name, doc in docs.items():
        cid, pid = uuid.uuid4(), uuid.uuid4()
        ops.append(op("candidate", cid, name=name, source="manual"))
        now = doc.header.created_at.isoformat()
        ops.append(
            op(
                "trainingplan",
                pid,
                created_at=now,
                updated_at=now,
                candidate_id=str(cid),
                session_id=None,
                job_id=str(JOB_ID),
                status="superseded" if name == "旧计划" else "active",
                items=doc.to_entries(),
            )
        )
    with org.client(device.tokens.access_token) as c:
        push(c, ops)


@pytest.fixture(scope="module")
def world(web_hub: HubThread) -> tuple[Org, uuid.UUID, str]:
    org = new_org(web_hub)
    retail = org.add_unit("零售部")
    push_plans(org, org.unit_id, plans())
    other = plan_doc("王五", {"risk-judgement": 3.0}, t("2026-09-05"))
    push_plans(org, retail, {"王五": other})
    return org, retail, add_login(org, Role.HR)


def _table(html: str, row_class: str, cells: str) -> list[tuple[str, ...]]:
    return [tuple(m) for m in re.findall(rf'<tr class="{row_class}"{cells}', html, re.S)]


def test_department_view_matches_the_hand_computation(
    web_hub: HubThread, world: tuple[Org, uuid.UUID, str]
) -> None:
    org, retail, hr = world
    with login(web_hub, hr, org.password) as c:
        page = c.get("/web/dashboard/training")
        assert page.status_code == 200, page.text
        html = page.text
    courses = _table(
        html,
        "course-row",
        r' data-course="([^"]+)">.*?<td class="num rate">([^<]*)</td>.*?'
        r'<td class="num n">(\d+)</td>',
    )
    assert [(k, r, int(n)) for k, r, n in courses] == EXPECTED_COURSES
    pending = re.findall(r'data-course="([^"]+)">.*?<td class="num pending">(\d+)<', html, re.S)
    assert dict(pending) == {"culture-cases": "0", "sql-analysis": "0", "excel-modelling": "1"}
    gaps = _table(
        html,
        "gap-row",
        r' data-key="([^"]+)">\s*<td class="person">([^<]*)</td>.*?'
        r'<td class="num level">([^<]*)</td>',
    )
    assert [(p, k, lv) for k, p, lv in gaps] == EXPECTED_GAPS
    assert "王五" not in html and "旧计划" not in html  # other unit; superseded plan
    with login(web_hub, org.admin_email, org.password) as c:
        everything = c.get("/web/dashboard/training").text
        assert "王五" in everything and "陈晨" in everything
        only_retail = c.get("/web/dashboard/training", params={"org_unit_id": str(retail)}).text
        assert "王五" in only_retail and "陈晨" not in only_retail


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_training_screenshots(
    web_hub: HubThread,
    world: tuple[Org, uuid.UUID, str],
    browser: Callable[..., Browser],
    lang: str,
) -> None:
    org, _retail, hr = world
    short = lang[:2]
    for kind, width, height in (("desktop", 1280, 800), ("phone", 390, 844)):
        b = browser(width=width, height=height, lang=lang)
        b.get(web_hub.url + "/web/dashboard/training")  # redirected to log in first
        b.driver.find_element(By.ID, "email").send_keys(hr)
        b.driver.find_element(By.ID, "password").send_keys(org.password)
        b.click_through(By.ID, "login")
        rows = b.driver.find_elements(By.CSS_SELECTOR, "tr.course-row td.rate")
        assert [r.text for r in rows] == [r for _k, r, _n in EXPECTED_COURSES]
        overflow = b.driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{kind} {lang}: page is {overflow}px wider than the screen"
        b.shot(SHOTS / f"hub_training_{short}_{kind}.png")
        b.quit()
