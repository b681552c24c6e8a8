"""`roundtwo score`: a real process, good lines scored, bad lines named and skipped."""

from __future__ import annotations

import json
from pathlib import Path

from tests.scoring.examples import SPECIFIC, VAGUE


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_score_command_reports_bad_lines_and_scores_good_ones(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    job, qid, lang, text = SPECIFIC[2]
    answers = _write(
        tmp_path / "answers.jsonl",
        [
            json.dumps(
                {"id": "good", "question_id": qid, "lang": lang, "text": text}, ensure_ascii=False
            ),
            "{not json",
            json.dumps({"id": "x", "question_id": "q77", "lang": "zh", "text": "我负责。"}),
            json.dumps({"id": "y", "question_id": qid, "lang": "fr", "text": "bonjour"}),
            json.dumps({"id": "z", "question_id": qid, "lang": "en"}),
            json.dumps({"id": "vague", "question_id": qid, "lang": "en", "text": VAGUE["en"][0]}),
        ],
    )
    out = tmp_path / "out" / "scores.json"
    r = cli("score", str(answers), "--job", job, "--out", str(out))
    assert "Traceback" not in r.stderr
    assert r.returncode == 65, r.stderr
    for n, field in ((2, "not valid JSON"), (3, "'question_id'"), (4, "'lang'"), (5, "'text'")):
        assert f"line {n}: " in r.stderr and field in r.stderr, r.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["job"] == job and [a["id"] for a in doc["answers"]] == ["good", "vague"]
    assert [s["line"] for s in doc["skipped"]] == [2, 3, 4, 5]
    good, vague = doc["answers"]
    targets = {"lean-improvement", "problem-solving"}
    assert set(good["suggestions"]) == targets
    for key in targets:
        g, v = good["suggestions"][key], vague["suggestions"][key]
        assert g["level"] is not None and g["evidence"] and 0 < g["confidence"] < 1
        assert all(text[e["start"] : e["end"]] == e["quote"] for e in g["evidence"])
        assert v["level"] is None or v["level"] < g["level"]


def test_score_command_errors_are_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ok = _write(
        tmp_path / "a.jsonl",
        [json.dumps({"id": "a", "question_id": "q01", "lang": "en", "text": "I led it."})],
    )
    r = cli("score", str(ok), "--job", "no-such-job", "--out", str(tmp_path / "o.json"))
    assert r.returncode == 66 and "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0 and "no-such-job" in r.stderr
    r = cli(
        "score",
        str(ok),
        "--job",
        "internet-product-manager",
        "--all-competencies",
        "--out",
        str(tmp_path / "o.json"),
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))
    assert len(doc["answers"][0]["suggestions"]) == 7
