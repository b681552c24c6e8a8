"""The adverse-impact report through a real hub: HR imports self-reported demographics, the
report matches the hand-computed example, and scorers never see the demographic data."""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

import httpx
import pytest

from app.core.domain import Role
from tests.privacy.impact.test_ratios import CELLS
from tests.server.hubtools import Org

# Words that only the demographic data contains (no name, job or status uses them).
SECRET_WORDS = ("race_ethnicity", "female", "asian", "hispanic", "declined")


def _post(c: httpx.Client, path: str, body: Any, **params: str) -> httpx.Response:
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    r = c.post(path, params=params, content=data)
    assert r.status_code == 200, r.text
    return r


def _populate(org: Org) -> dict[str, Any]:
    """One job, 221 applications as in the hand-computed example; demographics for all but
    the 10 'unknown' people; statuses say who advanced."""
    job = str(uuid.uuid4())
    cands, apps, demo = [], [], []
    for sex, race, n, k in CELLS:
        for i in range(n):
            cid = str(uuid.uuid4())
            cands.append({"id": cid, "name": f"Applicant {len(cands)}"})
            status = "advanced" if i < k else "not advanced"
            apps.append({"candidate_id": cid, "job_id": job, "status": status})
            if sex is not None:
                # "Prefer not to say" is the form's wording for declined.
                race_text = "Prefer not to say" if race == "declined" else race
                demo.append({"candidate_id": cid, "sex": sex, "race_ethnicity": race_text})
    with org.client() as c:
        _post(
            c,
            "/api/v1/exchange/jobs",
            [{"id": job, "slug": "pm", "version": 1, "title_zh": "产品经理", "title_en": "PM"}],
        )
        _post(c, "/api/v1/exchange/candidates", cands)
        _post(c, "/api/v1/exchange/round1", apps)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["candidate_id", "sex", "race_ethnicity"])
    w.writeheader()
    w.writerows(demo)
    _, hr = org.add_user(Role.HR)
    with org.client(hr) as c:
        r = _post(c, "/api/v1/impact/demographics", buf.getvalue().encode(), format="csv")
    assert r.json()["created"] == 211
    return {"job": job, "candidates": [x["id"] for x in cands], "hr": hr}


def test_report_through_the_api_matches_the_example(org: Org) -> None:
    world = _populate(org)
    with org.client(world["hr"]) as c:
        r = c.get("/api/v1/impact/report", params={"job_id": world["job"]})
        assert r.status_code == 200, r.text
        rep = r.json()
        csv_r = c.get("/api/v1/impact/report", params={"format": "csv"})
    assert len(rep["jobs"]) == 1 and rep["jobs"][0]["title"]["en"] == "PM"
    inter = rep["jobs"][0]["selection"]["intersection"]
    groups = {g["category"]: g for g in inter["groups"]}
    assert groups["female × asian"]["impact_ratio"] == pytest.approx(5 / 12)
    assert groups["female × white"]["impact_ratio"] == pytest.approx(5 / 6)
    assert groups["female × black"]["small"] and groups["female × black"]["impact_ratio"] is None
    assert (inter["unknown"], inter["declined"]) == (10, 6)
    assert rep["overall"]["selection"]["sex"]["groups"][0]["impact_ratio"] == pytest.approx(
        124 / 187
    )
    rows = list(csv.DictReader(io.StringIO(csv_r.content.decode("utf-8-sig"))))
    row = next(
        x
        for x in rows
        if x["scope"] == "job" and x["measure"] == "selection" and x["category"] == "female × asian"
    )
    assert float(row["impact_ratio"]) == pytest.approx(5 / 12) and row["four_fifths_flag"]
    unknown = next(
        x
        for x in rows
        if x["scope"] == "overall" and x["dimension"] == "sex" and x["category"] == "(unknown)"
    )
    assert unknown["n"] == "10"


def test_a_bad_demographics_file_names_rows_and_stores_nothing(org: Org) -> None:
    world = _populate(org)
    good = world["candidates"][0]
    body = f"candidate_id,sex,race_ethnicity\n{good},robot,asian\n{uuid.uuid4()},male,white\n"
    with org.client(world["hr"]) as c:
        r = c.post("/api/v1/impact/demographics", params={"format": "csv"}, content=body.encode())
        assert r.status_code == 422
        msg = r.json()["detail"]["message"]
        assert "row 2: sex 'robot'" in msg and "row 3: candidate_id" in msg
        again = c.get("/api/v1/impact/report").json()
    # The first candidate is still a female asian applicant: nothing was changed.
    sex = {g["category"]: g for g in again["overall"]["selection"]["sex"]["groups"]}
    assert sex["female"]["n"] == 85


def _pull_all(c: httpx.Client) -> str:
    out, since = [], 0
    while True:
        r = c.get("/api/v1/sync/pull", params={"since": since, "limit": 500})
        assert r.status_code == 200, r.text
        page = r.json()
        out.append(json.dumps(page["changes"], ensure_ascii=False))
        if not page["has_more"]:
            return "\n".join(out)
        since = page["next_cursor"]


def _clean(text: str) -> None:
    low = text.lower()
    for word in SECRET_WORDS:
        assert word not in low, f"'{word}' reached a scorer"


def test_scorers_never_see_demographic_data(org: Org) -> None:
    world = _populate(org)
    job, cand = world["job"], world["candidates"][0]  # a female asian applicant
    iv_id, _ = org.add_user(Role.INTERVIEWER)
    hm_id, hm_token = org.add_user(Role.HIRING_MANAGER)
    with org.client() as c:
        r = c.post(
            "/api/v1/admin/assignments",
            json={"user_id": str(iv_id), "candidate_id": cand, "job_id": job},
        )
        assert r.status_code < 300, r.text
    iv = org.client(org.enrol_device(iv_id).tokens.access_token)
    hm_dev = org.client(org.enrol_device(hm_id).tokens.access_token)
    hm = org.client(hm_token)
    with iv, hm_dev, hm:
        pulled = _pull_all(iv)
        assert cand in pulled  # the interviewer does get the assigned candidate ...
        _clean(pulled)  # ... but none of the demographic data
        pulled_hm = _pull_all(hm_dev)
        assert cand in pulled_hm
        _clean(pulled_hm)
        seen = []
        for ds in ("candidates", "round1", "final"):
            for fmt in ("json", "csv"):
                r = hm.get(f"/api/v1/exchange/{ds}", params={"format": fmt})
                assert r.status_code == 200, r.text
                seen.append(r.content.decode("utf-8-sig"))
        for path in ("/web/dashboard", f"/web/dashboard/jobs/{job}"):
            r = hm.get(path)
            if r.status_code != 404:  # the dashboard pages exist once the web UI is in
                assert r.status_code == 200, (path, r.text[:300])
                seen.append(r.text)
        _clean("\n".join(seen))
        for client in (iv, hm):
            assert client.get("/api/v1/impact/report").status_code == 403
            r = client.post("/api/v1/impact/demographics", content=b"")
            assert r.status_code == 403


def test_erasing_a_candidate_on_the_hub_removes_their_demographics(org: Org) -> None:
    world = _populate(org)
    gone = world["candidates"][0]  # female × asian, advanced
    with org.client() as c:
        r = c.post("/api/v1/privacy/deletions", json={"candidate_id": gone})
        assert r.status_code == 201, r.text
        rep = c.get("/api/v1/impact/report").json()
    from sqlalchemy import text

    def rows_of(cid: str) -> int:
        with org.hub.engine.connect() as conn:
            n: int = conn.execute(
                text("SELECT COUNT(*) FROM hub_demographic WHERE candidate_id = :c"),
                {"c": uuid.UUID(cid).hex},
            ).scalar_one()
        return n

    assert rows_of(gone) == 0 and rows_of(world["candidates"][1]) == 1
    sex = {g["category"]: g for g in rep["overall"]["selection"]["sex"]["groups"]}
    assert (sex["female"]["n"], sex["female"]["count"]) == (84, 30)
