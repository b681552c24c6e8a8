"""The command implementations; each returns an exit code and prints for a person or JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from sqlalchemy import text

from app import __version__
from app.context import AppContext, open_context
from app.core.errors import RoundTwoError
from app.core.jobprofile import JobProfile
from app.core.paths import default_home
from app.storage import migrate, repo


def _out(line: str = "") -> None:
    print(line)


def _warn_profiles(ctx: AppContext) -> int:
    for problem in ctx.profile_problems:
        print(f"roundtwo: warning: skipped a job profile: {problem.message}", file=sys.stderr)
    return ctx.profile_problems[0].kind.exit_code if ctx.profile_problems else 0


def _lang(args: argparse.Namespace, ctx: AppContext) -> str:
    lang: str | None = getattr(args, "lang", None)
    return lang or ("zh" if ctx.settings.language.startswith("zh") else "en")


# --- jobs -------------------------------------------------------------------------------------


def _job_summary(profile: JobProfile, source: str) -> dict[str, Any]:
    return {
        "id": profile.id,
        "version": profile.version,
        "source": source,
        "title": profile.title.model_dump(),
        "department": profile.department.model_dump(),
        "match_threshold": profile.match_threshold,
        "career_track": profile.career_track.value,
        "competencies": [
            {
                "id": c.id,
                "category": c.category.value,
                "name": c.name.model_dump(),
                "weight": c.weight,
                "required_level": c.required_level,
            }
            for c in profile.competencies
        ],
        "questions": len(profile.questions),
    }


def jobs(args: argparse.Namespace) -> int:
    if args.jobs_command == "drafts":
        return _job_drafts(args)
    with open_context() as ctx:
        lang = _lang(args, ctx)
        with ctx.db.read() as s:
            if args.jobs_command == "list":
                rows = [(repo.job_profile(j), j.source) for j in repo.list_jobs(s)]
                if args.json:
                    _out(
                        json.dumps(
                            [_job_summary(p, src) for p, src in rows], ensure_ascii=False, indent=2
                        )
                    )
                else:
                    for p, _src in rows:
                        comps = ", ".join(
                            f"{c.name.get(lang)} ≥{c.required_level}" for c in p.competencies
                        )
                        _out(f"{p.id:28} {p.title.get(lang)}")
                        _out(f"{'':28} {comps}")
                return _warn_profiles(ctx)
            job = repo.get_job(s, args.job_id)
            profile = repo.job_profile(job)
        if args.json:
            _out(json.dumps(profile.model_dump(mode="json"), ensure_ascii=False, indent=2))
        else:
            _print_profile(profile, lang)
        return _warn_profiles(ctx)


def _job_drafts(args: argparse.Namespace) -> int:
    from app.migrate.jobdrafts import make_drafts

    with open_context() as ctx:
        out = args.out or ctx.paths.profiles / "drafts"
        with ctx.db.read() as s:
            templates = [repo.job_profile(j) for j in repo.list_jobs(s)]
            drafts = make_drafts(s, templates, out, {p.id for p in templates})
        if not drafts:
            _out("Every imported job row matches a job profile: no drafts needed.")
            return 0
        for d in drafts:
            _out(
                f"{d.path}: '{d.profile.title.zh}' ({', '.join(d.sources)}); model copied "
                f"from {d.template} (similarity {d.similarity:.2f})"
            )
        _out(
            f"{len(drafts)} draft(s) in {out}. Review each, then move it to {ctx.paths.profiles} "
            "to use it; drafts are never loaded."
        )
        return 0


def _print_profile(p: JobProfile, lang: str) -> None:
    zh = lang == "zh"
    _out(f"{p.title.get(lang)}  ({p.id}, v{p.version})")
    _out(p.summary.get(lang))
    _out()
    _out(("胜任力模型" if zh else "Competency model") + ":")
    for c in p.competencies:
        _out(
            f"  {c.name.get(lang)} [{c.id}]  "
            f"{'权重' if zh else 'weight'} {c.weight:.0%}  "
            f"{'要求' if zh else 'bar'} ≥ {c.required_level}"
        )
        for level, anchor in sorted(c.anchors.items()):
            _out(f"    {level:>2}: {anchor.get(lang)}")
    _out()
    _out(("结构化问题" if zh else "Structured guide") + ":")
    for i, q in enumerate(p.questions, 1):
        _out(f"  {i:>2}. {q.text.get(lang)}  [{', '.join(q.competencies)}; {q.minutes} min]")
        for probe in q.probes:
            _out(f"      - {probe.get(lang)}")


# --- db ---------------------------------------------------------------------------------------


def db(args: argparse.Namespace) -> int:
    if args.db_command == "upgrade":
        with open_context(upgrade=True) as ctx:
            with ctx.db.read() as s:
                rev = migrate.current_revision(s.connection())
            _out(f"database {ctx.paths.database} is at schema {rev} (latest)")
            return 0
    with open_context(upgrade=False) as ctx, ctx.db.read() as s:
        rev = migrate.current_revision(s.connection())
        _out(f"database: {ctx.paths.database}")
        _out(f"schema:   {rev} (latest {migrate.head_revision()})")
        for table in ("job", "candidate", "interviewsession", "outboxop", "auditlog"):
            count = s.connection().execute(text(f"SELECT count(*) FROM {table}")).scalar()
            _out(f"{table:17} {count}")
    return 0


# --- doctor -----------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str


def _dist_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _check_qt() -> list[Check]:
    version = _dist_version("PySide6-Essentials")
    if version is None or find_spec("PySide6") is None:
        return [Check("qt", "fail", "PySide6-Essentials is not installed")]
    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "app.ui.qtprobe"],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [Check("qt", "fail", f"PySide6 {version}: starting Qt took over 60 s")]
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return [Check("qt", "fail", f"PySide6 {version} cannot start Qt: {last}")]
    info = json.loads(proc.stdout)
    checks = [Check("qt", "ok", f"PySide6 {version}, Qt {info['qt']}, platform {info['platform']}")]
    if info["cjk_fonts"]:
        checks.append(Check("fonts", "ok", f"Chinese fonts: {', '.join(info['cjk_fonts'][:3])}"))
    else:
        checks.append(
            Check(
                "fonts",
                "warn",
                "no Chinese font found: Chinese text shows as "
                "boxes (install fonts-wqy-microhei or Noto CJK)",
            )
        )
    return checks


def _check_devices() -> list[Check]:
    from app.capture.devices import list_cameras, list_microphones

    checks: list[Check] = []
    cams, note = list_cameras()
    if cams:
        checks.append(Check("camera", "ok", "; ".join(f"{c.name} ({c.detail})" for c in cams)))
    else:
        checks.append(
            Check(
                "camera",
                "fail",
                "no camera found"
                + (f" ({note})" if note else "")
                + ": live interviews need one; recorded files can still be analysed",
            )
        )
    mics, note = list_microphones()
    if mics:
        checks.append(Check("microphone", "ok", "; ".join(m.name for m in mics[:4])))
    else:
        checks.append(
            Check("microphone", "fail", "no microphone found" + (f" ({note})" if note else ""))
        )
    return checks


def _check_models() -> list[Check]:
    from app.core.paths import resources_dir

    ort = _dist_version("onnxruntime")
    checks = [
        Check(
            "onnxruntime",
            "ok" if ort else "fail",
            f"onnxruntime {ort}" if ort else "onnxruntime is not installed",
        )
    ]
    manifest = resources_dir().parent / "onnx_models" / "manifest.yaml"
    if manifest.exists():
        checks.append(Check("models", "ok", f"manifest {manifest}"))
    else:
        checks.append(
            Check(
                "models",
                "warn",
                f"no model manifest yet: live analysis is unavailable ({manifest} missing)",
            )
        )
    return checks


def _check_data() -> list[Check]:
    checks: list[Check] = []
    try:
        with open_context() as ctx:
            with ctx.db.read() as s:
                rev = migrate.current_revision(s.connection())
                jobs = len(repo.list_jobs(s))
            checks.append(Check("data", "ok", f"{ctx.paths.home}"))
            checks.append(Check("database", "ok", f"schema {rev}, {jobs} job profiles"))
            for problem in ctx.profile_problems:
                checks.append(Check("profiles", "warn", problem.message))
            home = ctx.paths.home
    except RoundTwoError as exc:
        checks.append(Check("data", "fail", exc.user_message()))
        home = default_home()
    probe = home if home.exists() else Path(home.anchor or "/")
    free = shutil.disk_usage(probe).free
    gb = free / 1e9
    status = "ok" if gb >= 2 else ("warn" if gb >= 0.5 else "fail")
    checks.append(
        Check(
            "disk",
            status,
            f"{gb:.1f} GB free at {probe}"
            + ("" if status == "ok" else " (an hour of 720p video needs about 1 GB)"),
        )
    )
    return checks


def doctor(args: argparse.Namespace) -> int:
    checks = [
        Check("roundtwo", "ok", __version__),
        Check(
            "python",
            "ok" if sys.version_info >= (3, 11) else "fail",
            f"{platform.python_version()} ({sys.executable})",
        ),
    ]
    checks += _check_data()
    checks += _check_qt()
    checks += _check_devices()
    checks += _check_models()
    failed = [c for c in checks if c.status == "fail"]
    if args.json:
        _out(
            json.dumps(
                {"ok": not failed, "checks": [asdict(c) for c in checks]},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        mark = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}
        for c in checks:
            _out(f"[{mark[c.status]}] {c.name:12} {c.detail}")
    if failed:
        print(
            f"roundtwo: doctor found {len(failed)} problem(s): "
            + "; ".join(f"{c.name}: {c.detail}" for c in failed),
            file=sys.stderr,
        )
        return 1
    return 0


# --- demo -------------------------------------------------------------------------------------


def demo(args: argparse.Namespace) -> int:
    from app.reports.summary import build_summary, render_text
    from app.samples import prepare_demo

    with open_context() as ctx:
        lang = _lang(args, ctx)
        # The AI reads the answers and proposes a level per competency with its evidence;
        # it sits beside the interviewers' ratings, which remain the decision.
        session_id = prepare_demo(ctx.db)
        with ctx.db.read() as s:
            summary = build_summary(s, session_id)
        for line in render_text(summary, lang):
            _out(line)
        _out()
        _out(("数据目录" if lang == "zh" else "Data directory") + f": {ctx.paths.home}")
        return _warn_profiles(ctx)
