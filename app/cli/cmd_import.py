"""`roundtwo import`: legacy Excel/CSV/ATS files into the store, with a JSON report."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from app.core.errors import InvalidInputError

# The same tuple as app.migrate.mapping.ENTITIES (a test keeps them equal), written out so
# building the parser for every roundtwo command does not import the migration package.
ENTITIES = ("candidates", "jobs", "interviews", "training")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "import",
        help="import legacy candidates, jobs, interviews or training records from a file",
        description="Reads .xlsx/.xls/.csv/.tsv/.json, maps columns, cleans values, "
        "de-duplicates (also against the store) and writes everything in one transaction.",
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--entity", choices=ENTITIES, required=True)
    p.add_argument("--mapping", type=Path, default=None, help="a saved mapping file (JSON)")
    p.add_argument(
        "--save-mapping",
        type=Path,
        default=None,
        help="write the mapping used to this file, for review and reuse",
    )
    p.add_argument("--dry-run", action="store_true", help="report only; change nothing")
    p.add_argument("--report", type=Path, required=True, metavar="OUT.json")
    p.add_argument(
        "--rejects",
        type=Path,
        default=None,
        metavar="OUT.csv|OUT.xlsx",
        help="also export the rejected rows (formula-safe)",
    )
    p.set_defaults(handler=run)


class _Bar:
    """A one-line progress bar on stderr (a line per stage when stderr is not a terminal)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.stage = ""
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self.stage and now - self.last < 0.2 and done < total:
            return
        new_stage = stage != self.stage
        self.stage, self.last = stage, now
        pct = 100 * done // total if total else 100
        if self.tty:
            filled = pct // 5
            sys.stderr.write(f"\r{stage:<9} [{'#' * filled}{'.' * (20 - filled)}] {pct:3d}%")
            if stage == "done":
                sys.stderr.write("\n")
        elif new_stage or done >= total:
            sys.stderr.write(f"{stage} {done}/{total}\n")
        sys.stderr.flush()


MEMORY_ENV = "ROUNDTWO_IMPORT_MEMORY_MB"
DEFAULT_MEMORY_MB = 4096


def _cap_memory() -> int | None:
    """Cap this process's private memory (RLIMIT_DATA) so a hostile file ends in a reported
    MemoryError rather than the machine swapping; a lower existing limit is kept. Unlike
    RLIMIT_AS it ignores shared libraries and SQLite's file mappings. Linux/macOS only."""
    try:
        import resource
    except ImportError:  # Windows: the size and ratio checks still apply
        return None
    mb = int(os.environ.get(MEMORY_ENV, DEFAULT_MEMORY_MB))
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    cap = mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft == resource.RLIM_INFINITY or soft > cap:
        resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))
    return mb


def run(args: argparse.Namespace) -> int:
    # Load the libraries first: the cap is for the data, and a shared library that cannot
    # be mapped under it would fail as an ImportError instead of a clean MemoryError.
    import app.migrate.importer  # noqa: F401

    mb = int(os.environ.get(MEMORY_ENV, DEFAULT_MEMORY_MB))
    try:
        return _run(args)
    except (MemoryError, RuntimeError) as exc:
        # Under the cap a thread's stack may be what fails to allocate first.
        if isinstance(exc, RuntimeError) and "can't start new thread" not in str(exc):
            raise
        raise InvalidInputError(
            f"Importing {args.file.name} needed more memory than the {mb} MB cap allows.",
            hint=f"Split the file, or raise {MEMORY_ENV}.",
        ) from exc


def _run(args: argparse.Namespace) -> int:
    from app.context import open_context
    from app.migrate.export import export_rows
    from app.migrate.importer import import_file
    from app.migrate.mapping import load_mapping, to_mapping_file

    mapping = load_mapping(args.mapping) if args.mapping else None
    with open_context() as ctx:
        # The cap is for the data: settings, key and database are open before it applies
        # (an allocation failing inside a Rust extension aborts instead of raising).
        _cap_memory()
        report = import_file(
            ctx.db,
            args.file,
            args.entity,
            mapping=mapping,
            dry_run=args.dry_run,
            progress=_Bar(),
        )
    report.save(args.report)
    if args.save_mapping and report.sheets:
        from app.migrate.mapping import ColumnSuggestion

        cols = [
            ColumnSuggestion(c["index"], c["header"], c["field"], c["confidence"])
            for c in report.sheets[0].columns
        ]
        to_mapping_file(args.entity, cols).save(args.save_mapping)
    if args.rejects:
        export_rows(args.rejects, report.REJECT_HEADER, report.reject_rows())
    c = report.counts
    verb = "would import" if args.dry_run else "imported"
    print(
        f"{args.file.name}: read {c.get('read', 0)}, {verb} {c.get('imported', 0)} "
        f"({c.get('created', 0)} new, {c.get('merged', 0)} merged), rejected "
        f"{c.get('rejected', 0)}, unchanged {c.get('unchanged', 0)}, to review "
        f"{c.get('review', 0)}; report: {args.report}"
    )
    if "linked" in c:
        print(
            f"  linked to stored candidates: {c['linked']}; not linked: {c['unlinked']} "
            "(listed under 'unlinked' in the report)"
        )
    if report.unknown_jobs:
        titles = ", ".join(j["title"] for j in report.unknown_jobs[:5])
        more = len(report.unknown_jobs) - 5
        print(
            f"  job titles no profile has: {titles}"
            + (f" and {more} more" if more > 0 else "")
            + " (listed under 'unknown_jobs')"
        )
    if c.get("relinked"):
        print(f"  rows of earlier imports linked now: {c['relinked']}")
    return 0
