"""`roundtwo analyze VIDEO --out DIR`: run the analysis pipeline on a recorded interview."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from app.core.errors import InvalidInputError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "analyze", help="analyse a recorded interview video (faces, voice, transcript)"
    )
    p.add_argument("video", type=Path, metavar="VIDEO")
    p.add_argument("--job", default=None, metavar="ID", help="job profile id (recorded as is)")
    p.add_argument("--lang", choices=["auto", "zh", "en"], default="auto")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--face-rate", type=float, default=10.0, help="analysed frames per second")
    p.add_argument("--beam", type=int, default=5, help="Whisper beam size (1 = greedy, faster)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_analyze)


class _Bar:
    """A progress bar on stderr: redrawn in place on a terminal, a line per 10 % otherwise
    (so logs and CI output stay readable)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.t0 = time.monotonic()
        self._last = -1

    def __call__(self, frac: float, stage: str) -> None:
        if not self.enabled:
            return
        pct = int(frac * 100)
        if not self.tty:
            pct = pct // 10 * 10
        if pct == self._last:
            return
        self._last = pct
        filled = pct * 30 // 100
        bar = "#" * filled + "-" * (30 - filled)
        elapsed = time.monotonic() - self.t0
        line = f"analysing [{bar}] {pct:3d}% {stage:<6} {elapsed:5.1f}s"
        sys.stderr.write(f"\r{line}" if self.tty else f"{line}\n")
        if pct >= 100 and self.tty:
            sys.stderr.write("\n")
        sys.stderr.flush()


def cmd_analyze(args: argparse.Namespace) -> int:
    from app.pipeline.batch import analyse_video

    if args.face_rate <= 0:
        raise InvalidInputError("--face-rate must be a positive number of frames per second.")
    out_dir: Path = args.out
    if out_dir.exists() and not out_dir.is_dir():
        raise InvalidInputError(f"--out {out_dir} is a file, not a folder.")
    bar = _Bar(enabled=not args.quiet)
    result = analyse_video(
        args.video,
        lang=args.lang,
        face_rate_hz=args.face_rate,
        progress=bar,
        beam_size=max(1, args.beam),
    )
    result["job"] = args.job
    result["lang"] = args.lang
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "analysis.json"
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(target)
    for name, reason in result.get("unavailable", {}).items():
        print(f"roundtwo: warning: {name} unavailable: {reason}", file=sys.stderr)
    t = result["timings"]
    print(
        f"wrote {target}: {len(result['transcript'])} transcript segments, "
        f"face visible {result['summary']['face_visible_ratio']:.0%}, "
        f"{t['total_s']:.1f}s for {t['media_duration_s']:.1f}s of media"
    )
    return 0
