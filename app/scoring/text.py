"""Language detection, sentence spans and tokenisation shared by training and run time."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
# Sentence ends: CJK punctuation always; '.', '!' and '?' only when followed by space/end so
# decimals ("3.5") and versions stay whole.
_SENT_END = re.compile(r"[。！？；;\n]+|[.!?]+(?=\s|$)")
_CLAUSE = re.compile(r"[，,：:]")
_EN_TOKEN = re.compile(r"\d+(?:[.,]\d+)*%?|[a-z]+(?:['’-][a-z]+)*|%")
_DIGIT = re.compile(r"\d")
_ZH_NUMERAL = re.compile(r"^[零一二两三四五六七八九十百千万亿半几]+$")
_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)
# Chinese sentences run long with commas; split them into clauses of at least this many
# characters so STAR parts that share a sentence are classified separately.
ZH_CLAUSE_SPLIT_AT = 60
ZH_MIN_CLAUSE = 14

_jieba_lock = threading.Lock()
_jieba: Any = None


def detect_lang(text: str) -> str:
    """'zh' when Chinese characters make up a real share of the letters, else 'en'."""
    cjk = len(_CJK.findall(text))
    latin_words = len(re.findall(r"[A-Za-z]+", text))
    return "zh" if cjk >= max(2, latin_words) else "en"


def norm_lang(lang: str | None, text: str) -> str:
    if lang:
        low = lang.lower()
        if low.startswith("zh"):
            return "zh"
        if low.startswith("en"):
            return "en"
    return detect_lang(text)


@dataclass(frozen=True)
class Span:
    """A sentence (or clause) of an answer: character offsets into the answer text."""

    start: int
    end: int
    text: str


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start] in " \t\r\n\"'“”‘’「」、，,":
        start += 1
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    if end - start < 2:
        return None
    return Span(start, end, text[start:end])


def sentence_spans(text: str, lang: str) -> list[Span]:
    """Sentence spans with the end punctuation kept; long Chinese sentences become clauses."""
    spans: list[Span] = []
    start = 0
    for m in _SENT_END.finditer(text):
        s = _trimmed(text, start, m.end())
        if s is not None:
            spans.extend(_clauses(s) if lang == "zh" else [s])
        start = m.end()
    tail = _trimmed(text, start, len(text))
    if tail is not None:
        spans.extend(_clauses(tail) if lang == "zh" else [tail])
    return spans


def _clauses(s: Span) -> list[Span]:
    if len(s.text) <= ZH_CLAUSE_SPLIT_AT:
        return [s]
    out: list[Span] = []
    begin = 0
    for m in _CLAUSE.finditer(s.text):
        if m.end() - begin >= ZH_MIN_CLAUSE and len(s.text) - m.end() >= ZH_MIN_CLAUSE:
            part = _trimmed(s.text, begin, m.end())
            if part is not None:
                out.append(Span(s.start + part.start, s.start + part.end, part.text))
            begin = m.end()
    rest = _trimmed(s.text, begin, len(s.text))
    if rest is not None:
        out.append(Span(s.start + rest.start, s.start + rest.end, rest.text))
    return out or [s]


def _load_jieba() -> Any:
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba
    return _jieba


def warm_up() -> None:
    """Load jieba's dictionary now (about 1.4 s) rather than on the first answer."""
    _load_jieba()


def _norm_token(tok: str) -> str | None:
    tok = tok.strip().lower()
    if not tok or (_PUNCT.match(tok) and tok != "%"):
        return None
    if _DIGIT.search(tok):
        return "NUM%" if tok.endswith("%") else "NUM"
    if _ZH_NUMERAL.match(tok) and len(tok) <= 3:
        return "NUMZH"
    return tok


def tokenize(text: str, lang: str) -> list[str]:
    """Words for the models: jieba for Chinese, lower-case words for English; numbers -> NUM."""
    if lang == "zh":
        raw = _load_jieba().lcut(text)
        out: list[str] = []
        for tok in raw:
            if _LATIN.search(tok) and " " not in tok:
                out.extend(t for t in (_norm_token(x) for x in _EN_TOKEN.findall(tok.lower())) if t)
                continue
            n = _norm_token(tok)
            if n:
                out.append(n)
        return out
    return [t for t in (_norm_token(x) for x in _EN_TOKEN.findall(text.lower())) if t]


def model_input(text: str, lang: str) -> str:
    """The string the ONNX text models take: tokens joined by single spaces, language tagged."""
    return " ".join([f"__{lang}__", *tokenize(text, lang)])
