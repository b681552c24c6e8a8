"""Legacy candidate files imported on the hub: the laptop's cleaning and de-duplication,
matched against the hub's own candidates, pulled by laptops, reported row by row."""

from __future__ import annotations

import uuid
from pathlib import Path

from app.core.domain import Role
from app.core.paths import resources_dir
from tests.migrate.datagen import write_xlsx_fast
from tests.server.hubtools import Org

SAMPLE = resources_dir() / "samples/legacy-candidates.csv"


def _pull_candidates(org: Org) -> dict[str, dict[str, object]]:
    uid, _ = org.add_user(Role.HR)
    with org.client(org.enrol_device(uid).tokens.access_token) as dev:
        changes = dev.get("/api/v1/sync/pull", params={"limit": 1000}).json()["changes"]
    return {ch["entity_id"]: ch["payload"] for ch in changes if ch["entity"] == "candidate"}


def test_a_legacy_file_is_cleaned_deduplicated_and_reaches_laptops(org: Org) -> None:
    body = SAMPLE.read_bytes()
    with org.client() as c:
        r = c.post("/api/v1/migrate/candidates", params={"filename": SAMPLE.name}, content=body)
        assert r.status_code == 200, r.text
        report = r.json()
        counts = report["counts"]
        assert counts["read"] == 16 and counts["rejected"] == 0
        assert report["hub"]["created"] == counts["created"] == 16 - counts["merged"]
        assert report["hub"]["review_kept_apart"] == counts["review"] == 2
        assert len(report["clusters"]) == 5  # the sample's five clear duplicate pairs
        assert report["corrections"]  # phones, dates, levels normalised
        # The same file again: every row matches a candidate the hub now holds.
        again = c.post(
            "/api/v1/migrate/candidates", params={"filename": SAMPLE.name}, content=body
        ).json()
        assert again["hub"]["created"] == 0 and again["counts"]["merged"] == 16
    pulled = _pull_candidates(org)
    assert len(pulled) == report["hub"]["created"]
    wang = [p for p in pulled.values() if p["name"] in ("王思远", "Wang Siyuan")]
    assert len(wang) == 1  # two spellings, one person
    assert wang[0]["phone"] in ("+8613800134567", "+8613900139876")  # one of the two rows'
    assert wang[0]["birth_date"] == "1994-03-12" and wang[0]["source"] == "import"


def test_bad_rows_are_reported_and_bad_files_refused(org: Org, tmp_path: Path) -> None:
    path = tmp_path / "ats.xlsx"
    write_xlsx_fast(
        path,
        [
            {"姓名": "赵敏", "手机": "13512345678", "出生日期": "1990-02-30"},
            {"姓名": "周芷若", "手机": "not a phone", "出生日期": "1991-05-01"},
            {"姓名": "", "手机": "13612345678", "出生日期": "1992-01-01"},
            {"姓名": "张无忌", "手机": "13712345678", "出生日期": "1993-03-03"},
        ],
    )
    with org.client() as c:
        r = c.post(
            "/api/v1/migrate/candidates", params={"filename": "ats.xlsx"}, content=path.read_bytes()
        )
        assert r.status_code == 200, r.text
        report = r.json()
        assert {(x["row"], x["field"]) for x in report["rejected"]} == {
            (2, "birth_date"),
            (3, "phone"),
            (4, "name"),
        }
        assert report["hub"]["created"] == 1
        # Not a spreadsheet although named like one; a suffix no reader knows.
        broken = c.post(
            "/api/v1/migrate/candidates", params={"filename": "x.xlsx"}, content=b"PK\x03\x04junk"
        )
        assert broken.status_code == 422 and "x.xlsx" in broken.json()["detail"]["message"]
        exe = c.post("/api/v1/migrate/candidates", params={"filename": "a.exe"}, content=b"x")
        assert exe.status_code == 422 and ".csv" in exe.json()["detail"]["message"]
    # Importing is an HR/admin action, checked like the HRIS exchange.
    _, token = org.add_user(Role.INTERVIEWER)
    with org.client(token) as c:
        denied = c.post(
            "/api/v1/migrate/candidates",
            params={"filename": "ats.xlsx", "org_unit_id": str(uuid.uuid4())},
            content=path.read_bytes(),
        )
        assert denied.status_code == 403
