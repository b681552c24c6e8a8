"""A cancelled sync stops at a safe point: sent batches are acknowledged, the rest stays
queued, and the next sync finishes the job with nothing lost or sent twice."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.core.cancel import CancelledError
from app.core.domain import OutboxStatus
from app.sync.engine import Syncer
from tests.server.hubtools import HubThread, Org
from tests.sync.test_client import Laptop


@pytest.fixture
def laptop(tmp_path: Path, org: Org):  # type: ignore[no-untyped-def]
    lap = Laptop(tmp_path / "laptop", org)
    yield lap
    lap.close()


def test_cancel_between_batches_keeps_the_outbox_consistent(laptop: Laptop, hub: HubThread) -> None:
    for i in range(12):
        laptop.add_candidate(f"候选人{i}")  # 2 ops each: candidate + consent
    total = len(laptop.outbox())
    assert total == 24
    cancel = threading.Event()
    seen: list[tuple[str, int, int]] = []

    def progress(phase: str, done: int, total_: int) -> None:
        seen.append((phase, done, total_))
        if phase == "push" and done > 0:
            cancel.set()  # Cancel pressed once the first batch went through

    syncer = Syncer(
        laptop.db, laptop.client(hub.url), batch_size=5, progress=progress, cancel=cancel
    )
    with pytest.raises(CancelledError, match="sync"):
        syncer.run()
    # Exactly the first batch was sent and acknowledged (acked ops leave the outbox);
    # nothing is half-sent or marked failed.
    pending = laptop.outbox(OutboxStatus.PENDING)
    assert len(pending) == total - 5
    assert all(o.attempts == 0 and not o.last_error for o in pending)
    assert not laptop.outbox(OutboxStatus.REJECTED)
    assert [d for ph, d, _ in seen if ph == "push"] == [0, 5]
    # The next sync, not cancelled, sends only the rest; the hub then matches the laptop.
    report = laptop.sync(hub.url).run()
    assert report.pushed == total - 5 and report.replayed == 0 and report.sanity_ok
    assert not laptop.outbox()
