"""Seeds a hub the way laptops do (the real sync push API): candidates, round-1 results,
interviews, panel ratings and AI suggestions for one bundled job, with hand-computed
expectations of the dashboard's ranking, distribution and funnel."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.core.domain import Role
from app.storage.repo import stable_id
from tests.server.hubtools import Org

JOB_SLUG = "risk-control-analyst"
JOB_ID = stable_id("job", JOB_SLUG)
# The job's bars (resources/jobs/risk-control-analyst.yaml): key -> (weight, required level).
BARS = {
    "data-analysis": (0.25, 8),
    "risk-judgement": (0.20, 7),
    "compliance": (0.15, 7),
    "communication": (0.10, 6),
    "teamwork": (0.10, 6),
    "values-fit": (0.10, 7),
    "learning-potential": (0.10, 7),
}
AT_BAR = {k: (req, req) for k, (_w, req) in BARS.items()}
INJECTION = "=cmd|' /C calc'!A0"

# Two raters per competency; the panel level is their mean rounded to one decimal.
PANELS: dict[str, dict[str, tuple[int, int]]] = {
    "王芳": {**AT_BAR, "data-analysis": (9, 8)},
    "李强": {**AT_BAR, "data-analysis": (6, 7)},
    "张伟": {**AT_BAR, "data-analysis": (5, 5), "risk-judgement": (7, 6)},
    "Emma Li": {"data-analysis": (8, 8), "communication": (4, 4)},
    INJECTION: {k: (2, 2) for k in BARS},
}

# Hand computation of match % = 100 * sum(w * min(level/required, 1)) / sum(w of rated):
#   王芳    every level at or above its bar                               -> 100.0
#   李强    data-analysis 6.5/8 = 0.8125: 0.25*0.8125 + 0.75              -> 95.3
#   张伟    0.25*5/8 + 0.20*6.5/7 + 0.55 = 0.15625 + 0.185714 + 0.55       -> 89.2
#   Emma Li (0.25*1 + 0.10*4/6) / 0.35 = 0.316667 / 0.35                  -> 90.5
#   =cmd…   0.25*2/8 + 0.20*2/7 + 0.15*2/7 + 0.2*2/6 + 0.2*2/7 = 0.286071 -> 28.6
EXPECTED_RANKING = [
    ("王芳", 100.0),
    ("李强", 95.3),
    ("Emma Li", 90.5),
    ("张伟", 89.2),
    (INJECTION, 28.6),
]
THRESHOLD = 90.0  # the job's match_threshold
# Funnel: six applications (one failed round 1), five interviewed and rated.
EXPECTED_FUNNEL = {
    "round1": 6,
    "round1_passed": 5,
    "scheduled": 5,
    "interviewed": 5,
    "rated": 5,
    "passed": 3,
}


def op(entity: str, entity_id: uuid.UUID, **payload: Any) -> dict[str, Any]:
    return {
        "op_id": str(uuid.uuid4()),
        "seq": 1,
        "entity": entity,
        "entity_id": str(entity_id),
        "op": "upsert",
        "payload": {"id": str(entity_id), **payload},
    }


def push(client: httpx.Client, ops: list[dict[str, Any]]) -> None:
    r = client.post("/api/v1/sync/push", json={"ops": ops})
    r.raise_for_status()
    bad = [x for x in r.json()["results"] if x["status"] != "applied"]
    assert not bad, bad


@dataclass
class Seeded:
    org: Org
    hr_email: str
    interviewer_email: str
    password: str
    candidates: dict[str, uuid.UUID] = field(default_factory=dict)
    sessions: dict[str, uuid.UUID] = field(default_factory=dict)


def add_login(org: Org, role: Role, unit: uuid.UUID | None = None) -> str:
    """A user of `role` who logs in with the org's password; returns the e-mail."""
    email = f"{role.value}-{uuid.uuid4().hex[:8]}@{org.name}.example"
    with org.client() as c:
        r = c.post(
            "/api/v1/admin/users",
            json={
                "email": email,
                "name": f"{role.value} 测试",
                "role": role.value,
                "org_unit_id": str(unit or org.unit_id),
                "password": org.password,
            },
        )
        r.raise_for_status()
    return email


def seed_job(org: Org, unit: uuid.UUID | None = None) -> Seeded:
    """Push one job's interviews from an HR laptop enrolled in `unit` (default: the org's)."""
    unit = unit or org.unit_id
    hr_email = add_login(org, Role.HR, unit)
    iv_email = add_login(org, Role.INTERVIEWER, unit)
    uid, _ = org.add_user(Role.HR, unit)
    device = org.enrol_device(uid, "hr-laptop")
    seeded = Seeded(org, hr_email, iv_email, org.password)
    base = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    ops: list[dict[str, Any]] = []
    names = [*PANELS, "赵敏"]  # 赵敏 did not pass round 1
    for i, name in enumerate(names):
        cid = uuid.uuid4()
        seeded.candidates[name] = cid
        ops.append(op("candidate", cid, name=name, source="manual"))
        app_id = uuid.uuid4()
        passed = name in PANELS
        ops.append(
            op(
                "application",
                app_id,
                candidate_id=str(cid),
                job_id=str(JOB_ID),
                round=2,
                status="invited" if passed else "rejected",
                round1_score=80.0 if passed else 40.0,
                round1_passed=passed,
            )
        )
        if name not in PANELS:
            continue
        sid = uuid.uuid4()
        seeded.sessions[name] = sid
        start = base + dt.timedelta(days=i)
        ops.append(
            op(
                "interviewsession",
                sid,
                application_id=str(app_id),
                candidate_id=str(cid),
                job_id=str(JOB_ID),
                interviewer="panel",
                status="completed",
                scheduled_at=start.isoformat(),
                started_at=start.isoformat(),
                ended_at=(start + dt.timedelta(minutes=50)).isoformat(),
                language="zh",
            )
        )
        for key, (a, b) in PANELS[name].items():
            for rater, level in (("周老师", a), ("Kim", b)):
                ops.append(
                    op(
                        "interviewerrating",
                        uuid.uuid4(),
                        session_id=str(sid),
                        competency_key=key,
                        rater=rater,
                        level=level,
                        note="",
                        submitted_at=start.isoformat(),
                    )
                )
            # The AI suggests one level below the first rater (evidence-backed).
            ops.append(
                op(
                    "aisuggestion",
                    uuid.uuid4(),
                    session_id=str(sid),
                    competency_key=key,
                    level=max(0, a - 1),
                    confidence=0.7,
                    evidence=[],
                    scorer_version="test",
                )
            )
    with org.client(device.tokens.access_token) as c:
        push(c, ops)
    return seeded


def panel_level(name: str, key: str) -> float | None:
    pair = PANELS[name].get(key)
    return None if pair is None else round(sum(pair) / 2, 1)
