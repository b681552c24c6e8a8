"""`roundtwo sync` and `roundtwo enroll`: exchange changes with the hub, enrol this laptop."""

from __future__ import annotations

import argparse
import json
import platform
import sys

from app.core.errors import InvalidInputError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sync = sub.add_parser("sync", help="send queued changes to the hub and fetch its changes")
    sync.add_argument(
        "--hub", default=None, help="hub URL (default: the one this laptop enrolled with)"
    )
    sync.add_argument("--json", action="store_true", help="print the result as JSON")
    sync.add_argument("--no-progress", action="store_true")
    sync.set_defaults(handler=sync_cmd)

    enroll = sub.add_parser("enroll", help="enrol this laptop with a hub using a one-time code")
    enroll.add_argument("--hub", required=True, help="hub URL, e.g. https://hub.example.com")
    enroll.add_argument("--code", required=True, help="the one-time code from an administrator")
    enroll.add_argument("--name", default=None, help="device name (default: this computer's)")
    enroll.set_defaults(handler=enroll_cmd)


def enroll_cmd(args: argparse.Namespace) -> int:
    from app.core.paths import prepare_home
    from app.sync.client import CredentialStore, HubClient

    paths = prepare_home()
    with HubClient(args.hub, store=CredentialStore(paths.home)) as client:
        client.health()
        creds = client.enrol(args.code, args.name or platform.node() or "laptop")
    print(f"enrolled with {creds.hub_url} as device {creds.device_id} (role {creds.role})")
    return 0


def sync_cmd(args: argparse.Namespace) -> int:
    from app.context import open_context
    from app.sync.client import CredentialStore, HubClient
    from app.sync.engine import Syncer

    show = not args.no_progress and not args.json

    def progress(phase: str, done: int, total: int) -> None:
        if show:
            of = f"/{total}" if total else ""
            print(f"\r{phase}: {done}{of}   ", end="", file=sys.stderr, flush=True)

    with open_context() as ctx:
        store = CredentialStore(ctx.paths.home)
        creds = store.load(args.hub) if args.hub else store.only()
        url = args.hub or (creds.hub_url if creds else None)
        if url is None:
            raise InvalidInputError(
                "This laptop is not enrolled with a hub (or with several: name one).",
                hint="Run `roundtwo enroll --hub URL --code CODE`, or pass --hub URL.",
            )
        with HubClient(url, credentials=creds, store=store) as client:
            report = Syncer(ctx.db, client, progress=progress, home=ctx.paths.home).run()
    if show:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    else:
        print(
            f"synced with {report.hub_url}: {report.pushed} sent, {report.pulled} received, "
            f"{report.superseded} overruled by deletions, {report.pending} still queued"
        )
    if report.erased and not args.json:
        print(f"erased {report.erased} candidate(s) here, as the hub asked")
    for r in report.rejected:
        print(
            f"roundtwo: warning: the hub refused {r.entity} {r.entity_id}: {r.error} "
            "(kept on this laptop, marked rejected)",
            file=sys.stderr,
        )
    for skipped in report.skipped:
        print(
            f"roundtwo: warning: a hub change could not be stored here: {skipped}", file=sys.stderr
        )
    if report.sanity_ok is False:
        print(
            "roundtwo: warning: after sync this laptop and the hub disagree about "
            f"{', '.join(report.mismatched)}; run `roundtwo sync` again or contact IT",
            file=sys.stderr,
        )
    if report.audit_error:
        print(
            f"roundtwo: warning: the hub did not take this laptop's audit log: "
            f"{report.audit_error} (the log stays here; contact IT)",
            file=sys.stderr,
        )
    return InvalidInputError.kind.exit_code if report.rejected or report.audit_error else 0
