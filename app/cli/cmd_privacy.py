"""`roundtwo privacy ...`: erase a candidate, retention timers, audit log verify and export."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from app.core.errors import DataDirError, InvalidInputError, NotFoundError

# The store and its dependencies are imported inside the handlers: building the parser
# (every `roundtwo` call, `--help` included) must stay fast.


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "privacy", help="erase candidates, retention timers, audit log"
    )
    ps = p.add_subparsers(dest="privacy_command", metavar="SUBCOMMAND", required=True)
    d = ps.add_parser("delete", help="erase a candidate from this laptop (tombstones sync)")
    d.add_argument("candidate", help="candidate id, or an exact name")
    d.add_argument("--reason", default="deletion request")
    d.add_argument("--yes", action="store_true", help="do not ask")
    d.set_defaults(handler=_delete)
    s = ps.add_parser("sweep", help="apply the compliance profile's retention periods")
    s.add_argument("--dry-run", action="store_true")
    s.set_defaults(handler=_sweep)
    v = ps.add_parser("audit-verify", help="check the audit log's hash chain")
    v.set_defaults(handler=_verify)
    e = ps.add_parser("audit-export", help="write the audit log as JSON lines")
    e.add_argument("out", type=Path)
    e.set_defaults(handler=_export)
    pr = ps.add_parser(
        "profile", help="show the compliance profile; --set changes it (administrators only)"
    )
    pr.add_argument("--set", dest="set_to", default=None, metavar="ID")
    pr.set_defaults(handler=_profile)
    from app.cli.privacy_keys import register_keys  # encryption at rest (issue 11)

    register_keys(ps)


def _find(s: Any, ref: str) -> uuid.UUID:
    from sqlmodel import select

    from app.storage.tables import Candidate

    try:
        cid = uuid.UUID(ref)
    except ValueError:
        rows = s.exec(select(Candidate).where(Candidate.name == ref)).all()
        if len(rows) > 1:
            raise InvalidInputError(
                f"{len(rows)} candidates are called '{ref}'; give the id instead."
            ) from None
        if not rows:
            raise NotFoundError(f"No candidate called '{ref}'.") from None
        found: uuid.UUID = rows[0].id
        return found
    if s.get(Candidate, cid) is None:
        raise NotFoundError(f"No candidate {cid} on this laptop.")
    return cid


def _delete(args: argparse.Namespace) -> int:
    from app.context import open_context
    from app.storage.deletion import delete_candidate

    with open_context() as ctx:
        with ctx.db.read() as s:
            cid = _find(s, args.candidate)
        if not args.yes:
            raise InvalidInputError("Erasing cannot be undone: add --yes to confirm.")
        rep = delete_candidate(
            ctx.db, cid, by=ctx.settings.user_name or "local", reason=args.reason
        )
        print(json.dumps(rep.as_dict(), ensure_ascii=False, indent=2))
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from app.context import open_context
    from app.core.compliance import load_compliance_profile
    from app.storage.retention import sweep

    with open_context() as ctx:
        profile = load_compliance_profile(ctx.settings.compliance_profile)
        rep = sweep(ctx.db, profile, now=dt.datetime.now(dt.UTC), dry_run=args.dry_run)
        print(json.dumps(rep.as_dict(), ensure_ascii=False, indent=2))
    return 0


def _verify(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from app.context import open_context
    from app.storage import repo
    from app.storage.tables import AuditLog

    with open_context() as ctx, ctx.db.read() as s:
        bad = repo.verify_audit(s)
        total = len(s.exec(select(AuditLog)).all())
    if bad:
        print(f"audit log: {len(bad)} of {total} entries fail the hash chain: seq {bad[:20]}")
        return 1
    print(f"audit log: {total} entries, chain intact")
    return 0


def _export(args: argparse.Namespace) -> int:
    from sqlmodel import col, select

    from app.context import open_context
    from app.storage import repo
    from app.storage.tables import AuditLog

    with open_context() as ctx, ctx.db.read() as s:
        rows = s.exec(select(AuditLog).order_by(col(AuditLog.seq))).all()
        try:
            with args.out.open("w", encoding="utf-8") as f:
                for r in rows:
                    f.write(json.dumps(r.model_dump(mode="json"), ensure_ascii=False) + "\n")
        except OSError as exc:
            raise DataDirError(f"Cannot write {args.out} ({exc.strerror}).") from exc
        ctx.db.write(
            lambda w: repo.append_audit(
                w,
                ctx.settings.user_name or "local",
                "export",
                "auditlog",
                None,
                {"file": str(args.out)},
            )
        )
    print(f"{len(rows)} audit entries written to {args.out}")
    return 0


def _profile(args: argparse.Namespace) -> int:
    from app.core.paths import prepare_home
    from app.sync.orgprofile import active_profile, change_profile, org_lock

    home = prepare_home().home
    if args.set_to is not None:
        prof = change_profile(home, args.set_to)
        lock = org_lock(home)
        print(f"compliance profile: {prof.id} (version {prof.version})")
        if lock is not None and lock.get("profile_id") != prof.id:
            print(
                f"note: the organisation chose '{lock.get('profile_id')}' on the hub; "
                "the next sync restores it"
            )
        return 0
    prof = active_profile(home)
    lock = org_lock(home)
    origin = f"set by the hub, revision {lock.get('revision')}" if lock else "local"
    print(f"compliance profile: {prof.id} (version {prof.version}, {origin})")
    return 0
