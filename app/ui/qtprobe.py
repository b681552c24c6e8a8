"""`python -m app.ui.qtprobe`: start Qt once and report what it found (used by `doctor`)."""

from __future__ import annotations

import json
import sys


def main() -> int:
    from PySide6 import QtCore
    from PySide6.QtGui import QFontDatabase, QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    info = {
        "qt": QtCore.qVersion(),
        "platform": QGuiApplication.platformName(),
        "cjk_fonts": list(families),
    }
    print(json.dumps(info, ensure_ascii=False))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
