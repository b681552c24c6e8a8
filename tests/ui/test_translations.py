"""Every interface string in app/ui has a Chinese translation in the shipped catalogue."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_no_untranslated_strings(tmp_path: Path) -> None:
    ts = tmp_path / "check.ts"
    shutil.copy(REPO / "resources/translations/roundtwo_zh_CN.ts", ts)
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    sources = sorted(str(p) for p in (REPO / "app/ui").glob("*.py"))
    subprocess.run(
        [str(lupdate), "-silent", *sources, "-ts", str(ts)], check=True, timeout=120, cwd=REPO
    )
    text = ts.read_text(encoding="utf-8")
    missing = text.count('type="unfinished"')
    assert missing == 0, (
        "run `pyside6-lupdate app/ui/*.py -ts resources/translations/"
        f"roundtwo_zh_CN.ts` and translate the {missing} new string(s)"
    )
