"""What linkage compares, per person: cheap to import (no pandas), so the cleaning worker
processes of a big import can compute the keys beside the cleaning."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_HAN = re.compile(r"[\u3400-\u9fff]")
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[a-z]+")


@dataclass
class Person:
    """What linkage looks at; values already cleaned (None = missing)."""

    name: str
    phone: str | None = None
    email: str | None = None
    birth_date: str | None = None
    city: str | None = None
    school: str | None = None
    existing: bool = False
    address: str | None = None  # street address (matching only)
    postcode: str | None = None
    id_token: str | None = None  # one-way token of an identity-document number


@lru_cache(maxsize=65536)
def _char_pinyin(ch: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(ch, errors="ignore")).lower()


@lru_cache(maxsize=262144)
def name_tokens(name: str) -> tuple[str, ...]:
    """Pinyin syllables for Chinese (one per character, cached: phrase segmentation costs
    30x more and names are not phrases), lower-case words otherwise (camel case split)."""
    s = unicodedata.normalize("NFKC", name)
    tokens: list[str] = []
    if _HAN.search(s):
        for part in re.findall(r"[\u3400-\u9fff]|[A-Za-z]+", s):
            if _HAN.match(part):
                syllable = _char_pinyin(part)
                if syllable:
                    tokens.append(syllable)
            else:
                tokens += [w.lower() for w in _WORDS.findall(part)]
    else:
        tokens = [w.lower() for w in _WORDS.findall(s)]
    return tuple(tokens)


def _han(name: str) -> str | None:
    chars = "".join(_HAN.findall(name))
    return chars or None


def _address(value: str | None) -> str | None:
    if not value:
        return None
    s = re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", value).lower()).strip()
    return s or None


def _city(value: str | None) -> str | None:
    if not value:
        return None
    s = unicodedata.normalize("NFKC", value).lower().strip()
    s = re.sub(r"(市|省|区|县|city)$", "", s)
    return s or None


def person_from_values(v: dict[str, Any], existing: bool = False) -> Person:
    """A Person from cleaned candidate values (a stored record or an imported row)."""
    birth = v.get("birth_date")
    return Person(
        name=v.get("name") or "",
        phone=v.get("phone"),
        email=v.get("email"),
        birth_date=birth.isoformat() if isinstance(birth, dt.date) else birth,
        city=v.get("city"),
        school=v.get("school"),
        existing=existing,
        address=v.get("address"),
        postcode=v.get("postcode"),
        id_token=v.get("id_number"),
    )


OPTIONAL_KEYS = ("address", "address_num", "postcode", "id_token")


def person_keys(p: Person) -> dict[str, Any]:
    """The comparison keys of one person: one row of the linkage frame. The optional keys
    (`OPTIONAL_KEYS`) are left out when the person has none: most files carry no address
    or ID number, and every key is pickled from the cleaning workers (`linkage.frame` adds
    the missing columns)."""
    toks = name_tokens(p.name)
    concat = "".join(toks)
    keys: dict[str, Any] = {
        "name_concat": concat or None,
        "name_sorted": " ".join(sorted(toks)) or None,
        "name_letters": "".join(sorted(concat)) or None,
        "name_han": _han(p.name),
        "phone": p.phone or None,
        "email": p.email or None,
        "email_user": p.email.split("@")[0] if p.email else None,
        "birth": p.birth_date or None,
        # Birth dates alone make big blocks (a file of 100,000 people has ~8 per
        # day); with the first letter of the name key they stay small.
        "birth_initial": f"{p.birth_date}/{concat[:1]}" if p.birth_date else None,
        "city": _city(p.city),
        "school": (p.school or "").strip().lower() or None,
        "existing": p.existing,
    }
    if p.address:
        address = keys["address"] = _address(p.address)
        keys["address_num"] = " ".join(re.findall(r"\d+", address or "")) or None
    if p.postcode:
        keys["postcode"] = re.sub(r"\s+", "", p.postcode).upper() or None
    if p.id_token:
        keys["id_token"] = p.id_token
    return keys
