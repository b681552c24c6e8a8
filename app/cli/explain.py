"""`roundtwo report explain CANDIDATE --lang zh|en --out FILE.pdf|.json`: the candidate's
explanation export, audited (who exported what, where)."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.core.errors import InvalidInputError


def run_explain(args: argparse.Namespace) -> int:
    from app.context import open_context
    from app.reports.explanation import gather_explanation, write_explanation
    from app.storage import repo

    if not args.candidate:
        raise InvalidInputError("`roundtwo report explain` needs a candidate id or name.")
    out: Path | None = args.out
    if out is None:
        raise InvalidInputError("`roundtwo report explain` needs --out FILE.pdf or FILE.json.")
    with open_context() as ctx:
        lang = args.lang or ("zh" if ctx.settings.language.startswith("zh") else "en")
        with ctx.db.read() as s:
            doc = gather_explanation(
                s, args.candidate, active_profile=ctx.settings.compliance_profile
            )
        write_explanation(doc, out, lang)
        ctx.db.write(
            lambda s: repo.append_audit(
                s,
                ctx.settings.user_name or "local",
                "export-explanation",
                "candidate",
                doc["candidate"]["id"],
                {
                    "interview": doc["interview"]["id"],
                    # The file's hash, not its name: names often carry the candidate's,
                    # and audit rows outlive an erasure (and reach the hub).
                    "sha256": _sha256(out),
                    "format": out.suffix.lower().lstrip("."),
                    "lang": lang,
                },
            )
        )
    print(f"{'说明' if lang == 'zh' else 'Explanation'}: {out}")
    return 0


def _sha256(path: Path) -> str:
    import hashlib

    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
