"""Property: inserting unrelated or repeated sentences anywhere never raises a level."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.scoring.evidence import AnswerInput
from app.scoring.scorer import Scorer
from tests.scoring.examples import SPECIFIC

PADDING = {
    "zh": [
        "那天天气很好，路上也不堵。",
        "我平时喜欢跑步和看电影。",
        "公司楼下有一家咖啡店，味道还不错。",
        "我老家在湖南，每年春节都会回去。",
        "我们办公室在十二楼，采光挺好的。",
        "我周末一般陪孩子去公园。",
        "这个问题挺有意思的。",
        "嗯，让我想一想。",
    ],
    "en": [
        "The weather was nice that day and traffic was light.",
        "I like running and watching films.",
        "There is a decent coffee shop downstairs from the office.",
        "I grew up in Hunan and go back every Spring Festival.",
        "Our office is on the twelfth floor and gets lots of light.",
        "At weekends I usually take my kids to the park.",
        "That is an interesting question.",
        "Hmm, let me think for a second.",
    ],
}


@settings(
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    case=st.sampled_from(SPECIFIC),
    picks=st.lists(st.integers(0, 7), min_size=1, max_size=6),
    where=st.lists(st.floats(0, 1), min_size=6, max_size=6),
    repeat=st.booleans(),
)
def test_unrelated_or_repeated_text_never_raises_a_level(
    scorers: dict[str, Scorer],
    case: tuple[str, str, str, str],
    picks: list[int],
    where: list[float],
    repeat: bool,
) -> None:
    job, qid, lang, text = case
    sc = scorers[job]
    from app.scoring.text import sentence_spans

    sentences = [s.text for s in sentence_spans(text, "en" if lang == "en" else "zh_nosplit")]
    padded = list(sentences)
    for i, p in enumerate(picks):
        pos = int(where[i] * len(padded))
        padded.insert(pos, PADDING[lang][p])
    if repeat:
        padded += sentences[: max(1, len(sentences) // 2)]
    sep = " " if lang == "en" else ""
    base = sc.score(AnswerInput("a", qid, lang, text)).suggestions
    got = sc.score(AnswerInput("a", qid, lang, sep.join(padded))).suggestions
    for key, b in base.items():
        assert b.level is not None
        g = got[key].level
        assert g is not None and g <= b.level, (key, g, b.level, got[key].score, b.score)
