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
    if args[:1] == ["--self-test"]:
        return _self_test(args[1:])
    from app.cli.main import main as cli_main

    return cli_main(args)


def _self_test(argv: list[str]) -> int:
    """`roundtwo --self-test`: the Qt-free checks plus the GUI's own (offscreen render)."""
    from app.selftest import Check, CheckFailedError, CheckResult, summary
    from app.selftest import main as selftest_main

    def gui_checks() -> list[Check]:
        try:
            from app.ui.selftest import checks
        except ImportError as exc:  # a bundle without Qt still reports, instead of crashing
            message = f"The desktop UI could not be imported ({exc})."

            def broken(_work: object) -> str:
                raise CheckFailedError(message)

            return [Check("render", broken)]
        return checks()

    def report(result: CheckResult) -> None:
        print(result.line(), flush=True)  # noqa: T201

    code, results = selftest_main(argv, extra_checks=gui_checks, report=report)
    print(summary(results), flush=True)  # noqa: T201
    return code


if __name__ == "__main__":
    sys.exit(main())
