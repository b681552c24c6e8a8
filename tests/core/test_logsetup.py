from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import REPO


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def test_fatal_crash_leaves_a_traceback_in_the_crash_log(tmp_path: Path) -> None:
    proc = _run(f"""
        import faulthandler
        from pathlib import Path
        from app.core.logsetup import configure_logging
        configure_logging(Path({str(tmp_path)!r}) / "r.log", Path({str(tmp_path)!r}) / "crash.log")
        faulthandler._sigsegv()
    """)
    assert proc.returncode != 0
    crash = (tmp_path / "crash.log").read_text(encoding="utf-8")
    assert "Fatal Python error" in crash
    assert "Segmentation fault" in crash


def test_messages_and_uncaught_exceptions_reach_the_rotating_log(tmp_path: Path) -> None:
    proc = _run(f"""
        import logging, threading
        from pathlib import Path
        from app.core.logsetup import configure_logging
        configure_logging(Path({str(tmp_path)!r}) / "r.log", Path({str(tmp_path)!r}) / "c.log")
        logging.getLogger("x").info("hello 你好")
        t = threading.Thread(target=lambda: 1 / 0, name="worker-7"); t.start(); t.join()
    """)
    assert proc.returncode == 0, proc.stderr
    log = (tmp_path / "r.log").read_text(encoding="utf-8")
    assert "hello 你好" in log
    assert "uncaught exception in thread worker-7" in log and "ZeroDivisionError" in log
