"""Duplicate detection: blocking, pairwise comparisons, a Fellegi-Sunter model for match
probabilities, and clusters of records that are the same person.

The keys do the work: names become pinyin token keys (张伟 = Zhang Wei = Wei Zhang =
zhangwei), phones E.164, e-mails lower-case, dates ISO. Blocking and comparison are written
here with NumPy and jellyfish and give exactly what recordlinkage's `Index.block` and
`Compare.exact`/`Compare.string(method="jarowinkler")` give (a test holds them equal):
recordlinkage needs pandas, scikit-learn and SciPy, ~100 MB the desktop bundle would carry
for two small functions. The plain recordlinkage baseline is `app.migrate.baseline`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from jellyfish import jaro_winkler_similarity

from app.migrate.linkkeys import OPTIONAL_KEYS, Person, name_tokens, person_keys

__all__ = ["Person", "name_tokens", "person_keys"]  # re-exported: the old home of these names

log = logging.getLogger(__name__)

AUTO_MERGE = 0.99
REVIEW = 0.5
MAX_NAME_BLOCK = 12


@dataclass
class Pair:
    left: int
    right: int
    probability: float


@dataclass
class Linkage:
    pairs: list[Pair]
    clusters: list[list[int]]  # every input index in exactly one cluster
    cluster_probability: dict[int, float]  # cluster root -> weakest merge edge
    review: list[Pair] = field(default_factory=list)
    candidate_pairs: int = 0


Table = dict[str, np.ndarray[Any, Any]]  # column -> one value per person (None: missing)
Pairs = tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]  # (left, right), left > right


def frame(people: Sequence[Person], keys: Sequence[dict[str, Any]] | None = None) -> Table:
    """One row per person with the comparison keys (`keys`: the same rows made earlier, e.g.
    by the cleaning workers), as columns; a key a row lacks is None."""
    rows = list(keys) if keys is not None else [person_keys(p) for p in people]
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    columns.update(dict.fromkeys(OPTIONAL_KEYS))
    columns.pop("existing", None)  # a bool column, below
    table: Table = {}
    for col in columns:
        values = np.empty(len(rows), dtype=object)
        values[:] = [row.get(col) for row in rows]
        table[col] = values
    table["existing"] = np.array([bool(row.get("existing")) for row in rows], dtype=bool)
    return table


_EXACT = (
    "address_num",
    "name_letters",
    "name_han",
    "phone",
    "email",
    "birth",
    "city",
    "school",
    "postcode",
    "id_token",
)


def _factorize(values: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Numbers equal where the values are equal, NaN where they are missing (None)."""
    index: dict[Any, int] = {}
    out = np.fromiter(
        (np.nan if v is None else index.setdefault(v, len(index)) for v in values),
        dtype=np.float64,
        count=len(values),
    )
    return out


def _coded(table: Table, columns: Sequence[str]) -> Table:
    """`columns` replaced by numbers, equal where the strings are equal and NaN where they
    are missing: blocking and exact comparison give the same pairs and features, and numbers
    compare many times faster than Python strings."""
    out = dict(table)
    for col in columns:
        out[col] = _factorize(table[col])
    return out


def _joined(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """ "a/b" per row, None where either is missing."""
    out = np.empty(len(a), dtype=object)
    out[:] = [None if x is None or y is None else f"{x}/{y}" for x, y in zip(a, b, strict=True)]
    return out


def candidate_pairs(table: Table, coded: Table | None = None) -> Pairs:
    """Blocking: a pair is compared when it shares a phone, e-mail, e-mail user, name key,
    or birth date and initial. `coded`: the table's `_coded` form when already made."""
    # Adaptive name blocks: a common name ("Wang Fang", "John Smith") would make a block
    # whose pairs grow with the square of its size; above MAX_NAME_BLOCK such a block is
    # split by city, while phone, e-mail and birth-date blocks still catch movers.
    codes = coded["name_letters"] if coded is not None else _factorize(table["name_letters"])
    known = ~np.isnan(codes)
    counts = np.bincount(codes[known].astype(np.int64), minlength=1)
    big = np.zeros(len(codes), dtype=bool)
    big[known] = counts[codes[known].astype(np.int64)] > MAX_NAME_BLOCK
    blocked = dict(table)
    for key, col in (("name_block", "name_letters"), ("han_block", "name_han")):
        values = table[col].copy()
        values[big] = _joined(table[col][big], table["city"][big])
        blocked[key] = values
    blocks = (
        "phone",
        "email",
        "name_block",
        "han_block",
        "email_user",
        "birth_initial",
        "id_token",
    )
    left, right = block_pairs(_coded(blocked, blocks), blocks)
    existing = table["existing"]
    if len(left) and bool(existing.any()):
        keep = ~(existing[left] & existing[right])
        left, right = left[keep], right[keep]
    return left, right


def block_pairs(table: Table, keys: Sequence[str]) -> Pairs:
    """Pairs (i, j), i > j, of rows equal on at least one of `keys` (coded: NaN is missing
    and matches nothing), in sorted order: recordlinkage's `Index` with one `block(key)` per
    key."""
    n = len(next(iter(table.values()))) if table else 0
    found = [np.zeros(0, dtype=np.int64)]
    for key in keys:
        codes = table[key]
        rows = np.flatnonzero(~np.isnan(codes))
        rows = rows[np.argsort(codes[rows], kind="stable")]  # each block's rows, in order
        sorted_codes = codes[rows]
        starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
        sizes = np.diff(np.r_[starts, len(rows)])
        # Each row pairs with the rows before it in its block: position t of a block makes t
        # pairs, with the block's positions 0..t-1.
        pos_start = np.repeat(starts, sizes)
        before = np.arange(len(rows)) - pos_start
        total = int(before.sum())
        if total == 0:
            continue
        first = np.repeat(np.arange(len(rows)), before)
        offsets = np.arange(total) - np.repeat(np.cumsum(before) - before, before)
        second = np.repeat(pos_start, before) + offsets
        a, b = rows[first], rows[second]
        found.append(np.maximum(a, b) * n + np.minimum(a, b))
    codes = np.unique(np.concatenate(found))
    return codes // max(n, 1), codes % max(n, 1)


def exact_feature(
    values: np.ndarray[Any, Any],
    left: np.ndarray[Any, Any],
    right: np.ndarray[Any, Any],
    missing: float = np.nan,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """1 where the (coded, float) values of a pair agree, 0 where they differ, `missing`
    where either is missing (recordlinkage's `Compare.exact`)."""
    a, b = values[left], values[right]
    out: np.ndarray[Any, np.dtype[np.float64]] = (a == b).astype(np.float64)
    out[np.isnan(a) | np.isnan(b)] = missing
    return out


def jarowinkler_feature(
    values: np.ndarray[Any, Any],
    left: np.ndarray[Any, Any],
    right: np.ndarray[Any, Any],
    missing: float = 0.0,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Jaro-Winkler similarity of each pair's strings, `missing` where either is missing
    (recordlinkage's `Compare.string(method="jarowinkler")`, the same jellyfish function)."""
    absent = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
    out = np.full(len(left), missing, dtype=np.float64)
    todo = np.flatnonzero(~(absent[left] | absent[right]))
    out[todo] = [
        jaro_winkler_similarity(values[i], values[j])
        for i, j in zip(left[todo], right[todo], strict=True)
    ]
    return out


@dataclass
class Features:
    """Binary features of `n` pairs: name -> 0/1 (int8) per pair, in a fixed order."""

    columns: dict[str, np.ndarray[Any, np.dtype[np.int8]]]
    n: int

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, name: str) -> np.ndarray[Any, np.dtype[np.int8]]:
        return self.columns[name]


def compare(table: Table, pairs: Pairs, coded: Table | None = None) -> Features:
    """Binary evidence per pair: agreement and disagreement are separate features, so a
    missing value is neither (what a missing phone says is 'nothing')."""
    # Keys no row of this file has (most files carry no address or ID number) add no
    # features: an absent feature still moves every pair's probability.
    present = {k for k in _OPTIONAL if k in table and any(v is not None for v in table[k])}
    if coded is None:
        coded = _coded(table, _EXACT)
    left, right = pairs

    def exact(key: str, missing: float = np.nan) -> Any:
        return exact_feature(coded[key], left, right, missing)

    def string(key: str, missing: float = 0.0) -> Any:
        return jarowinkler_feature(table[key], left, right, missing)

    raw: dict[str, Any] = {"jw_sorted": string("name_sorted")}
    if "address" in present:
        raw["address"] = string("address", missing=np.nan)
        raw["address_num"] = exact("address_num")
    for key in ("postcode", "id_token"):
        if key in present:
            raw[key] = exact(key)
    raw["letters"] = exact("name_letters", missing=0.0)
    raw["han"] = exact("name_han")
    for key in ("phone", "email", "birth", "city", "school"):
        raw[key] = exact(key)
    return features(raw, len(left), present)


def features(raw: Any, n: int, present: set[str]) -> Features:
    """The binary features of `compare` for `n` pairs from the raw comparisons (a mapping of
    label to array: Jaro-Winkler similarities, exact agreement 1/0/NaN)."""
    raw = {k: np.asarray(v) for k, v in raw.items()}
    name_sim = raw["jw_sorted"]
    same_name = (raw["jw_sorted"] >= 0.999) | (raw["letters"] == 1) | (raw["han"] == 1)
    out: dict[str, Any] = {}
    out["name_same"] = same_name
    out["name_close"] = ~same_name & (name_sim >= 0.88)
    out["name_far"] = ~same_name & (name_sim < 0.75)
    out["han_differs"] = raw["han"] == 0
    for key in ("phone", "email", "birth"):
        out[f"{key}_agree"] = raw[key] == 1
        out[f"{key}_differs"] = raw[key] == 0
    out["city_agree"] = raw["city"] == 1
    out["city_differs"] = raw["city"] == 0
    out["school_agree"] = raw["school"] == 1
    if "address" in present:
        # House numbers decide: "南京东路1号" and "南京东路100号" are close, not the same.
        same_num = raw["address_num"] != 0
        out["address_same"] = (raw["address"] >= 0.93) & same_num
        out["address_close"] = (raw["address"] >= 0.85) & ~out["address_same"]
        out["address_differs"] = raw["address"] < 0.6
    for key, short in (("postcode", "postcode"), ("id_token", "id")):
        if key in present:
            out[f"{short}_agree"] = raw[key] == 1
            out[f"{short}_differs"] = raw[key] == 0
    return Features({k: np.asarray(v, dtype=np.int8) for k, v in out.items()}, n)


_OPTIONAL = ("address", "postcode", "id_token")
_EVIDENCE_ONLY = frozenset(
    {
        "address_same",
        "address_close",
        "address_differs",
        "postcode_agree",
        "postcode_differs",
        "id_agree",
        "id_differs",
    }
)


# m = P(feature | same person), and u = P(feature | different people) for files too small
# to measure u on random pairs (`match_probability`).
_PRIOR_M = {
    "name_same": 0.8,
    "name_close": 0.15,
    "name_far": 0.002,
    "han_differs": 0.05,
    "phone_agree": 0.7,
    "phone_differs": 0.15,
    "email_agree": 0.6,
    "email_differs": 0.15,
    "birth_agree": 0.7,
    "birth_differs": 0.01,
    "city_agree": 0.6,
    "city_differs": 0.2,
    "school_agree": 0.5,
    # An identity number is typed wrong now and then, an address changes when people move.
    "id_agree": 0.8,
    "id_differs": 0.03,
    "address_same": 0.5,
    "address_close": 0.25,
    "address_differs": 0.15,
    "postcode_agree": 0.7,
    "postcode_differs": 0.2,
}
_PRIOR_U = {
    "name_same": 0.05,
    "name_close": 0.05,
    "name_far": 0.8,
    "han_differs": 0.3,
    "phone_agree": 0.001,
    "phone_differs": 0.6,
    "email_agree": 0.001,
    "email_differs": 0.5,
    "birth_agree": 0.01,
    "birth_differs": 0.6,
    "city_agree": 0.1,
    "city_differs": 0.6,
    "school_agree": 0.02,
    "id_agree": 0.0001,
    "id_differs": 0.99,
    "address_same": 0.0005,
    "address_close": 0.01,
    "address_differs": 0.9,
    "postcode_agree": 0.02,
    "postcode_differs": 0.9,
}


# Same-name pairs are far more common among different people than random pairs show:
# namesakes (张伟 is shared by ~300,000 people) cluster in any real file.
_U_FLOOR = {"name_same": 0.01, "name_close": 0.01, "birth_agree": 0.001}


def _fellegi_sunter(
    features: Features, m: dict[str, float], u: dict[str, float], prior: float
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """P(match | features) with independent binary features; absent features count too,
    except the optional keys' (`_EVIDENCE_ONLY`): a record without an address or ID number
    is no evidence either way, or every namesake without one would look closer."""
    logit = np.full(len(features), np.log(prior / (1 - prior)))
    for col, x in features.columns.items():
        mi = min(max(m[col], 1e-6), 1 - 1e-6)
        ui = min(max(u[col], 1e-6), 1 - 1e-6)
        absent = 0.0 if col in _EVIDENCE_ONLY else np.log((1 - mi) / (1 - ui))
        logit += np.where(x == 1, np.log(mi / ui), absent)
    probs: np.ndarray[Any, np.dtype[np.float64]] = 1.0 / (1.0 + np.exp(-logit))
    return probs


def match_probability(
    features: Features, chance: Features | None = None
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Fellegi-Sunter match probability. m (P(feature | same person)) comes from the priors;
    u (P(feature | different people)) is measured on random pairs of this very file when
    given (`chance`), as splink does: what agreement by chance looks like depends on the data
    (a file of one city agrees on city all the time).

    ECM estimation of m was tried and rejected: with blocking on names the EM separates
    "same name" pairs from the rest instead of matches from non-matches (label switching)."""
    if len(features) == 0:
        return np.zeros(0)
    m, u = dict(_PRIOR_M), dict(_PRIOR_U)
    if chance is not None and len(chance) >= 1000:
        for col in features.columns:
            # Floors: a few thousand random pairs cannot show a rate below ~1/n.
            rate = chance[col].mean()
            u[col] = float(np.clip(rate, _U_FLOOR.get(col, 1.0 / len(chance)), 0.99))
    return _fellegi_sunter(features, m, u, 0.05)


class Clusters:
    """Union-find over record indices 0..n-1; a union keeps the smaller index as the root."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> dict[int, list[int]]:
        """Root -> its members, in index order."""
        out: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            out.setdefault(self.find(i), []).append(i)
        return out


def _random_pairs(n: int, size: int = 20000) -> Pairs:
    rng = np.random.default_rng(20261126)
    a = rng.integers(0, n, size)
    b = rng.integers(0, n, size)
    keep = a != b
    return np.maximum(a, b)[keep], np.minimum(a, b)[keep]


def link(
    people: Sequence[Person] | None,
    auto_merge: float = AUTO_MERGE,
    review: float = REVIEW,
    keys: Sequence[dict[str, Any]] | None = None,
) -> Linkage:
    """Pairs with probabilities, clusters joined above `auto_merge`, pairs for review between.
    `keys` (the rows of `person_keys`, e.g. made by the cleaning workers) may stand in for
    `people`."""
    if keys is None:
        if people is None:
            raise ValueError("link() needs people or their keys")
        keys = [person_keys(p) for p in people]
    n = len(keys)
    if n < 2:
        return Linkage([], [[i] for i in range(n)], {})
    table = frame([], keys)
    coded = _coded(table, _EXACT)
    idx = candidate_pairs(table, coded)
    found = compare(table, idx, coded)
    # Chance agreement is only measurable on a file big enough for random pairs to differ.
    chance = compare(table, _random_pairs(n), coded) if n >= 500 else None
    probs = match_probability(found, chance)
    left, right = idx
    pairs = [
        Pair(int(a), int(b), float(p))
        for a, b, p in zip(left, right, probs, strict=True)
        if p >= review
    ]
    uf = Clusters(n)
    stored_roots = {i for i, k in enumerate(keys) if k["existing"]}
    weakest: dict[int, float] = {}
    for pair in sorted(pairs, key=lambda x: -x.probability):
        if pair.probability < auto_merge:
            break
        ra, rb = uf.find(pair.left), uf.find(pair.right)
        if ra == rb:
            continue
        # Two records already in the store are never joined automatically (a person
        # decided they are separate, or they came in separately); a reviewer can.
        if ra in stored_roots and rb in stored_roots:
            continue
        w = min(weakest.pop(ra, 1.0), weakest.pop(rb, 1.0), pair.probability)
        has_stored = ra in stored_roots or rb in stored_roots
        stored_roots.discard(ra)
        stored_roots.discard(rb)
        uf.union(ra, rb)
        root = uf.find(ra)
        weakest[root] = w
        if has_stored:
            stored_roots.add(root)
    groups = uf.groups()
    review_pairs: dict[tuple[int, int], Pair] = {}
    for pair in pairs:
        ra, rb = uf.find(pair.left), uf.find(pair.right)
        if ra == rb:
            continue
        key = (min(ra, rb), max(ra, rb))
        if key not in review_pairs or review_pairs[key].probability < pair.probability:
            review_pairs[key] = pair
    return Linkage(
        pairs,
        list(groups.values()),
        {root: weakest.get(root, 1.0) for root in groups},
        sorted(review_pairs.values(), key=lambda p: -p.probability),
        len(left),
    )


def pairwise_scores(
    clusters: Sequence[Sequence[int]], truth: Sequence[object]
) -> dict[str, float | int]:
    """Pairwise precision, recall and F1 of `clusters` against true entity labels."""

    def pairs_of(groups: Sequence[Sequence[int]]) -> set[tuple[int, int]]:
        out: set[tuple[int, int]] = set()
        for g in groups:
            s = sorted(g)
            out.update((s[i], s[j]) for i in range(len(s)) for j in range(i + 1, len(s)))
        return out

    by_label: dict[object, list[int]] = {}
    for i, label in enumerate(truth):
        by_label.setdefault(label, []).append(i)
    true_pairs = pairs_of(list(by_label.values()))
    found = pairs_of(clusters)
    tp = len(true_pairs & found)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "true_pairs": len(true_pairs),
        "predicted_pairs": len(found),
    }
