"""Our blocking and comparisons (NumPy) give exactly what recordlinkage's (pandas) give: it
was the engine until the desktop bundle dropped it with pandas, scikit-learn and SciPy. The
same candidate pairs in the same order and the same features, on labelled data with every
optional key present."""

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


def _df(table: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame({k: v for k, v in table.items()})


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
    table = frame(_people())
    keys = ("phone", "email", "name_letters", "name_han", "email_user", "birth_initial", "id_token")
    coded = linkage._coded(table, keys)
    left, right = block_pairs(coded, keys)
    theirs = _recordlinkage_pairs(_df(coded), keys)
    assert len(theirs) > 1000  # a real test: many pairs, several keys overlapping
    assert list(zip(left.tolist(), right.tolist(), strict=True)) == list(theirs)


def test_adaptive_name_blocks_split_by_city_as_pandas_did() -> None:
    """Above MAX_NAME_BLOCK a name block is split by city; a row without a city then blocks
    on nothing by name (pandas' "name" + "/" + missing is missing)."""
    people = [Person("王芳", city=["北京", "上海", None][i % 3]) for i in range(15)]
    people += [Person("李雷", city=None), Person("李雷", city=None)]
    left, right = linkage.candidate_pairs(frame(people))
    pairs = set(zip(left.tolist(), right.tolist(), strict=True))
    beijing = [i for i in range(15) if i % 3 == 0]
    assert (beijing[1], beijing[0]) in pairs
    assert not any(i % 3 == 2 or j % 3 == 2 for i, j in pairs if i < 15)  # no city: no name pair
    assert not any(i % 3 != j % 3 for i, j in pairs if i < 15)  # cities never mixed
    assert (16, 15) in pairs  # a small block is kept whole, city or not


def test_features_equal_recordlinkages() -> None:
    people = _people()
    table = frame([], [person_keys(p) for p in people])
    coded = linkage._coded(table, linkage._EXACT)
    left, right = linkage.candidate_pairs(table)
    # random pairs too: most of them disagree, the other half of what the model learns from
    rl_left, rl_right = linkage._random_pairs(len(people), 3000)
    found = set(zip(left.tolist(), right.tolist(), strict=True))
    both = sorted(found | set(zip(rl_left.tolist(), rl_right.tolist(), strict=True)))
    left = np.array([a for a, _ in both])
    right = np.array([b for _, b in both])
    pairs = pd.MultiIndex.from_arrays([left, right])
    df, cdf = _df(table), _df(coded)
    raw = _recordlinkage_raw(df, cdf, pairs)
    assert {"address", "postcode", "id_token"} <= set(raw.columns)
    assert raw["address"].isna().any() and (raw["address"] > 0.9).any()
    present = {"address", "postcode", "id_token"}
    expected = linkage.features({k: raw[k].to_numpy() for k in raw.columns}, len(left), present)
    ours = compare(table, (left, right), coded)
    assert list(ours.columns) == list(expected.columns) and len(ours) == len(left)
    for name, column in ours.columns.items():
        np.testing.assert_array_equal(column, expected[name], err_msg=name)
    assert ours["address_same"].sum() > 0 and ours["id_agree"].sum() > 0
    # the raw comparisons themselves, to the last bit
    names = table["name_sorted"]
    np.testing.assert_array_equal(
        linkage.jarowinkler_feature(names, left, right), raw["jw_sorted"].to_numpy()
    )
    addresses = table["address"]
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
        mine = linkage.exact_feature(coded[key], left, right, missing)
        np.testing.assert_array_equal(mine, raw[label].to_numpy(), err_msg=key)
