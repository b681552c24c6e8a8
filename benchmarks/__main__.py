"""Run every benchmark module (or those named) and print one JSON document."""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument(
        "names", nargs="*", help="benchmark modules without 'bench_' (default: all)"
    )
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args()
    names = args.names or sorted(p.stem[6:] for p in HERE.glob("bench_*.py"))
    result: dict[str, object] = {
        "machine": {
            "python": platform.python_version(),
            "cpu_count": __import__("os").cpu_count(),
            "platform": platform.platform(),
        },
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "benchmarks": {},
    }
    failed = False
    for name in names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        t0 = time.perf_counter()
        try:
            data = module.run()
        except Exception as exc:
            failed = True
            data = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
        data["wall_s"] = round(time.perf_counter() - t0, 2)
        result["benchmarks"][name] = data  # type: ignore[index]
        print(f"bench {name}: done in {data['wall_s']} s", file=sys.stderr)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
