from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.context import open_context
from app.reports.dashboard import export, job_dashboard, safe_cell
from app.storage import repo
from app.storage.ratings import save_rating
from app.storage.tables import Application, Candidate, InterviewSession


@pytest.fixture
def ctx(home: Path):
    c = open_context()
    yield c
    c.close()


def _populate(ctx, levels_by_name):  # type: ignore[no-untyped-def]
    def w(s):  # type: ignore[no-untyped-def]
        job = repo.get_job(s, "risk-control-analyst")
        keys = [c.key for c in repo.competencies(s, job)]
        for i, (name, level) in enumerate(levels_by_name.items()):
            cand = repo.save(s, Candidate(name=name))
            app = repo.save(
                s, Application(candidate_id=cand.id, job_id=job.id, round1_passed=level is not None)
            )
            if level is None:
                continue
            iv = repo.save(
                s,
                InterviewSession(
                    candidate_id=cand.id,
                    job_id=job.id,
                    application_id=app.id,
                    status="completed",
                    scheduled_at=dt.datetime(2026, 11, 1 + i, 9, tzinfo=dt.UTC),
                ),
            )
            for k in keys:
                save_rating(s, iv.id, k, "rater", level)
        return keys

    return ctx.db.write(w)


def test_ranking_distribution_and_funnel(ctx) -> None:  # type: ignore[no-untyped-def]
    keys = _populate(ctx, {"甲": 9, "乙": 5, '=HYPERLINK("x")': 7, "丁": None})
    with ctx.db.read() as s:
        d = job_dashboard(s, "risk-control-analyst")
    assert [r.candidate for r in d.ranking] == ["甲", '=HYPERLINK("x")', "乙"]
    assert d.ranking[0].match == 100.0 and d.ranking[0].meets_threshold
    assert d.ranking[2].meets_threshold is False and d.ranking[2].below_bar
    assert sorted(d.distribution[keys[0]]) == [5, 7, 9]
    assert dict(d.funnel) == {
        "applied": 4,
        "round1_passed": 3,
        "round2_scheduled": 3,
        "round2_completed": 3,
        "meets_threshold": 2,
    }


def test_exports_neutralise_formulas(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _populate(ctx, {"=cmd|'/c calc'!A1": 9, "+SUM(1)": 5})
    with ctx.db.read() as s:
        d = job_dashboard(s, "risk-control-analyst")
    rows = list(csv.reader(export(d, tmp_path / "r.csv", "zh").open(encoding="utf-8-sig")))
    assert rows[0][1] == "候选人"
    assert {rows[1][1], rows[2][1]} == {"'=cmd|'/c calc'!A1", "'+SUM(1)"}
    wb = load_workbook(export(d, tmp_path / "r.xlsx"))
    names = [wb["ranking"].cell(row=r, column=2).value for r in (2, 3)]
    assert all(n.startswith("'") for n in names)
    assert wb["ranking"].cell(row=2, column=2).data_type == "s"
    assert [c.value for c in wb["funnel"]["A"]][1:] == [
        "applied",
        "round1_passed",
        "round2_scheduled",
        "round2_completed",
        "meets_threshold",
    ]
    assert safe_cell(3) == 3 and safe_cell("ok") == "ok"
