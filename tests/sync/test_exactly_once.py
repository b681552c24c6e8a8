"""Exactly-once under faults: 5 laptop processes, SIGKILLed before send / after send before
the ack / after the ack before the local delete / mid-run, through the fault proxy; the hub
must hold exactly what they created and every laptop must converge (bench: 200 runs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server.hubtools import HubThread, Org
from tests.sync.faultproxy import FaultProxy
from tests.sync.harness import run_once

RUNS_PER_BACKEND = 10  # x2 backends = 20 randomized runs in `make test`


@pytest.mark.slow
def test_exactly_once_under_kills_and_faults(hub: HubThread, org: Org, tmp_path: Path) -> None:
    seeds = range(RUNS_PER_BACKEND)
    results = []
    with FaultProxy(hub.port, seed=hub.port) as proxy:
        for seed in seeds:
            results.append(run_once(hub, org, proxy, tmp_path, seed))
    bad = [r for r in results if not r.ok]
    assert not bad, bad
    # The faults and kills really happened (otherwise this test proves nothing).
    assert sum(r.kills for r in results) >= RUNS_PER_BACKEND
    assert proxy.stats.resets > 0 and proxy.stats.drops > 0 and proxy.stats.delays > 0
    assert sum(r.ops for r in results) > 20 * RUNS_PER_BACKEND
