"""Headless Chromium (Debian's chromium + chromedriver, driven by selenium) for hub web tests.

How to use it:

    from tests.server.browser import chromium

    def test_page(web_hub: HubThread) -> None:          # fixtures from tests/server/conftest.py
        with chromium(width=1280, height=900, lang="zh-CN") as b:
            b.get(web_hub.url + "/web/login")           # b.driver is the selenium WebDriver
            b.driver.find_element(By.NAME, "email").send_keys("hr@x.example")
            b.shot(Path("docs/screenshots/x.png"))      # full-page PNG

or the `browser` fixture (a factory: `b = browser(width=390, height=844, lang="en")`; every
browser it opened is quit at teardown). `lang` sets the UI language and the Accept-Language
header Chromium sends. Nothing is downloaded: selenium-manager is never asked, the binaries are
/usr/bin/chromium and /usr/bin/chromedriver (`.ci/run` installs them). Tests skip with a reason
only when /usr/bin/chromium is absent. On exit the driver is quit, then chromedriver and every
browser process it started are waited for and, if still alive, killed by PID, so nothing leaks.
The `web_hub` fixture (module scope) is the real hub under uvicorn in a thread on a loopback
port 0, on a SQLite file, built with the same code as the sync tests' `hub` fixture.
"""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.hubtools import HubThread, hub_backends

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def available() -> bool:
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


def require_chromium() -> None:
    if not available():
        pytest.skip(
            "Debian's chromium and chromium-driver are not installed "
            "(apt-get install chromium chromium-driver; .ci/run does it)"
        )


def _children(pid: int) -> list[int]:
    """Every descendant of `pid`, read from /proc (no psutil needed)."""
    out: list[int] = []
    todo = [pid]
    while todo:
        cur = todo.pop()
        for task in Path(f"/proc/{cur}/task").glob("*"):
            try:
                kids = [int(x) for x in (task / "children").read_text().split()]
            except OSError:
                continue
            out.extend(kids)
            todo.extend(kids)
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _end(pids: list[int], grace: float = 5.0) -> None:
    deadline = time.monotonic() + grace
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in pids:
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


class Browser:
    """One headless Chromium window and its chromedriver."""

    def __init__(self, width: int, height: int, lang: str) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager must never download
        opts = webdriver.ChromeOptions()
        opts.binary_location = str(CHROMIUM)
        for flag in (
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-sync",
            "--disable-crash-reporter",
            "--disable-breakpad",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--window-size={width},{height}",
            f"--lang={lang}",
        ):
            opts.add_argument(flag)
        opts.add_experimental_option("prefs", {"intl.accept_languages": lang})
        self.service = Service(executable_path=str(CHROMEDRIVER))
        self.driver = webdriver.Chrome(service=self.service, options=opts)
        self.width, self.height = width, height
        assert self.service.process is not None
        self.pid = self.service.process.pid
        self.closed = False
        # Headless Chromium will not make a window narrower than 500 px: phone widths are
        # emulated (layout viewport, touch, mobile user agent flags) through DevTools.
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
        )

    def get(self, url: str) -> None:
        self.driver.get(url)

    def click_through(self, by: str, value: str, timeout: float = 20) -> None:
        """Click the element and wait until the page it leads to has replaced this one.

        The old page is marked on its `window` and the marker is read with one script call
        per poll. Holding an element of the old page instead (selenium's `staleness_of`)
        fails now and then: Chromium answers "Node with given id does not belong to the
        document" while the new page loads, which selenium does not count as stale."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver.execute_script("window.__rtOldPage = true")
        self.driver.find_element(by, value).click()
        WebDriverWait(self.driver, timeout, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script(
                "return window.__rtOldPage !== true && document.readyState === 'complete'"
            )
        )

    def shot(self, path: Path) -> Path:
        """A PNG of the whole page (not just the window), via the DevTools protocol."""
        path.parent.mkdir(parents=True, exist_ok=True)
        metrics: dict[str, Any] = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": max(self.width, int(size["width"])),
                    "height": int(size["height"]),
                    "scale": 1,
                },
            },
        )
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def quit(self) -> None:
        """Quit the browser and end its processes (safe to call twice)."""
        if self.closed:
            return
        self.closed = True
        pids = [self.pid, *_children(self.pid)]
        try:
            self.driver.quit()
        finally:
            _end(pids)


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 900, lang: str = "zh-CN") -> Iterator[Browser]:
    """A headless Chromium that is always quit (and its processes ended by PID)."""
    require_chromium()
    b = Browser(width, height, lang)
    try:
        yield b
    finally:
        b.quit()


@pytest.fixture
def browser() -> Iterator[Callable[..., Browser]]:
    """A factory of browsers: `browser(width=390, height=844, lang="en")`; all quit at teardown."""
    require_chromium()
    opened: list[Browser] = []

    def make(width: int = 1280, height: int = 900, lang: str = "zh-CN") -> Browser:
        b = Browser(width, height, lang)
        opened.append(b)
        return b

    try:
        yield make
    finally:
        for b in opened:
            b.quit()


@pytest.fixture(scope="module")
def web_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubThread]:
    """The real hub on a SQLite file, under uvicorn on a loopback port, for one test module."""
    with hub_backends("sqlite", tmp_path_factory.mktemp("web-hub"), None) as h:
        yield h
