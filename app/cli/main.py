"""Argument parsing and dispatch; every error ends as one clear line and an exit code."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

from app import __version__
from app.core.errors import DependencyError, ErrorKind, RoundTwoError
from app.core.paths import HOME_ENV

log = logging.getLogger("roundtwo.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="roundtwo",
        description="RoundTwo (二面): structured second-round interviews, offline-first.",
    )
    parser.add_argument("--version", action="version", version=f"roundtwo {__version__}")
    parser.add_argument(
        "--home",
        type=Path,
        default=None,
        help=f"data directory (default: ${HOME_ENV} or the per-user data directory)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    jobs = sub.add_parser("jobs", help="job profiles (competency models and question guides)")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", metavar="SUBCOMMAND", required=True)
    jl = jobs_sub.add_parser("list", help="list job profiles")
    jl.add_argument("--lang", choices=["zh", "en"], default=None)
    jl.add_argument("--json", action="store_true", help="machine-readable, both languages")
    js = jobs_sub.add_parser("show", help="show one job profile")
    js.add_argument("job_id", metavar="ID")
    js.add_argument("--lang", choices=["zh", "en"], default=None)
    js.add_argument("--json", action="store_true")
    jd = jobs_sub.add_parser(
        "drafts",
        help="draft profiles for imported job rows no profile matches (for a person to review)",
    )
    jd.add_argument(
        "--out", type=Path, default=None, help="folder (default: the profiles folder's drafts/)"
    )

    db = sub.add_parser("db", help="the local database")
    db_sub = db.add_subparsers(dest="db_command", metavar="SUBCOMMAND", required=True)
    db_sub.add_parser("upgrade", help="apply pending schema migrations")
    db_sub.add_parser("status", help="show the schema revision and table counts")

    doc = sub.add_parser("doctor", help="check this machine: Python, Qt, devices, models, disk")
    doc.add_argument("--json", action="store_true")

    sub.add_parser("gui", help="start the desktop app (roundtwo gui --help for its options)")

    demo = sub.add_parser("demo", help="load the bundled sample interview and print its report")
    demo.add_argument("--lang", choices=["zh", "en"], default=None)

    # Each capability adds its commands in its own module `app/cli/cmd_*.py`, which defines
    # `register(subparsers)` and sets `handler` on its parsers (no central list to edit).
    # A broken plug-in must not take the other commands down with it.
    for info in sorted(pkgutil.iter_modules(_cli_path()), key=_name):
        if not info.name.startswith("cmd_"):
            continue
        try:
            importlib.import_module(f"app.cli.{info.name}").register(sub)
        except Exception as exc:
            log.debug("command module %s failed to load", info.name, exc_info=True)
            name = info.name[4:]
            broken = sub.add_parser(name, help=f"(unavailable: {type(exc).__name__})")
            broken.add_argument("rest", nargs=argparse.REMAINDER)
            broken.set_defaults(handler=_unavailable(name, exc))
    return parser


def _unavailable(name: str, exc: Exception):  # type: ignore[no-untyped-def]
    def handler(_args: argparse.Namespace) -> int:
        raise DependencyError(f"The '{name}' command could not be loaded ({exc}).")

    return handler


def _cli_path() -> list[str]:
    import app.cli

    return list(app.cli.__path__)


def _name(info: pkgutil.ModuleInfo) -> str:
    return info.name


def run(args: argparse.Namespace) -> int:
    from app.cli import commands

    handler = getattr(args, "handler", None)
    if handler is not None:
        result: int = handler(args)
        return result
    if args.command == "jobs":
        return commands.jobs(args)
    if args.command == "db":
        return commands.db(args)
    if args.command == "doctor":
        return commands.doctor(args)
    if args.command == "demo":
        return commands.demo(args)
    build_parser().print_help()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.home is not None:
        os.environ[HOME_ENV] = str(args.home)
    try:
        return run(args)
    except RoundTwoError as exc:
        print(f"roundtwo: error: {exc.user_message()}", file=sys.stderr)
        return exc.kind.exit_code
    except KeyboardInterrupt:
        print("roundtwo: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        log.exception("internal error")
        print(
            f"roundtwo: internal error: {type(exc).__name__}: {exc} "
            "(the details are in the log file; please report it)",
            file=sys.stderr,
        )
        return ErrorKind.INTERNAL.exit_code
