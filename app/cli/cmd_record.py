"""`roundtwo record` and `roundtwo recordings list`: capture from the command line, find crashes."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from types import FrameType
from typing import Any

from app.core.errors import InvalidInputError, RoundTwoError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    rec = sub.add_parser(
        "record",
        help="record camera + microphone into a crash-tolerant file",
        description="Record until --seconds pass or Ctrl+C / SIGTERM; a crash leaves a "
        "playable file that the next start lists as interrupted.",
    )
    rec.add_argument(
        "--camera", required=True, metavar="FILE_OR_INDEX", help="device index or video file/URL"
    )
    rec.add_argument("--loop", action="store_true", help="loop a camera file")
    rec.add_argument("--width", type=int, default=None)
    rec.add_argument("--height", type=int, default=None)
    rec.add_argument("--fps", type=float, default=None)
    mic = rec.add_mutually_exclusive_group()
    mic.add_argument("--mic", default=None, metavar="DEVICE", help="input index or name part")
    mic.add_argument("--no-mic", action="store_true", help="record video only")
    rec.add_argument("--seconds", type=float, default=None, help="stop after this long")
    rec.add_argument("--out", type=Path, default=None, help="folder (default: data dir)")
    rec.add_argument(
        "--session", default=None, metavar="UUID", help="interview session row to link"
    )
    rec.add_argument("--container", choices=["mp4", "matroska"], default="mp4")
    rec.add_argument(
        "--preset", default="auto", help="x264 preset (auto: superfast up to 480p, ultrafast above)"
    )
    rec.add_argument("--reserve-mb", type=float, default=100.0, help="stop when less is free")
    rec.add_argument(
        "--no-disk-guard",
        action="store_true",
        help="write until the disk itself refuses (to test the full-disk path)",
    )
    rec.add_argument(
        "--mark-every", type=float, default=None, metavar="S", help="add a marker every S seconds"
    )
    rec.add_argument("--json", action="store_true", help="print the result as JSON")
    rec.set_defaults(handler=record)

    recs = sub.add_parser("recordings", help="recordings on this computer")
    recs_sub = recs.add_subparsers(dest="recordings_command", metavar="SUBCOMMAND", required=True)
    ls = recs_sub.add_parser(
        "list",
        help="list recordings; ones left by a crash become interrupted",
        description="List recordings. A recording whose process died (crash, power cut, "
        "kill -9) is probed, marked interrupted and kept: it plays up to its last second.",
    )
    ls.add_argument("--dir", type=Path, default=None, help="folder (default: data dir + database)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=list_recordings)


def _err(line: str) -> None:
    print(f"roundtwo: {line}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def record(args: argparse.Namespace) -> int:
    from app.capture.camera import CameraSource
    from app.capture.microphone import MicSource
    from app.capture.session import CaptureSession
    from app.capture.store import recover
    from app.core.paths import prepare_home

    session_id: uuid.UUID | None = None
    if args.session:
        try:
            session_id = uuid.UUID(args.session)
        except ValueError as exc:
            raise InvalidInputError(f"--session {args.session!r} is not a UUID.") from exc
    with contextlib.ExitStack() as stack:
        db = None
        if session_id is not None:
            from app.context import open_context

            ctx = stack.enter_context(open_context())
            db = ctx.db
            out: Path = args.out or ctx.paths.recordings
            settings, settings_path = ctx.settings, ctx.paths.settings
        else:
            from app.core.logsetup import configure_logging
            from app.core.settings import load_settings

            paths = prepare_home(None)
            configure_logging(paths.log_file, paths.crash_log)
            out = args.out or paths.recordings
            settings, settings_path = load_settings(paths.settings), paths.settings
        # Encryption at rest: no key (no keychain, no passphrase) refuses before any file.
        key = _recording_key(settings, settings_path)
        for entry in recover(out, db):
            if entry.recovered:
                _err(
                    f"note: the recording {entry.path} was interrupted by a crash; "
                    f"{entry.duration_s or 0:.1f} s are playable."
                )
        camera = CameraSource(
            args.camera, width=args.width, height=args.height, fps=args.fps, loop=args.loop
        )
        mic = None if args.no_mic else MicSource(args.mic)
        session = CaptureSession(
            camera,
            mic,
            out,
            db=db,
            session_id=session_id,
            container=args.container,
            preset=args.preset,
            reserve_bytes=int(args.reserve_mb * 1e6),
            disk_guard=not args.no_disk_guard,
            on_warning=lambda m: _err(f"warning: {m}"),
            key=key,
        )
        stop = threading.Event()
        with _stop_on_signals(stop):
            session.start()
            assert session.recorder is not None
            # With --json, stdout holds only the JSON document.
            print(
                f"recording to {session.recorder.path}",
                file=sys.stderr if args.json else sys.stdout,
                flush=True,
            )
            try:
                _wait(session, stop, args)
            finally:
                result = session.stop()
        assert result is not None
        stats = session.stats()
        problems = [p for p in stats.problems if not p.startswith("Only about")]
        if args.json:
            print(
                json.dumps(
                    {
                        "id": result.id,
                        "path": str(result.path),
                        "status": result.status,
                        "duration_s": result.duration_s,
                        "markers": result.markers,
                        "stats": asdict(stats),
                        "error": result.error.message if result.error else None,
                    },
                    ensure_ascii=False,
                    indent=1,
                )
            )
        else:
            print(
                f"{result.status}: {result.path} ({result.duration_s:.1f} s, "
                f"{stats.frames_written} frames, {stats.dropped_frames} dropped, "
                f"{stats.audio_overruns} audio overruns, A/V offset {stats.av_offset_ms:+.0f} ms)"
            )
        if result.error is not None:
            raise result.error
        if camera.state == "failed" and camera.error is not None:
            raise RoundTwoError(
                f"{camera.error.message} The recording so far is saved in {result.path}.",
                kind=camera.error.kind,
            )
        if problems:
            _err("warning: " + " ".join(problems))
        return 0


def _recording_key(settings: Any, settings_path: Path) -> Any:
    from app.security.keys import PASSPHRASE_ENV, recording_key

    passphrase = os.environ.get(PASSPHRASE_ENV)
    if settings.recording_encryption == "passphrase" and passphrase is None and sys.stdin.isatty():
        passphrase = getpass.getpass("Recording passphrase: ")
    return recording_key(settings, settings_path, passphrase=passphrase)


def _wait(session: Any, stop: threading.Event, args: argparse.Namespace) -> None:
    started = time.monotonic()
    next_mark = args.mark_every
    n = 0
    while not stop.wait(0.05):
        elapsed = time.monotonic() - started
        if args.seconds is not None and elapsed >= args.seconds:
            break
        if not session.recording:  # the recorder stopped itself (disk full, write error)
            break
        if session.camera.state in ("failed", "ended"):
            break
        if next_mark is not None and elapsed >= next_mark:
            n += 1
            session.mark(f"question {n}", question=n)
            next_mark += args.mark_every


def list_recordings(args: argparse.Namespace) -> int:
    from app.capture.store import recover

    if args.dir is not None:
        from app.core.logsetup import configure_logging
        from app.core.paths import prepare_home

        paths = prepare_home(None)
        configure_logging(paths.log_file, paths.crash_log)
        entries = recover(args.dir)
    else:
        from app.context import open_context

        with open_context() as ctx:
            entries = recover(ctx.paths.recordings, ctx.db)
    if args.json:
        print(
            json.dumps(
                [{**asdict(e), "path": str(e.path)} for e in entries],
                ensure_ascii=False,
                indent=1,
            )
        )
        return 0
    for e in entries:
        dur = f"{e.duration_s:7.1f} s" if e.duration_s is not None else "      ? s"
        print(f"{e.status:12} {dur}  {e.markers:3} markers  {e.path}")
        if e.error:
            print(f"{'':12} {e.error}")
    if not entries:
        print("no recordings")
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m app.cli.cmd_record record ...`: the same commands without loading the
    other CLI modules (a quick start for scripts and the crash tests)."""
    parser = argparse.ArgumentParser(prog="roundtwo")
    register(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except RoundTwoError as exc:
        _err(f"error: {exc.user_message()}")
        return exc.kind.exit_code
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
