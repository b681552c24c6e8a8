"""`roundtwo training ...` end to end on the bundled sample interview.

Most calls go through `app.cli.main.main` in this process (a fresh interpreter per call costs
several seconds on a shared machine); one test runs the real `python -m app` process."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app.cli.main import main
from app.samples import read_sample
from tests.conftest import CliResult

HEADER = "key,title_zh,title_en,competencies,min_level,max_level,format,hours,language,provider\n"


@pytest.fixture
def run(home: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    def call(*args: str) -> CliResult:
        capsys.readouterr()
        code = main(list(args))
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return call


def test_plan_export_progress_and_status(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli = run
    assert cli("demo", "--lang", "en").returncode == 0
    sample = read_sample()
    sid = sample["session"]["id"]
    r = cli(
        "training",
        "plan",
        sid,
        "--lang",
        "en",
        "--start",
        "2026-11-30",
        "--out",
        str(tmp_path / "p.json"),
    )
    assert r.returncode == 0, r.stderr
    assert "[remedial]" in r.stdout and "Teamwork" in r.stdout
    data = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    items = data["items"]
    assert items[0]["kind"] == "remedial" and items[0]["competency_key"] == "teamwork"
    assert data["header"]["start_date"] == "2026-11-30"

    for out in ("p.pdf", "p.ics"):
        r = cli("training", "plan", sample["candidate"]["name"], "--out", str(tmp_path / out))
        assert r.returncode == 0, r.stderr
        assert "--regenerate" in r.stdout  # the existing plan is reused, not duplicated
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")
    assert "BEGIN:VCALENDAR" in (tmp_path / "p.ics").read_text(encoding="utf-8")

    r = cli("training", "complete", sid, items[0]["id"], "--by", "林晓雯", "--at", "2026-12-09")
    assert r.returncode == 0, r.stderr
    r = cli("training", "reassess", sid, "teamwork", "8", "--by", "王磊", "--note", "牵头复盘")
    assert r.returncode == 0, r.stderr
    assert "closed" in r.stdout or "关闭" in r.stdout
    r = cli("training", "status", sid, "--json")
    assert r.returncode == 0, r.stderr
    status = json.loads(r.stdout)
    teamwork = [i for i in status["items"] if i["competency_key"] == "teamwork"]
    assert teamwork[0]["status"] == "completed"
    assert all(i["status"] == "closed" for i in teamwork[1:])
    traj = {t["competency"]: t for t in status["trajectory"]}["teamwork"]
    assert [p["level"] for p in traj["points"]] == [5.5, 8.0] and traj["reached"] is True

    r = cli("training", "reassess", sid, "teamwork", "eight", "--by", "王磊")
    assert r.returncode == 65 and "'eight' is not a whole BARS level" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_courses_import_refuses_a_bad_file_and_keeps_the_catalogue(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli = run
    r = cli("training", "courses", "--json")
    assert r.returncode == 0, r.stderr
    before = json.loads(r.stdout)
    good = tmp_path / "good.csv"
    good.write_bytes(
        (HEADER + "risk-new-course,新课程,New course,compliance,3,6,线上,3,中文,合规部\n").encode(
            "gbk"
        )
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "risk-other,另一课程,Another course,compliance,3,6,online,3,zh,HR\n"
        + "risk-broken,坏课程,Broken,compliance,3,6,online,many,zh,HR\n",
        encoding="utf-8",
    )
    r = cli("training", "courses", "--import", str(bad))
    assert r.returncode == 65
    assert str(bad) in r.stderr and "row 3" in r.stderr and "field 'hours'" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    after_bad = json.loads(cli("training", "courses", "--json").stdout)
    assert after_bad == before  # the good first row was not half-imported
    r = cli("training", "courses", "--import", str(good), "--lang", "en")
    assert r.returncode == 0 and "1 added" in r.stdout, r.stderr
    keys = {c["key"] for c in json.loads(cli("training", "courses", "--json").stdout)}
    assert keys == {c["key"] for c in before} | {"risk-new-course"}


@pytest.mark.slow
def test_real_process_plan_pdf_and_one_line_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("training", "plan", "no-such-person")
    assert r.returncode == 66
    assert (
        r.stderr.strip() == "roundtwo: error: No interview session or candidate 'no-such-person'."
    )
    r = cli("training", "courses", "--import", str(tmp_path / "missing.xlsx"))
    assert r.returncode == 66 and "missing.xlsx does not exist" in r.stderr
