"""`roundtwo report SESSION [--pdf OUT] [--json OUT]`: the interview report from the CLI."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "report", help="an interview's report as text, PDF and/or JSON"
    )
    p.add_argument(
        "session", metavar="SESSION", help="interview id, or 'latest' (or 'explain', see below)"
    )
    p.add_argument(
        "candidate",
        nargs="?",
        default=None,
        metavar="CANDIDATE",
        help="`report explain CANDIDATE --out FILE`: the candidate's explanation (id or name)",
    )
    p.add_argument("--out", type=Path, default=None, help="explain: the .pdf or .json to write")
    p.add_argument("--pdf", type=Path, default=None, help="write the PDF here")
    p.add_argument("--json", type=Path, default=None, help="write the JSON here")
    p.add_argument("--lang", choices=["zh", "en"], default=None)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.session == "explain":
        from app.cli.explain import run_explain

        return run_explain(args)
    # Imported here: building the parser must stay fast (matplotlib and reportlab are not).
    from app.context import open_context
    from app.reports.pdf import gather, resolve_session, write_json, write_pdf
    from app.reports.summary import render_text
    from app.storage import repo

    with open_context() as ctx:
        lang = args.lang or ("zh" if ctx.settings.language.startswith("zh") else "en")
        with ctx.db.read() as s:
            sid = resolve_session(s, args.session)
            data = gather(s, sid)
        if args.pdf:
            write_pdf(data, args.pdf, lang)
            print(f"PDF: {args.pdf}")
        if args.json:
            write_json(data, args.json)
            print(f"JSON: {args.json}")
        if not args.pdf and not args.json:
            for line in render_text(data.summary, lang):
                print(line)
        # Format and hash of each file, not its name (names often carry the candidate's,
        # and audit rows outlive an erasure and reach the hub).
        exported = [
            {"format": x.suffix.lower().lstrip("."), "sha256": _sha256(x)}
            for x in (args.pdf, args.json)
            if x
        ]
        ctx.db.write(
            lambda s: repo.append_audit(
                s,
                ctx.settings.user_name or "local",
                "export" if exported else "view",
                "interviewsession",
                str(sid),
                {"files": exported},
            )
        )
        return 0


def _sha256(path: Path) -> str:
    import hashlib

    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
