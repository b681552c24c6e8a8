"""Scoring a stored interview: suggestions saved beside the ratings, shown in the report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.context import AppContext, open_context
from app.core.errors import NotFoundError
from app.reports.summary import build_summary, render_text
from app.samples import load_sample_interview
from app.scoring.calibration import calibration_report
from app.scoring.scorer import SCORER_VERSION, Scorer
from app.scoring.session import rating_pairs, save_suggestions, score_session
from app.storage import repo
from app.storage.tables import AISuggestion, InterviewSession, OutboxOp


@pytest.fixture
def ctx(home: Path) -> Iterator[AppContext]:
    c = open_context()
    yield c
    c.close()


def test_sample_interview_gets_evidenced_suggestions(ctx: AppContext, scorers) -> None:  # type: ignore[no-untyped-def]
    sid = ctx.db.write(load_sample_interview)
    with ctx.db.read() as s:
        interview = s.get(InterviewSession, sid)
        assert interview is not None
        job = repo.job_profile(repo.get_job(s, "internet-product-manager"))
        suggestions = score_session(s, sid, Scorer(job, scorers[job.id].models))
    assert suggestions
    for sug in suggestions.values():
        if sug.level is not None:
            assert sug.evidence and all(e.unit == "ms" for e in sug.evidence)

    def save(s: Session) -> int:
        return len(save_suggestions(s, sid, suggestions))

    n = ctx.db.write(save)
    assert ctx.db.write(save) == n  # replaced, not duplicated
    with ctx.db.read() as s:
        rows = s.exec(select(AISuggestion).where(AISuggestion.session_id == sid)).all()
        assert len(rows) == n and all(r.scorer_version == SCORER_VERSION for r in rows)
        ops = s.exec(select(OutboxOp).where(OutboxOp.entity == "aisuggestion")).all()
        assert len(ops) >= n
        summary = build_summary(s, sid)
        pairs = rating_pairs(s, [sid])
    lines = {c.key: c for c in summary.lines}
    for key, sug in suggestions.items():
        assert lines[key].ai_level == sug.level
        if sug.level is not None and lines[key].interviewer_level is not None:
            gap = abs(sug.level - lines[key].interviewer_level)  # type: ignore[operator]
            assert lines[key].disagreement == (gap >= 2)
    text = "\n".join(render_text(summary, "zh"))
    assert "结论由面试官作出" in text
    # Match % still comes from the interviewers' levels only.
    assert summary.match is not None
    rep = calibration_report(pairs)
    assert "*" in rep and rep["*"].n == len(pairs) >= 3


def test_analysis_section_has_competencies_and_provisional_match(scorers) -> None:  # type: ignore[no-untyped-def]
    from app.scoring.evidence import AnswerInput
    from app.scoring.session import analysis_section
    from tests.scoring.examples import SPECIFIC

    job, qid, lang, text = SPECIFIC[4]
    sc = scorers[job]
    sec = analysis_section(
        sc, [AnswerInput("a1", qid, lang, text), AnswerInput("a2", "q99", lang, text)]
    )
    comps = {c["id"]: c for c in sec["competencies"]}
    assert set(comps) == {c.id for c in sc.profile.competencies}
    targeted = next(q for q in sc.profile.questions if q.id == qid).competencies
    for key, c in comps.items():
        assert c["insufficient_evidence"] == (key not in targeted)
        assert (c["ai_level"] is not None) == bool(c["evidence"])
    assert sec["match"]["basis"] == "ai-suggestions" and 0 < sec["match"]["percent"] <= 100


def test_calibrate_command_reports_and_reweights(  # type: ignore[no-untyped-def]
    ctx: AppContext, scorers, capsys, tmp_path: Path
) -> None:
    import argparse
    import json

    from app.cli.cmd_score import run, run_calibrate
    from app.scoring.calibration import job_weights_path
    from app.scoring.scorer import load_weights

    job = "internet-product-manager"
    with pytest.raises(NotFoundError, match="nothing to calibrate"):
        run_calibrate(argparse.Namespace(job=job, write=False, json=True))
    sid = ctx.db.write(load_sample_interview)
    with ctx.db.read() as s:
        sug = score_session(s, sid, scorers[job])
    ctx.db.write(lambda s: save_suggestions(s, sid, sug))
    capsys.readouterr()
    assert run_calibrate(argparse.Namespace(job=job, write=True, json=True)) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["pairs"] >= 3 and "*" in doc["agreement"]
    assert {"spearman", "icc", "exact", "adjacent"} <= set(doc["agreement"]["*"])
    path = job_weights_path(ctx.paths.home, job)
    assert doc["weights_file"] == str(path)
    _, per = load_weights(path)
    assert set(per) <= {c.id for c in scorers[job].profile.competencies} and per
    answers = tmp_path / "a.jsonl"
    answers.write_text(
        json.dumps({"id": "a", "question_id": "q01", "lang": "en", "text": "I led the revamp."})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.json"
    ns = argparse.Namespace(answers=answers, job=job, out=out, weights=None, all_competencies=False)
    assert run(ns) == 0
    scored = json.loads(out.read_text(encoding="utf-8"))
    assert scored["weights"] == str(path)
    assert "probes" in scored["answers"][0] and "missing" in scored["answers"][0]
