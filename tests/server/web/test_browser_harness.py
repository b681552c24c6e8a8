"""The headless-Chromium harness itself: pages from the real hub, the Accept-Language it
sends, phone-width emulation, and no chromedriver/browser process left after it quits."""

from __future__ import annotations

import pytest

from tests.server.browser import _alive, _children, chromium
from tests.server.hubtools import HubThread

pytestmark = pytest.mark.slow


def test_harness_talks_to_the_hub_and_leaves_no_process(web_hub: HubThread) -> None:
    with chromium(width=390, height=844, lang="zh-CN") as b:
        b.get(web_hub.url + "/web/login")
        assert b.driver.execute_script("return window.innerWidth") == 390
        assert "登录" in b.driver.title  # Accept-Language zh-CN picked the Chinese page
        pids = [b.pid, *_children(b.pid)]
        assert len(pids) > 1  # chromedriver and the browser it started
    assert not [p for p in pids if _alive(p)]
