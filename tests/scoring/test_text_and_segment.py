"""Sentence spans, tokens, and mapping transcript segments to questions."""

from __future__ import annotations

import pytest

from app.core.errors import NotFoundError
from app.core.jobprofile import JobProfile
from app.scoring.segment import (
    AnswerSegmenter,
    QuestionMarker,
    TranscriptPiece,
    detect_question,
    segment_answers,
)
from app.scoring.text import detect_lang, model_input, sentence_spans


def test_spans_are_exact_offsets_and_keep_decimals() -> None:
    text = "Conversion rose 3.5 points. Then I left!  Done"
    spans = sentence_spans(text, "en")
    assert [s.text for s in spans] == ["Conversion rose 3.5 points.", "Then I left!", "Done"]
    assert all(text[s.start : s.end] == s.text for s in spans)
    zh = (
        "我负责从调研到上线的全过程，先访谈了24位不同层级的会员，又拉了近半年的订单数据做分群，"
        "发现高价值用户流失主要是因为权益感知弱，而不是折扣不够。"
    )
    parts = sentence_spans(zh, "zh")
    assert len(parts) >= 2 and all(zh[s.start : s.end] == s.text for s in parts)


def test_model_input_normalises_numbers_and_tags_language() -> None:
    assert model_input("Revenue rose 12% in 2023", "en") == "__en__ revenue rose NUM% in NUM"
    out = model_input("复购率提升了18%", "zh").split()
    assert out[0] == "__zh__" and "NUM%" in out and "复购率" in "".join(out)
    assert detect_lang("我们 used SQL 做分析") == "zh" and detect_lang("We used SQL") == "en"


def test_question_text_is_detected_in_both_languages(profiles: dict[str, JobProfile]) -> None:
    p = profiles["internet-product-manager"]
    q3 = next(q for q in p.questions if q.id == "q03")
    assert detect_question(p, "好，下一个问题。" + q3.text.zh)[0] == "q03"  # type: ignore[index]
    assert detect_question(p, q3.text.en.replace("Tell me about", "Can you describe"))[0] == "q03"  # type: ignore[index]
    assert detect_question(p, "今天路上堵吗？要不要喝点水？") is None


def test_segments_follow_markers_with_milliseconds(profiles: dict[str, JobProfile]) -> None:
    p = profiles["retail-store-manager"]
    pieces = [
        TranscriptPiece(1_000, 4_000, "你好，我先简单介绍一下。"),
        TranscriptPiece(10_000, 20_000, "我管理的门店在西湖区。"),
        TranscriptPiece(20_500, 30_000, "去年业绩提升了12%。"),
        TranscriptPiece(40_000, 50_000, "那次投诉是一位会员的退货。"),
    ]
    markers = [QuestionMarker("q01", 9_000), QuestionMarker("q03", 39_800)]
    answers = segment_answers(p, pieces, markers)
    assert [a.question_id for a in answers] == ["q01", "q03"]
    first = answers[0]
    assert first.text == "我管理的门店在西湖区。去年业绩提升了12%。"
    assert first.locate(0, 5) == (10_000, 20_000, "ms")
    assert first.locate(12, 18) == (20_500, 30_000, "ms")
    with pytest.raises(NotFoundError, match="q42"):
        segment_answers(p, pieces, [QuestionMarker("q42", 0)])


def test_live_segmenter_switches_on_detected_question(profiles: dict[str, JobProfile]) -> None:
    p = profiles["production-supervisor"]
    q2, q4 = (next(q for q in p.questions if q.id == i) for i in ("q02", "q04"))
    seg = AnswerSegmenter(p)
    assert seg.feed(TranscriptPiece(0, 1_000, "I run the night shift.")) is None
    seg.feed(TranscriptPiece(2_000, 6_000, q2.text.en, speaker="interviewer"))
    assert seg.feed(TranscriptPiece(7_000, 9_000, "I saw a guard removed.")) == "q02"
    seg.feed(TranscriptPiece(10_000, 14_000, q4.text.en, speaker="interviewer"))
    assert seg.feed(TranscriptPiece(15_000, 19_000, "I led a changeover project.")) == "q04"
    cur = seg.current()
    assert cur is not None and cur.question_id == "q04" and cur.timing[0][2] == 15_000
    assert [a.question_id for a in seg.answers()] == ["q02", "q04"]
