"""Our blocking and comparisons give exactly what recordlinkage's give (it was the engine
until the desktop bundle dropped it with scikit-learn and SciPy): the same candidate pairs in
the same order and the same features, on labelled data with every optional key present."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from app.migrate import linkage
from app.migrate.linkage import Person, block_pairs, compare, frame, person_keys
from tests.migrate.datagen import DEV_MIX, labelled
from tests.migrate.test_import import _clean_people

rl = pytest.importorskip("recordlinkage")


def _people() -> list[Person]:
    records, _ = labelled(900, 20261127, DEV_MIX)
    people = _clean_people(records)
    rng = random.Random(5)
    streets = ["南京东路", "淮海中路", "Main Street", "Baker Street"]
    for p in people:  # optional keys on some rows, shared now and then, as in FEBRL files
        if rng.random() < 0.6:
            p.address = f"{rng.choice(streets)}{rng.randint(1, 30)}号"
        if rng.random() < 0.5:
            p.postcode = str(rng.randint(200000, 200030))
        if rng.random() < 0.3:
            p.id_token = f"id{rng.randint(0, 400)}"
    people[0].existing = people[1].existing = True
    return people


def _recordlinkage_pairs(df: pd.DataFrame, keys: tuple[str, ...]) -> pd.MultiIndex:
    indexer = rl.Index()
    for key in keys:
        indexer.block(key)
    pairs: pd.MultiIndex = indexer.index(df)
    return pairs


def _recordlinkage_raw(df: pd.DataFrame, coded: pd.DataFrame, pairs: pd.MultiIndex) -> pd.DataFrame:
    c = rl.Compare(n_jobs=1)
    c.string("name_sorted", "name_sorted", method="jarowinkler", label="jw_sorted")
    c.string("address", "address", method="jarowinkler", label="address", missing_value=np.nan)
    c.exact("address_num", "address_num", label="address_num", missing_value=np.nan)
    for key in ("postcode", "id_token"):
        c.exact(key, key, label=key, missing_value=np.nan)
    c.exact("name_letters", "name_letters", label="letters")
    c.exact("name_han", "name_han", label="han", missing_value=np.nan)
    for key in ("phone", "email", "birth", "city", "school"):
        c.exact(key, key, label=key, missing_value=np.nan)
    # recordlinkage compares the string columns as given and the exact ones coded
    both = coded.copy()
    both["name_sorted"], both["address"] = df["name_sorted"], df["address"]
    raw: pd.DataFrame = c.compute(pairs, both)
    return raw


def test_blocking_gives_recordlinkages_pairs_in_its_order() -> None:
    df = frame(_people())
    keys = ("phone", "email", "name_letters", "name_han", "email_user", "birth_initial", "id_token")
    coded = linkage._coded(df, keys)
    ours = block_pairs(coded, keys)
    theirs = _recordlinkage_pairs(coded, keys)
    assert len(theirs) > 1000  # a real test: many pairs, several keys overlapping
    assert list(ours) == list(theirs)
    # and the adaptive-name blocking of the matcher itself
    assert len(linkage.candidate_pairs(df)) > 0


def test_features_equal_recordlinkages() -> None:
    people = _people()
    df = frame([], [person_keys(p) for p in people])
    coded = linkage._coded(df, linkage._EXACT)
    pairs = linkage.candidate_pairs(df)
    # random pairs too: most of them disagree, the other half of what the model learns from
    pairs = pairs.append(linkage._random_pairs(len(df), 3000)).unique()
    raw = _recordlinkage_raw(df, coded, pairs)
    assert {"address", "postcode", "id_token"} <= set(raw.columns)
    assert raw["address"].isna().any() and (raw["address"] > 0.9).any()
    present = {"address", "postcode", "id_token"}
    expected = linkage.features({k: raw[k].to_numpy() for k in raw.columns}, pairs, present)
    ours = compare(df, pairs, coded)
    assert list(ours.columns) == list(expected.columns)
    assert (ours.to_numpy() == expected.to_numpy()).all()
    assert ours["address_same"].sum() > 0 and ours["id_agree"].sum() > 0
    # the raw comparisons themselves, to the last bit
    left, right = pairs.get_level_values(0).to_numpy(), pairs.get_level_values(1).to_numpy()
    names = df["name_sorted"].to_numpy(dtype=object)
    np.testing.assert_array_equal(
        linkage.jarowinkler_feature(names, left, right), raw["jw_sorted"].to_numpy()
    )
    addresses = df["address"].to_numpy(dtype=object)
    np.testing.assert_array_equal(
        linkage.jarowinkler_feature(addresses, left, right, np.nan), raw["address"].to_numpy()
    )
    for key, label, missing in [
        ("name_letters", "letters", 0.0),
        ("name_han", "han", np.nan),
        ("address_num", "address_num", np.nan),
        ("postcode", "postcode", np.nan),
        ("id_token", "id_token", np.nan),
        *[(k, k, np.nan) for k in ("phone", "email", "birth", "city", "school")],
    ]:
        mine = linkage.exact_feature(coded[key].to_numpy(), left, right, missing)
        np.testing.assert_array_equal(mine, raw[label].to_numpy(), err_msg=key)
