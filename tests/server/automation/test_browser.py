"""The self-scheduling page in headless Chromium: a candidate books by clicking; two browsers
race for the last slot and exactly one wins, the other sees a clear message. Screenshots of
the page (zh and en, phone and desktop width) go to docs/screenshots/hub_*.png."""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
import zoneinfo
from collections.abc import Callable
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from tests.server.automation.kit import (
    add_slots,
    automation_hub,
    import_rows,
    make_world,
    smtp_sink,
    wait_until,
)
from tests.server.browser import Browser, require_chromium

SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _link(sink_text: str) -> str:
    m = re.search(r"(http://127\.0\.0\.1:\d+/s/[A-Za-z0-9_-]+\?lang=(zh|en))", sink_text)
    assert m, sink_text
    return m.group(1)


@pytest.mark.slow
def test_book_by_clicking_and_race_for_the_last_slot(
    tmp_path: Path, browser: Callable[..., Browser]
) -> None:
    require_chromium()
    with smtp_sink() as sink, automation_hub(tmp_path, sink) as hub:
        w = make_world(hub)
        day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=4)
        starts = [dt.datetime.combine(day, dt.time(h, 0), SHANGHAI) for h in (10, 14)]
        add_slots(w, starts, "Asia/Shanghai", "上海总部 5 楼 502 会议室 / Shanghai HQ, room 502")
        people = {
            "wang@example.cn": "王伟",
            "anna@example.de": "Anna Schmidt",
            "ben@example.com": "Ben Miller",
        }
        ids = {mail: str(uuid.uuid4()) for mail in people}
        import_rows(
            w,
            "candidates",
            [{"id": ids[m], "name": n, "email": m} for m, n in people.items()],
        )
        import_rows(
            w,
            "round1",
            [
                {"candidate_id": i, "job_id": str(w.job_id), "round1_score": 90}
                for i in ids.values()
            ],
        )
        sink.wait(3)
        links = {m: _link(sink.to(m)[0].text) for m in people}
        assert links["wang@example.cn"].endswith("lang=zh")
        assert links["anna@example.de"].endswith("lang=en")

        # Screenshots before anyone books: zh and en, phone and desktop width.
        for lang, mail in (("zh", "wang@example.cn"), ("en", "anna@example.de")):
            for name, (width, height) in (("phone", (390, 844)), ("desktop", (1280, 800))):
                b = browser(width=width, height=height, lang="zh-CN" if lang == "zh" else "en")
                b.get(links[mail])
                assert len(b.driver.find_elements(By.CSS_SELECTOR, "button.book")) == 2
                b.shot(SHOTS / f"hub_schedule_{lang}_{name}.png")
                b.quit()

        # The invitation e-mails as a phone shows them.
        for lang, mail in (("zh", "wang@example.cn"), ("en", "anna@example.de")):
            page = tmp_path / f"invite-{lang}.html"
            page.write_text(sink.to(mail)[0].html, encoding="utf-8")
            b = browser(width=390, height=844, lang="en")
            b.get(page.as_uri())
            b.shot(SHOTS / f"hub_invite_email_{lang}_phone.png")
            b.quit()

        # A candidate books by clicking on a phone.
        phone = browser(width=390, height=844, lang="zh-CN")
        phone.get(links["wang@example.cn"])
        phone.driver.find_elements(By.CSS_SELECTOR, "button.book")[0].click()
        wait_until(lambda: "预约成功" in phone.driver.page_source, 30, "the booked page")
        assert "10:00" in phone.driver.find_element(By.ID, "booked-when").text
        phone.shot(SHOTS / "hub_schedule_zh_phone_booked.png")
        sink.wait(5)  # confirmations to the candidate and the interviewer

        # Two browsers race for the last slot.
        racers = {
            m: browser(width=390, height=844, lang="en")
            for m in ("anna@example.de", "ben@example.com")
        }
        for mail, b in racers.items():
            b.get(links[mail])
            buttons = b.driver.find_elements(By.CSS_SELECTOR, "button.book")
            assert len(buttons) == 1  # only the last slot is left
        barrier = threading.Barrier(len(racers))
        errors: list[BaseException] = []

        def click(b: Browser) -> None:
            try:
                button = b.driver.find_element(By.CSS_SELECTOR, "button.book")
                barrier.wait()
                button.click()
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)

        threads = [threading.Thread(target=click, args=(b,)) for b in racers.values()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []

        def settled() -> bool:
            texts = [b.driver.page_source for b in racers.values()]
            return all("Booked!" in t or "someone else has just booked" in t for t in texts)

        wait_until(settled, 30, "both racers to get an answer")
        outcome = {
            mail: "won" if "Booked!" in b.driver.page_source else "lost"
            for mail, b in racers.items()
        }
        assert sorted(outcome.values()) == ["lost", "won"], outcome
        loser = racers[next(m for m, o in outcome.items() if o == "lost")]
        notice = loser.driver.find_element(By.ID, "notice").text
        assert notice == "Sorry, someone else has just booked this time. Please choose another one."
        assert loser.driver.find_elements(By.CSS_SELECTOR, "button.book") == []
        loser.shot(SHOTS / "hub_schedule_en_phone_taken.png")
