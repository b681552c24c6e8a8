"""`roundtwo score ANSWERS.jsonl --job ID --out OUT.json`: typed answers -> suggestions."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from app.core.errors import ErrorKind, InvalidInputError, NotFoundError
from app.core.jobprofile import JobProfile, discover_profiles
from app.core.paths import DataPaths, default_home, resources_dir


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "score",
        help="score typed answers (JSON Lines) against a job: levels, confidence, evidence",
        description=(
            "Each line of ANSWERS is a JSON object with id, question_id, lang (zh|en) and text. "
            "Bad lines are reported on stderr and skipped; the good ones are still scored. "
            "The suggestions are advisory: the interviewers decide."
        ),
    )
    p.add_argument("answers", type=Path, metavar="ANSWERS.jsonl")
    p.add_argument("--job", required=True, metavar="ID", help="job profile id")
    p.add_argument("--out", required=True, type=Path, metavar="OUT.json")
    p.add_argument("--weights", type=Path, default=None, help="calibrated weights (JSON)")
    p.add_argument(
        "--all-competencies",
        action="store_true",
        help="score every competency of the job, not only those the question targets",
    )
    p.set_defaults(handler=run)
    register_calibrate(sub)


def find_profile(job_id: str) -> JobProfile:
    dirs = [resources_dir() / "jobs", DataPaths(default_home()).profiles]
    profiles = {p.id: p for p in discover_profiles(dirs)}
    if job_id not in profiles:
        raise NotFoundError(
            f"Job '{job_id}' is not a known job profile (known: {', '.join(sorted(profiles))})."
        )
    return profiles[job_id]


def run(args: argparse.Namespace) -> int:
    from app.scoring.answers_io import read_answers
    from app.scoring.calibration import job_weights_path
    from app.scoring.live import status_of
    from app.scoring.models import default_models
    from app.scoring.scorer import SCORER_VERSION, Scorer, load_weights

    profile = find_profile(args.job)
    good, problems = read_answers(args.answers, profile)
    for prob in problems:
        print(f"roundtwo: warning: skipped {prob.error().message}", file=sys.stderr)
    models = default_models()
    for note in models.notes:
        print(f"roundtwo: warning: {note}", file=sys.stderr)
    # Calibrated per-job weights (from `calibration.reweight`) live in the data directory.
    wpath = args.weights or job_weights_path(DataPaths(default_home()).home, profile.id)
    weights, per = load_weights(wpath) if args.weights or wpath.is_file() else (None, None)
    scorer = Scorer(profile, models, weights, per)
    results: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    for _line, answer in good:
        keys = [c.id for c in profile.competencies] if args.all_competencies else None
        scored = scorer.score(answer, keys)
        item = scored.to_dict()
        status = status_of(scorer, scored)
        item["missing"], item["probes"] = status.missing, status.probes
        results.append(item)
    doc = {
        "job": profile.id,
        "job_version": profile.version,
        "scorer_version": SCORER_VERSION,
        "advisory": "AI suggestions are advisory; the interviewers decide.",
        "models": [
            {"name": s.name, "available": s.available, "note": s.note} for s in models.statuses
        ],
        "weights": str(wpath) if args.weights or wpath.is_file() else "built-in",
        "answers": results,
        "skipped": [{"line": p.line, "error": p.message} for p in problems],
        "seconds": round(time.perf_counter() - t0, 3),
    }
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_name(args.out.name + ".tmp")
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        tmp.replace(args.out)
    except OSError as exc:
        raise InvalidInputError(
            f"Cannot write {args.out} ({exc.strerror}).", kind=ErrorKind.PERMISSION
        ) from exc
    print(f"scored {len(results)} answer(s) for job {profile.id} -> {args.out}", file=sys.stderr)
    if problems:
        print(
            f"roundtwo: error: {len(problems)} line(s) of {args.answers} were skipped",
            file=sys.stderr,
        )
        return ErrorKind.INVALID_INPUT.exit_code
    return 0


def register_calibrate(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "calibrate",
        help="agreement of AI suggestions with interviewer ratings for a job; re-weight it",
        description=(
            "Compares the stored AI suggestions with the interviewers' final levels over every "
            "interview of the job: Spearman, ICC(2,1), exact and adjacent agreement per "
            "competency. With --write, saves per-competency weights that `roundtwo score` uses."
        ),
    )
    p.add_argument("--job", required=True, metavar="ID")
    p.add_argument("--write", action="store_true", help="save re-weighted scoring for the job")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_calibrate)


def run_calibrate(args: argparse.Namespace) -> int:
    from sqlmodel import col, select

    from app.context import open_context
    from app.scoring.calibration import (
        calibration_report,
        job_weights_path,
        reweight,
        save_weights,
    )
    from app.scoring.scorer import Weights
    from app.scoring.session import rating_pairs
    from app.storage import repo
    from app.storage.tables import InterviewSession

    with open_context() as ctx:
        with ctx.db.read() as s:
            job = repo.get_job(s, args.job)
            ids = list(
                s.exec(
                    select(InterviewSession.id).where(col(InterviewSession.job_id) == job.id)
                ).all()
            )
            pairs = rating_pairs(s, ids)
        if not pairs:
            raise NotFoundError(
                f"No interview of job {args.job} has both AI suggestions and interviewer "
                "ratings yet, so there is nothing to calibrate."
            )
        report = calibration_report(pairs)
        written = None
        if args.write:
            written = job_weights_path(ctx.paths.home, job.slug)
            save_weights(written, Weights(), reweight(pairs))
    if args.json:
        doc = {
            "job": args.job,
            "pairs": len(pairs),
            "agreement": {k: a.to_dict() for k, a in report.items()},
            "weights_file": str(written) if written else None,
        }
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:

        def fmt(x: float | None) -> str:
            return "   —" if x is None else f"{x:5.2f}"

        print(f"{'competency':24} {'n':>4} {'rho':>6} {'ICC':>6} {'exact':>6} {'±1':>6}")
        for k, a in report.items():
            print(
                f"{k:24} {a.n:4d} {fmt(a.spearman):>6} {fmt(a.icc):>6} "
                f"{a.exact:6.0%} {a.adjacent:6.0%}"
            )
        if written:
            print(f"re-weighted scoring saved to {written}")
    return 0
