"""The role x endpoint x org-unit permission matrix, generated from the ONE policy table:
every cell is a real request; allowed cells must succeed, the others must get 403."""

from __future__ import annotations

import hashlib
import os
import uuid
from typing import Any

import httpx
import pytest

from app.core.domain import Role
from server.main import create_app
from server.policy import ENDPOINTS, POLICY, PUBLIC_ENDPOINTS, Endpoint, allowed
from tests.server.hubtools import HubThread, Org, new_org


def test_every_route_is_in_the_policy_table() -> None:
    spec = create_app().openapi()
    routes = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
    listed = {(e.method, e.path) for e in ENDPOINTS} | set(PUBLIC_ENDPOINTS)
    assert routes == listed
    assert {e.action for e in ENDPOINTS} == set(POLICY)


class World:
    """An org with two units and one user of every role in the first ("own") unit."""

    def __init__(self, hub: HubThread) -> None:
        self.org: Org = new_org(hub)
        self.own = self.org.unit_id
        self.other = self.org.add_unit("Other")
        self.tokens: dict[Role, str] = {}
        for role in Role:
            _, self.tokens[role] = self.org.add_user(role, self.own)

    def target_user(self, unit: uuid.UUID, role: Role = Role.INTERVIEWER) -> uuid.UUID:
        uid, _ = self.org.add_user(role, unit)
        return uid


def _request(w: World, ep: Endpoint, unit: uuid.UUID, c: httpx.Client) -> httpx.Response:
    path, q = ep.path, {"org_unit_id": str(unit)} if ep.targets_unit else {}
    if "{dataset}" in path:
        path = path.replace("{dataset}", "candidates")
        q["format"] = "json"
    if "{sha256}" in path:
        data = os.urandom(16)
        path = path.replace("{sha256}", hashlib.sha256(data).hexdigest())
        if ep.method == "PUT":
            return c.put(path, params={"offset": 0, "total": len(data)}, content=data)
    if "{device_id}" in path:
        device = w.org.enrol_device(w.target_user(unit)).device_id
        return c.post(path.replace("{device_id}", str(device)))
    body: Any = None
    if path.endswith("/sync/push"):
        body = {"ops": []}
    elif path.endswith("/sync/sanity"):
        body = {"entities": {}}
    elif path.endswith("/admin/org-units"):
        body = {"name": f"unit-{uuid.uuid4().hex[:6]}"}
    elif path.endswith("/admin/users"):
        body = {
            "email": f"u{uuid.uuid4().hex[:8]}@x.example",
            "name": "n",
            "role": "interviewer",
            "org_unit_id": str(unit),
            "password": "long enough pw",
        }
    elif path.endswith("/admin/enrolment-codes"):
        body = {"user_id": str(w.target_user(unit))}
    elif path.endswith("/admin/assignments"):
        body = {"user_id": str(w.target_user(unit)), "candidate_id": str(uuid.uuid4())}
    elif path.endswith("/privacy/deletions") and ep.method == "POST":
        body = {"candidate_id": str(uuid.uuid4())}  # unknown to the hub: a tombstone in `unit`
    elif path.endswith("/admin/compliance-profile"):
        body = {"profile_id": "strict"}
    elif path.endswith("/privacy/acks"):
        body = {"acks": []}
    elif path.endswith("/sync/audit"):
        body = {"rows": []}  # an empty page: asks how far the hub holds the caller's log
    if path.endswith("/migrate/candidates"):
        legacy = "姓名,手机\n张三,13800000000\n".encode()
        return c.post(path, params={**q, "filename": "ats.csv"}, content=legacy)
    if ep.method == "POST" and "/exchange/" in path:
        return c.post(path, params=q, content=b"[]")
    return c.request(ep.method, path, params=q, json=body)


def _cells() -> list[Any]:
    cells = []
    for ep in ENDPOINTS:
        for role in Role:
            for where in ("own", "other") if ep.targets_unit else ("own",):
                cells.append(
                    pytest.param(ep, role, where, id=f"{ep.method} {ep.path} {role} {where}")
                )
    return cells


@pytest.fixture(scope="module")
def world(hub: HubThread) -> World:
    return World(hub)


@pytest.mark.parametrize(("ep", "role", "where"), _cells())
def test_matrix(world: World, ep: Endpoint, role: Role, where: str) -> None:
    unit = world.own if where == "own" else world.other
    expected = allowed(role, ep.action, world.own, unit)
    with world.org.client(world.tokens[role]) as c:
        r = _request(world, ep, unit, c)
    if expected:
        assert r.status_code < 400 or (r.status_code == 404 and ep.method == "GET"), r.text
    else:
        assert r.status_code == 403, r.text
        assert r.json()["detail"]["code"] == "forbidden"


def test_unauthenticated_requests_are_refused(hub: HubThread) -> None:
    for ep in ENDPOINTS:
        path = ep.path.replace("{dataset}", "jobs").replace("{sha256}", "0" * 64)
        path = path.replace("{device_id}", str(uuid.uuid4()))
        r = httpx.request(ep.method, hub.url + path, params={"offset": 0, "total": 1})
        assert r.status_code == 401, (ep, r.text)
