"""Marker phrase lists (resources/scoring/lexicon.yaml) and bilingual phrase matching."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from app.core.errors import NotFoundError, ProfileError
from app.core.paths import resources_dir

# The C loader where PyYAML has it (ten times faster; same safe subset).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

CATEGORIES = (
    "decision",
    "reflection",
    "scope",
    "multiple",
    "structure",
    "vague",
    "hedge",
    "quantity",
    "time",
    "management",
    "specialist",
    "weakness",
    "hypothetical",
    "blame",
)


def normalise(text: str) -> str:
    """Lower case, full-width to half-width, A/B -> ab, whitespace squeezed (for matching)."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            ch = chr(code - 0xFEE0)
        out.append(ch)
    s = "".join(out).lower().replace("a/b", "ab").replace("’", "'")
    return re.sub(r"\s+", " ", s)


@dataclass(frozen=True)
class PhraseMatcher:
    """Finds which of a list of phrases occur in a text (zh substrings, en word-prefix)."""

    phrases: tuple[str, ...]
    lang: str

    @property
    def _compiled(self) -> list[tuple[str, re.Pattern[str] | None]]:
        return _compile(self.phrases, self.lang)

    def find(self, text: str) -> list[str]:
        t = normalise(text)
        hits: list[str] = []
        for phrase, pattern in self._compiled:
            if pattern is None:
                if phrase and phrase in t.replace(" ", ""):
                    hits.append(phrase)
            elif pattern.search(t):
                hits.append(phrase)
        return hits


@lru_cache(maxsize=512)
def _compile(phrases: tuple[str, ...], lang: str) -> list[tuple[str, re.Pattern[str] | None]]:
    out: list[tuple[str, re.Pattern[str] | None]] = []
    for p in phrases:
        n = normalise(p).strip()
        if not n:
            continue
        if lang == "zh" and re.search(r"[\u3400-\u9fff]", n):
            out.append((n.replace(" ", ""), None))
            continue
        # English: each word may carry an inflection (test -> tested/tests/testing).
        words = [re.escape(_stem(w)) + r"[a-z']*" for w in re.findall(r"[a-z0-9%]+|[^\sa-z0-9]", n)]
        body = r"[\s\-]*".join(words)
        out.append((n, re.compile(r"(?<![a-z0-9])" + body)))
    return out


def _stem(word: str) -> str:
    for suffix in ("ies", "ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


class Lexicon:
    """The marker categories for one language."""

    def __init__(self, lang: str, table: dict[str, list[str]]) -> None:
        self.lang = lang
        self.matchers = {
            c: PhraseMatcher(tuple(str(x) for x in table.get(c, [])), lang) for c in CATEGORIES
        }

    def find(self, category: str, text: str) -> list[str]:
        return self.matchers[category].find(text)


_lock = threading.Lock()
_cache: dict[Path, dict[str, Lexicon]] = {}


def lexicon_path() -> Path:
    return resources_dir() / "scoring" / "lexicon.yaml"


def load_lexicons(path: Path | None = None) -> dict[str, Lexicon]:
    p = path or lexicon_path()
    with _lock:
        if p in _cache:
            return _cache[p]
        try:
            data = yaml.load(p.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
        except FileNotFoundError as exc:
            raise NotFoundError(f"Scoring lexicon {p} is missing.") from exc
        except yaml.YAMLError as exc:
            raise ProfileError(f"{p}: not valid YAML ({exc}).") from exc
        if not isinstance(data, dict) or not all(k in data for k in ("zh", "en")):
            raise ProfileError(f"{p}: expected top-level keys 'zh' and 'en'.")
        result = {lang: Lexicon(lang, data[lang]) for lang in ("zh", "en")}
        _cache[p] = result
        return result


def matcher(phrases: Iterable[str], lang: str) -> PhraseMatcher:
    return PhraseMatcher(tuple(phrases), lang)
