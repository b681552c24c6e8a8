"""The plain recordlinkage baseline our matcher is measured against (tests, `make bench`).

Not part of the app: recordlinkage (with scikit-learn and SciPy) is a development dependency,
and the desktop bundle leaves this module out.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pandas as pd
import recordlinkage as rl

from app.migrate.linkage import Clusters

# recordlinkage logs every indexing and comparison step at INFO; that is noise here.
logging.getLogger("recordlinkage").setLevel(logging.WARNING)


def baseline_link(raw: Sequence[dict[str, str | None]]) -> list[list[int]]:
    """recordlinkage with straightforward settings on the raw strings (no pinyin, phone or
    e-mail normalisation): block on name or phone, compare, ECM, clusters of matches."""
    df = pd.DataFrame(
        [
            {k: (v.strip() if isinstance(v, str) and v.strip() else None) for k, v in r.items()}
            for r in raw
        ]
    )
    for col in ("name", "phone", "email", "birth_date", "city"):
        if col not in df:
            df[col] = None
    indexer = rl.Index()
    indexer.block("name")
    indexer.block("phone")
    pairs = indexer.index(df)
    c = rl.Compare()
    c.string("name", "name", method="jarowinkler", threshold=0.85, label="name")
    c.exact("phone", "phone", label="phone")
    c.exact("email", "email", label="email")
    c.exact("birth_date", "birth_date", label="birth_date")
    c.exact("city", "city", label="city")
    features = c.compute(pairs, df)
    uf = Clusters(len(df))
    if len(features):
        matches = rl.ECMClassifier().fit_predict(features)
        for a, b in matches:
            uf.union(int(a), int(b))
    return list(uf.groups().values())
