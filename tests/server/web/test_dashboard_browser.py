"""The HR dashboard in headless Chromium: log in by typing and clicking, the ranking as
computed from pushed ratings, an interviewer refused, exports downloaded and compared, and
zh/en screenshots at desktop and phone widths (docs/screenshots/hub_dashboard_*.png)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.server.browser import Browser
from tests.server.hubtools import HubThread, new_org
from tests.server.web.seed import EXPECTED_RANKING, JOB_ID, Seeded, seed_job

SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seeded(web_hub: HubThread) -> Seeded:
    return seed_job(new_org(web_hub))


def type_and_login(b: Browser, hub: HubThread, email: str, password: str) -> None:
    b.get(hub.url + "/web/login")
    b.driver.find_element(By.ID, "email").send_keys(email)
    b.driver.find_element(By.ID, "password").send_keys(password)
    b.click_through(By.ID, "login")


def ranking_on_page(b: Browser) -> list[tuple[str, str]]:
    rows = b.driver.find_elements(By.CSS_SELECTOR, "#ranking tr.rank-row")
    return [
        (
            r.find_element(By.CSS_SELECTOR, "td.cand").text,
            r.find_element(By.CSS_SELECTOR, "td.match").text,
        )
        for r in rows
    ]


def test_hr_logs_in_and_sees_the_ranking_and_downloads_exports(
    web_hub: HubThread, seeded: Seeded, browser: Callable[..., Browser]
) -> None:
    b = browser(width=1280, height=900, lang="en-US")
    type_and_login(b, web_hub, seeded.hr_email, seeded.password)
    b.click_through(By.CSS_SELECTOR, f'a[href^="/web/dashboard/jobs/{JOB_ID}"]')
    assert b.driver.find_elements(By.ID, "ranking")
    assert ranking_on_page(b) == [(n, f"{m:g}%") for n, m in EXPECTED_RANKING]
    # The export links, fetched with the browser's own session cookie.
    cookies = {c["name"]: c["value"] for c in b.driver.get_cookies()}
    assert "rt_session" in cookies
    for link_id, check in (("export-csv", "csv"), ("export-xlsx", "xlsx")):
        href = b.driver.find_element(By.ID, link_id).get_attribute("href")
        assert href is not None
        r = httpx.get(href, cookies={"rt_session": cookies["rt_session"]}, timeout=30)
        assert r.status_code == 200, r.text
        if check == "csv":
            rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))[1:]
            shown = ranking_on_page(b)
            assert [(row[1].removeprefix("'"), f"{float(row[2]):g}%") for row in rows] == shown
        else:
            assert r.content[:2] == b"PK"  # a zip: the .xlsx (content checked in test_dashboard)
    # The zh switch keeps the page and translates it.
    b.click_through(By.ID, "lang-switch")
    assert "候选人排名" in b.driver.find_element(By.TAG_NAME, "body").text
    assert ranking_on_page(b)[0] == ("王芳", "100%")
    b.click_through(By.ID, "logout")
    assert b.driver.find_elements(By.ID, "email")


def test_interviewer_login_is_refused(
    web_hub: HubThread, seeded: Seeded, browser: Callable[..., Browser]
) -> None:
    b = browser(width=390, height=844, lang="zh-CN")
    type_and_login(b, web_hub, seeded.interviewer_email, seeded.password)
    refused = b.driver.find_element(By.ID, "refused")
    assert "无权查看招聘看板" in refused.text
    b.shot(SHOTS / "hub_dashboard_refused_zh_phone.png")
    b.get(web_hub.url + f"/web/dashboard/jobs/{JOB_ID}")
    assert b.driver.find_elements(By.ID, "email")  # no session: back to the log-in form


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_screenshots(
    web_hub: HubThread, seeded: Seeded, browser: Callable[..., Browser], lang: str
) -> None:
    short = lang[:2]
    for kind, width, height in (("desktop", 1280, 900), ("phone", 390, 844)):
        b = browser(width=width, height=height, lang=lang)
        type_and_login(b, web_hub, seeded.hr_email, seeded.password)
        b.get(web_hub.url + f"/web/dashboard/jobs/{JOB_ID}")
        WebDriverWait(b.driver, 20).until(ec.presence_of_element_located((By.ID, "ranking")))
        title = b.driver.find_element(By.ID, "job-title").text
        assert title == ("金融风控分析师" if short == "zh" else "Financial Risk-Control Analyst")
        # Nothing wider than the screen except inside the scrolling table boxes.
        overflow = b.driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{kind} {lang}: page is {overflow}px wider than the screen"
        out = b.shot(SHOTS / f"hub_dashboard_{short}_{kind}.png")
        assert out.stat().st_size > 10_000
        b.quit()
