"""Reading typed answers from JSON Lines: one answer per line, bad lines reported, not fatal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import InvalidInputError, NotFoundError
from app.core.jobprofile import JobProfile
from app.scoring.evidence import AnswerInput

REQUIRED = ("id", "question_id", "lang", "text")


@dataclass(frozen=True)
class LineProblem:
    path: Path
    line: int
    message: str

    def error(self) -> InvalidInputError:
        return InvalidInputError(f"{self.path}, line {self.line}: {self.message}.")


def read_answers(
    path: Path, profile: JobProfile | None = None
) -> tuple[list[tuple[int, AnswerInput]], list[LineProblem]]:
    """Every good line as (line number, answer); every bad line as a problem naming the field."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFoundError(f"Answers file {path} does not exist.") from exc
    except IsADirectoryError as exc:
        raise InvalidInputError(f"Answers file {path} is a directory.") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"Answers file {path} is not UTF-8 text ({exc.reason}).") from exc
    questions = {q.id for q in profile.questions} if profile is not None else None
    good: list[tuple[int, AnswerInput]] = []
    problems: list[LineProblem] = []
    seen: set[str] = set()
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(
                LineProblem(path, n, f"not valid JSON ({exc.msg} at column {exc.colno})")
            )
            continue
        if not isinstance(obj, dict):
            problems.append(LineProblem(path, n, "expected a JSON object"))
            continue
        missing = [k for k in REQUIRED if k not in obj]
        if missing:
            problems.append(LineProblem(path, n, f"field '{missing[0]}' is missing"))
            continue
        bad = [k for k in REQUIRED if not isinstance(obj[k], str) or not obj[k].strip()]
        if bad:
            problems.append(LineProblem(path, n, f"field '{bad[0]}' must be a non-empty string"))
            continue
        lang = obj["lang"].strip().lower()
        if not (lang.startswith("zh") or lang.startswith("en")):
            problems.append(LineProblem(path, n, f"field 'lang' is '{obj['lang']}', not zh or en"))
            continue
        if questions is not None and obj["question_id"] not in questions:
            problems.append(
                LineProblem(
                    path,
                    n,
                    f"field 'question_id': job {profile.id if profile else ''} has no question "
                    f"'{obj['question_id']}'",
                )
            )
            continue
        if obj["id"] in seen:
            problems.append(
                LineProblem(path, n, f"field 'id': '{obj['id']}' repeats an earlier line")
            )
            continue
        seen.add(obj["id"])
        good.append((n, AnswerInput(obj["id"], obj["question_id"], lang[:2], obj["text"])))
    return good, problems
