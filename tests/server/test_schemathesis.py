"""Property-based requests generated from the hub's OpenAPI spec (schemathesis): whatever the
input, the hub never answers with a server error. Bounded: a few examples per operation."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from app.core.domain import Role
from tests.server.hubtools import HubThread, new_org

EXAMPLES_PER_OPERATION = 8


def test_no_server_errors_for_any_generated_request(hub: HubThread) -> None:
    org = new_org(hub)
    uid, _ = org.add_user(Role.HR)
    token = org.enrol_device(uid).tokens.access_token
    schema = schemathesis.openapi.from_url(f"{hub.url}/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 15
    calls = {"n": 0}
    statuses: set[int] = set()

    for op in operations:

        @given(case=op.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            auth = {"Authorization": f"Bearer {token}"}
            response = case.call(headers=auth, timeout=30)
            calls["n"] += 1
            statuses.add(response.status_code)
            case.validate_response(response, checks=[not_a_server_error])

        run()
    assert calls["n"] >= len(operations)
    assert any(s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)
