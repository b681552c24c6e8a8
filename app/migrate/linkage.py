"""Duplicate detection: blocking, pairwise comparisons, a Fellegi-Sunter model for match
probabilities, and clusters of records that are the same person.

The keys do the work: names become pinyin token keys (张伟 = Zhang Wei = Wei Zhang =
zhangwei), phones E.164, e-mails lower-case, dates ISO. Blocking and comparison are written
here with pandas and jellyfish and give exactly what recordlinkage's `Index.block` and
`Compare.exact`/`Compare.string(method="jarowinkler")` give (a test holds them equal):
recordlinkage needs scikit-learn and SciPy, 80 MB the desktop bundle would carry for two
small functions. The plain recordlinkage baseline is `app.migrate.baseline`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
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


def frame(people: Sequence[Person], keys: Sequence[dict[str, Any]] | None = None) -> pd.DataFrame:
    """One row per person with the comparison keys (`keys`: the same rows made earlier, e.g.
    by the cleaning workers)."""
    df = pd.DataFrame(list(keys) if keys is not None else [person_keys(p) for p in people])
    for col in OPTIONAL_KEYS:
        if col not in df.columns:
            df[col] = None
    return df


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


def _coded(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """`columns` replaced by numbers, equal where the strings are equal and NaN where they
    are missing: blocking and exact comparison give the same pairs and features, but pandas
    compares numbers many times faster than Python strings."""
    out = df.copy(deep=False)
    for col in columns:
        codes = pd.factorize(df[col])[0].astype(np.float64)
        codes[codes < 0] = np.nan
        out[col] = codes
    return out


def candidate_pairs(df: pd.DataFrame) -> pd.MultiIndex:
    """Blocking: a pair is compared when it shares a phone, e-mail, e-mail user, name key,
    or birth date and initial."""
    df = df.copy()
    # Adaptive name blocks: a common name ("Wang Fang", "John Smith") would make a block
    # whose pairs grow with the square of its size; above MAX_NAME_BLOCK such a block is
    # split by city, while phone, e-mail and birth-date blocks still catch movers.
    codes = pd.factorize(df["name_letters"])[0]
    counts = np.bincount(codes[codes >= 0], minlength=1)
    big = (codes >= 0) & (counts[np.maximum(codes, 0)] > MAX_NAME_BLOCK)
    df["name_block"] = df["name_letters"].where(~big, df["name_letters"] + "/" + df["city"])
    df["han_block"] = df["name_han"].where(~big, df["name_han"] + "/" + df["city"])
    blocks = (
        "phone",
        "email",
        "name_block",
        "han_block",
        "email_user",
        "birth_initial",
        "id_token",
    )
    pairs = block_pairs(_coded(df, blocks), blocks)
    if len(pairs) and bool(df["existing"].any()):
        existing = df["existing"].to_numpy()
        keep = ~(existing[pairs.get_level_values(0)] & existing[pairs.get_level_values(1)])
        pairs = pairs[keep]
    result: pd.MultiIndex = pairs
    return result


def block_pairs(df: pd.DataFrame, keys: Sequence[str]) -> pd.MultiIndex:
    """Pairs (i, j), i > j, of rows equal on at least one of `keys` (a missing value matches
    nothing), in sorted order: recordlinkage's `Index` with one `block(key)` per key."""
    n = len(df)
    rows = np.arange(n, dtype=np.int64)
    found = []
    for key in keys:
        side = pd.DataFrame({"k": df[key].to_numpy(), "i": rows}).dropna(subset=["k"])
        merged = side.merge(side, on="k")
        a, b = merged["i_x"].to_numpy(), merged["i_y"].to_numpy()
        keep = a > b
        found.append(a[keep] * n + b[keep])
    codes = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    return pd.MultiIndex.from_arrays([codes // n, codes % n])


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
    absent = pd.isna(values)
    a, b = values[left], values[right]
    gone = absent[left] | absent[right]
    out = np.full(len(left), missing, dtype=np.float64)
    todo = np.flatnonzero(~gone)
    out[todo] = [jaro_winkler_similarity(a[k], b[k]) for k in todo]
    return out


def compare(
    df: pd.DataFrame, pairs: pd.MultiIndex, coded: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Binary evidence per pair: agreement and disagreement are separate features, so a
    missing value is neither (what a missing phone says is 'nothing')."""
    # Keys no row of this file has (most files carry no address or ID number) add no
    # features: an absent feature still moves every pair's probability.
    present = {k for k in _OPTIONAL if k in df.columns and df[k].notna().any()}
    if coded is None:
        coded = _coded(df, _EXACT)
    left = pairs.get_level_values(0).to_numpy()
    right = pairs.get_level_values(1).to_numpy()

    def exact(key: str, missing: float = np.nan) -> Any:
        return exact_feature(coded[key].to_numpy(), left, right, missing)

    def string(key: str, missing: float = 0.0) -> Any:
        return jarowinkler_feature(df[key].to_numpy(dtype=object), left, right, missing)

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
    return features(raw, pairs, present)


def features(raw: Any, pairs: pd.MultiIndex, present: set[str]) -> pd.DataFrame:
    """The binary features of `compare` from the raw comparisons (a mapping of label to
    array: Jaro-Winkler similarities, exact agreement 1/0/NaN)."""
    name_sim = np.asarray(raw["jw_sorted"])
    raw = {k: np.asarray(v) for k, v in raw.items()}
    same_name = (raw["jw_sorted"] >= 0.999) | (raw["letters"] == 1) | (raw["han"] == 1)
    out = pd.DataFrame(index=pairs)
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
    return out.astype(np.int8)


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


# Starting values for the EM, and the fallback when there are too few pairs to learn from:
# m = P(feature | same person), u = P(feature | different people).
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
    features: pd.DataFrame, m: dict[str, float], u: dict[str, float], prior: float
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """P(match | features) with independent binary features; absent features count too,
    except the optional keys' (`_EVIDENCE_ONLY`): a record without an address or ID number
    is no evidence either way, or every namesake without one would look closer."""
    logit = np.full(len(features), np.log(prior / (1 - prior)))
    for col in features.columns:
        x = features[col].to_numpy()
        mi = min(max(m[col], 1e-6), 1 - 1e-6)
        ui = min(max(u[col], 1e-6), 1 - 1e-6)
        absent = 0.0 if col in _EVIDENCE_ONLY else np.log((1 - mi) / (1 - ui))
        logit += np.where(x == 1, np.log(mi / ui), absent)
    probs: np.ndarray[Any, np.dtype[np.float64]] = 1.0 / (1.0 + np.exp(-logit))
    return probs


def match_probability(
    features: pd.DataFrame, chance: pd.DataFrame | None = None
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
            u[col] = float(np.clip(chance[col].mean(), _U_FLOOR.get(col, 1.0 / len(chance)), 0.99))
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


def _random_pairs(n: int, size: int = 20000) -> pd.MultiIndex:
    rng = np.random.default_rng(20261126)
    a = rng.integers(0, n, size)
    b = rng.integers(0, n, size)
    keep = a != b
    return pd.MultiIndex.from_arrays([np.maximum(a, b)[keep], np.minimum(a, b)[keep]])


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
    df = frame([], keys)
    idx = candidate_pairs(df)
    coded = _coded(df, _EXACT)
    features = compare(df, idx, coded)
    # Chance agreement is only measurable on a file big enough for random pairs to differ.
    chance = compare(df, _random_pairs(n), coded) if n >= 500 else None
    probs = match_probability(features, chance)
    left = idx.get_level_values(0).to_numpy()
    right = idx.get_level_values(1).to_numpy()
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
        len(idx),
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
