"""Suggestions: evidence-backed levels, insufficient evidence, and the scoring properties."""

from __future__ import annotations

import pytest

from app.core.errors import NotFoundError
from app.scoring.evidence import AnswerInput, TimedText
from app.scoring.scorer import Scorer, Suggestion
from tests.scoring.examples import FILLER, SPECIFIC, VAGUE


def _rank(s: Suggestion) -> float:
    """Insufficient evidence ranks below every level."""
    return -1.0 if s.level is None else s.score


def _score(scorer: Scorer, qid: str, lang: str, text: str) -> dict[str, Suggestion]:
    return scorer.score(AnswerInput("t", qid, lang, text)).suggestions


@pytest.mark.parametrize(("job", "qid", "lang", "text"), SPECIFIC, ids=lambda x: str(x)[:24])
def test_specific_star_answer_beats_every_vague_one(
    scorers: dict[str, Scorer], job: str, qid: str, lang: str, text: str
) -> None:
    good = _score(scorers[job], qid, lang, text)
    for vague in VAGUE[lang]:
        bad = _score(scorers[job], qid, lang, vague)
        for key, g in good.items():
            assert g.level is not None and g.level >= 5, (key, g.level, g.features)
            assert _rank(bad[key]) < _rank(g) - 2.0, (key, bad[key].score, g.score)


@pytest.mark.parametrize(("job", "qid", "lang", "text"), SPECIFIC, ids=lambda x: str(x)[:24])
def test_padding_does_not_raise_the_level(
    scorers: dict[str, Scorer], job: str, qid: str, lang: str, text: str
) -> None:
    sep = "" if lang == "zh" else " "
    base = _score(scorers[job], qid, lang, text)
    variants = {
        "repeated": sep.join([text] * 3),
        "filler": sep.join([text, FILLER[lang], FILLER[lang], FILLER[lang]]),
        "filler first": sep.join([FILLER[lang], text, FILLER[lang]]),
    }
    for name, padded in variants.items():
        assert len(padded) > 1.4 * len(text)
        got = _score(scorers[job], qid, lang, padded)
        for key, b in base.items():
            assert got[key].level is not None and b.level is not None
            assert got[key].level <= b.level, (name, key, got[key].score, b.score)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_padding_a_vague_answer_stays_low(scorers: dict[str, Scorer], lang: str) -> None:
    sc = scorers["retail-store-manager"]
    sep = "" if lang == "zh" else " "
    short = _score(sc, "q01", lang, VAGUE[lang][0])
    long = _score(sc, "q01", lang, sep.join(VAGUE[lang] * 4 + [FILLER[lang]] * 3))
    for key in short:
        assert _rank(long[key]) <= max(_rank(short[key]), 2.0), key


def test_every_suggestion_above_insufficient_has_a_located_quote(
    scorers: dict[str, Scorer],
) -> None:
    seen = 0
    vague = [("internet-product-manager", "q01", lg, v) for lg in ("zh", "en") for v in VAGUE[lg]]
    for job, qid, lang, text in SPECIFIC + vague:
        res = scorers[job].score(AnswerInput("t", qid, lang, text))
        for s in res.suggestions.values():
            if s.level is None:
                continue
            seen += 1
            assert s.evidence, s
            for e in s.evidence:
                assert e.unit == "char"
                assert text[e.start : e.end] == e.quote
            assert 0.0 < s.confidence < 1.0
    assert seen >= len(SPECIFIC)


def test_timed_answer_quotes_carry_milliseconds(scorers: dict[str, Scorer]) -> None:
    job, qid, lang, text = SPECIFIC[0]
    cut = text.index("我先定义")
    parts = [TimedText(10_000, 25_000, text[:cut]), TimedText(25_500, 61_000, text[cut:])]
    res = scorers[job].score(AnswerInput.from_segments("a", qid, lang, parts))
    quotes = [e for s in res.suggestions.values() for e in s.evidence]
    assert quotes and all(e.unit == "ms" for e in quotes)
    assert all(10_000 <= e.start <= e.end <= 61_000 for e in quotes)
    late = [e for e in quotes if "AB测试" in e.quote]
    assert late and all(e.start >= 25_500 for e in late)


@pytest.mark.parametrize(
    ("lang", "text"),
    [("zh", "嗯。"), ("en", "Sorry, could you repeat the question?"), ("zh", FILLER["zh"])],
)
def test_thin_answers_get_insufficient_evidence(
    scorers: dict[str, Scorer], lang: str, text: str
) -> None:
    res = scorers["production-supervisor"].score(AnswerInput("t", "q04", lang, text))
    assert res.suggestions and all(s.level is None for s in res.suggestions.values())
    assert all(s.confidence <= 0.5 for s in res.suggestions.values())


def test_counter_indicators_lower_the_level_and_are_quoted(scorers: dict[str, Scorer]) -> None:
    job, qid, lang, text = SPECIFIC[1]  # internet PM, q03 (data-driven), English
    bad = (
        text + " Honestly, it shipped anyway, and I felt like it worked; no time to check the data."
    )
    good = _score(scorers[job], qid, lang, text)["data-driven"]
    worse = _score(scorers[job], qid, lang, bad)["data-driven"]
    assert worse.score < good.score - 0.5
    assert any(e.kind == "counter-indicator" for e in worse.evidence)


def test_team_only_answer_scores_below_own_actions(scorers: dict[str, Scorer]) -> None:
    sc = scorers["retail-store-manager"]
    own = (
        "Last year our store missed target by 18%. I pulled the footfall data, I moved two "
        "sellers to evenings and I ran role-play every morning. Conversion rose from 13% to 17%."
    )
    team = (
        "Last year our store missed target by 18%. We pulled the footfall data, the team moved "
        "two sellers to evenings and everyone did role-play every morning. Conversion rose from "
        "13% to 17%."
    )
    a = _score(sc, "q02", "en", own)["sales-operations"]
    b = _score(sc, "q02", "en", team)["sales-operations"]
    assert a.features["own"] > b.features["own"]
    assert a.score > b.score


def test_hypothetical_story_to_a_behavioural_question_is_not_a_case(
    scorers: dict[str, Scorer],
) -> None:
    sc = scorers["internet-product-manager"]
    past = (
        "去年九月我主导了签到改版的AB测试。我先定义了次日留存为核心指标、卸载率为护栏指标，"
        "两组各两万用户跑了两周。实验组次日留存高了2个百分点，卸载率没有变化，所以我决定全量上线。"
    )
    plan = (
        "如果是我，我会先做一次AB测试。我会定义次日留存为核心指标、卸载率为护栏指标，"
        "我会让两组各跑两周。如果实验组留存更高、卸载率不变，我就会决定全量上线。"
    )
    a = _score(sc, "q03", "zh", past)["data-driven"]
    b = _score(sc, "q03", "zh", plan)["data-driven"]
    assert b.features["hypothetical"] > 0.5
    assert a.score > b.score + 1.0


def test_unknown_question_and_competency_are_named(scorers: dict[str, Scorer]) -> None:
    sc = scorers["internet-product-manager"]
    with pytest.raises(NotFoundError, match="q99"):
        sc.score(AnswerInput("t", "q99", "en", "I led it."))
    with pytest.raises(NotFoundError, match="no-such"):
        sc.score(AnswerInput("t", "q01", "en", "I led it."), ["no-such"])


def test_language_is_detected_when_missing(scorers: dict[str, Scorer]) -> None:
    job, qid, _, text = SPECIFIC[0]
    res = scorers[job].score(AnswerInput("t", qid, "", text))
    assert res.lang == "zh"
