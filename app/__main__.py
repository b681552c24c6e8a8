"""Composition root: `python -m app` / `roundtwo`. `roundtwo gui` starts the desktop app."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["gui"]:
        # Only the composition root may reach into app.ui; the CLI stays Qt-free.
        from app.ui.app import main as gui_main

        return gui_main(args[1:])
    from app.cli.main import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
