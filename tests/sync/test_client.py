"""The laptop side against a real hub: round trip, clear messages for wrong/revoked tokens,
version mismatch and a hub that is down (nothing lost), 4xx rejected and surfaced, 5xx and
network faults retried, resumable media upload, the background worker's backoff."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from app.core.domain import OutboxOpKind, OutboxStatus, Role
from app.storage import repo
from app.storage.db import Database
from app.storage.tables import SYNCED, Candidate, ConsentRecord, OutboxOp, SyncState
from app.sync import protocol
from app.sync.client import (
    CredentialStore,
    HubAuthError,
    HubClient,
    HubUnavailableError,
    ProtocolMismatchError,
    RetryPolicy,
)
from app.sync.engine import Syncer
from app.sync.media import upload
from app.sync.worker import SyncWorker
from tests.server.hubtools import HubThread, Org, free_port
from tests.sync.faultproxy import FaultProxy, Faults

FAST = RetryPolicy(attempts=4, base_s=0.01, cap_s=0.05)


class Laptop:
    def __init__(self, root: Path, org: Org, role: Role = Role.HR) -> None:
        self.home = root
        root.mkdir(parents=True, exist_ok=True)
        self.db = Database(root / "roundtwo.db").open()
        self.store = CredentialStore(root)
        uid, _ = org.add_user(role)
        self.user_id = uid
        with HubClient(org.hub.url, store=self.store) as c:
            self.creds = c.enrol(org.enrolment_code(uid), root.name)

    def client(self, url: str, retry: RetryPolicy = FAST) -> HubClient:
        return HubClient(url, credentials=self.store.only(), store=self.store, retry=retry)

    def sync(self, url: str, retry: RetryPolicy = FAST) -> Syncer:
        return Syncer(self.db, self.client(url, retry))

    def add_candidate(self, name: str) -> uuid.UUID:
        def fn(s):  # type: ignore[no-untyped-def]
            c = Candidate(name=name)
            repo.save(s, c)
            repo.save(
                s,
                ConsentRecord(
                    candidate_id=c.id, purpose="recording", granted=True, notice_version="1"
                ),
            )
            return c.id

        result: uuid.UUID = self.db.write(fn)
        return result

    def outbox(self, status: OutboxStatus = OutboxStatus.PENDING) -> list[OutboxOp]:
        with self.db.read() as s:
            return list(s.exec(select(OutboxOp).where(OutboxOp.status == status)).all())

    def close(self) -> None:
        self.db.close()


@pytest.fixture
def laptops(tmp_path: Path, org: Org) -> Iterator[list[Laptop]]:
    made = [Laptop(tmp_path / f"laptop{i}", org) for i in range(2)]
    yield made
    for lap in made:
        lap.close()


def test_protocol_entities_are_the_synced_tables() -> None:
    assert tuple(m.__table__.name for m in SYNCED) == protocol.ENTITIES  # type: ignore[attr-defined]


def test_round_trip_between_two_laptops(laptops: list[Laptop], hub: HubThread) -> None:
    a, b = laptops
    cid = a.add_candidate("王伟")
    ra = a.sync(hub.url).run()
    assert ra.pushed == 2 and ra.sanity_ok and not a.outbox()
    rb = b.sync(hub.url).run()
    assert rb.pulled == 2 and rb.sanity_ok
    with b.db.read() as s:
        got = s.get(Candidate, cid)
        assert got is not None and got.name == "王伟"
        state = s.get(SyncState, hub.url)
        assert state is not None and state.cursor == rb.cursor > 0
    # A delete on b reaches a as a tombstone and cascades there too.
    b.db.write(lambda s: repo.delete(s, s.get(Candidate, cid)))
    b.sync(hub.url).run()
    ra2 = a.sync(hub.url).run()
    assert ra2.sanity_ok
    with a.db.read() as s:
        assert s.get(Candidate, cid) is None
        assert s.exec(select(ConsentRecord)).all() == []


def test_wrong_token_is_a_clear_message_and_keeps_the_outbox(
    laptops: list[Laptop], hub: HubThread
) -> None:
    lap = laptops[0]
    lap.add_candidate("李娜")
    creds = lap.store.only()
    assert creds is not None
    lap.store.save(creds.model_copy(update={"access_token": "nope", "refresh_token": "nope"}))
    with pytest.raises(HubAuthError) as err:
        lap.sync(hub.url).run()
    msg = err.value.user_message()
    assert "did not accept this laptop's token" in msg and "roundtwo enroll" in msg
    assert "Nothing was lost" in msg
    assert len(lap.outbox()) == 2


def test_revoked_device_is_a_clear_message_and_keeps_the_outbox(
    laptops: list[Laptop], hub: HubThread, org: Org
) -> None:
    lap = laptops[0]
    lap.add_candidate("张敏")
    with org.client() as admin:
        r = admin.post(f"/api/v1/admin/devices/{lap.creds.device_id}/revoke")
        assert r.status_code == 200
    with pytest.raises(HubAuthError) as err:
        lap.sync(hub.url).run()
    assert "was revoked" in err.value.message
    assert len(lap.outbox()) == 2


def test_expired_access_token_is_refreshed_silently(laptops: list[Laptop], hub: HubThread) -> None:
    from server import security
    from server.db import session_scope
    from server.tables import Token

    lap = laptops[0]
    creds = lap.store.only()
    assert creds is not None
    with session_scope(hub.engine) as s:
        row = s.get(Token, security.token_digest(creds.access_token))
        assert row is not None
        row.expires_at = row.expires_at.replace(year=2000)
        s.add(row)
    lap.add_candidate("陈静")
    assert lap.sync(hub.url).run().pushed == 2
    fresh = lap.store.only()
    assert fresh is not None and fresh.access_token != creds.access_token


def test_version_mismatch_is_a_clear_message(
    laptops: list[Laptop], hub: HubThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    lap = laptops[0]
    lap.add_candidate("杨洋")
    monkeypatch.setattr(protocol, "PROTOCOL_VERSION", 2)
    with pytest.raises(ProtocolMismatchError) as err:
        lap.sync(hub.url).run()
    assert "speaks sync protocol [1]; this laptop speaks 2" in err.value.message
    assert "Ask IT to update the hub" in err.value.user_message()
    # The hub says so too when a laptop skips the health check.
    with lap.client(hub.url) as c, pytest.raises(ProtocolMismatchError):
        c.pull(0)
    assert len(lap.outbox()) == 2


def test_hub_down_is_a_clear_message_and_nothing_is_lost(laptops: list[Laptop]) -> None:
    lap = laptops[0]
    lap.add_candidate("赵磊")
    dead = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(HubUnavailableError) as err:
        Syncer(lap.db, HubClient(dead, credentials=lap.store.only(), retry=FAST)).push(
            __import__("app.sync.engine", fromlist=["SyncReport"]).SyncReport(dead)
        )
    assert "cannot be reached" in err.value.message
    assert "Nothing was lost" in err.value.user_message()
    ops = lap.outbox()
    assert len(ops) == 2 and all(o.attempts == 1 and o.last_error for o in ops)


def test_4xx_ops_are_rejected_and_surfaced_the_rest_goes(
    laptops: list[Laptop], hub: HubThread
) -> None:
    lap = laptops[0]
    lap.add_candidate("周杰")
    bogus = uuid.uuid4()
    lap.db.write(
        lambda s: repo._enqueue(s, "spaceship", bogus, OutboxOpKind.UPSERT, {"id": str(bogus)})
    )
    report = lap.sync(hub.url).run()
    assert report.pushed == 2
    assert [(r.entity, r.entity_id) for r in report.rejected] == [("spaceship", bogus)]
    rejected = lap.outbox(OutboxStatus.REJECTED)
    assert len(rejected) == 1 and "unknown entity" in (rejected[0].last_error or "")
    assert not lap.outbox()  # pending is empty; the rejected op is kept for a person to see


def test_5xx_and_network_faults_are_retried(laptops: list[Laptop], hub: HubThread) -> None:
    a, b = laptops
    ids = [a.add_candidate(f"候选人{i}") for i in range(30)]
    faults = Faults(reset=0.1, drop=0.1, delay=0.2, error503=0.2)
    patient = RetryPolicy(attempts=30, base_s=0.01, cap_s=0.05)
    with FaultProxy(hub.port, seed=7, faults=faults) as proxy:
        s = a.sync(proxy.url, patient)
        s.batch_size = 5
        s.run()
        rb = b.sync(proxy.url, patient).run()
    assert proxy.stats.errors > 0 and (proxy.stats.resets + proxy.stats.drops) > 0
    assert not a.outbox()
    assert rb.sanity_ok
    with b.db.read() as s2:
        assert {c.id for c in s2.exec(select(Candidate)).all()} == set(ids)


def test_media_upload_resumes_from_the_hubs_size(
    laptops: list[Laptop], hub: HubThread, tmp_path: Path
) -> None:
    lap = laptops[0]
    media = tmp_path / "interview.mkv"
    media.write_bytes(os.urandom(300_000))
    sha = hashlib.sha256(media.read_bytes()).hexdigest()
    seen: list[int] = []

    class UploadStoppedError(Exception):
        pass

    def stop_after_first(done: int, _total: int) -> None:
        seen.append(done)
        if len(seen) == 1:
            raise UploadStoppedError

    with lap.client(hub.url) as c:
        with pytest.raises(UploadStoppedError):
            upload(c, media, chunk_bytes=128 * 1024, progress=stop_after_first)
        mid = c.media_status(sha)
        assert mid is not None and mid.received == 128 * 1024 and not mid.complete
        done = upload(c, media, chunk_bytes=128 * 1024, progress=stop_after_first)
    assert done.complete and done.received == 300_000
    assert seen[1] == 256 * 1024  # resumed where the hub was, not from 0
    stored = hub.settings.media_dir() / sha[:2] / sha
    assert stored.read_bytes() == media.read_bytes()


def test_worker_backs_off_while_the_hub_is_down(laptops: list[Laptop]) -> None:
    lap = laptops[0]
    dead = f"http://127.0.0.1:{free_port()}"
    client = HubClient(dead, credentials=lap.store.only(), retry=RetryPolicy(attempts=1))
    worker = SyncWorker(Syncer(lap.db, client).run, base_backoff_s=1.0, max_backoff_s=8.0)
    delays = [worker.step().next_in_s for _ in range(5)]
    assert worker.failures == 5
    assert 0.5 <= delays[0] <= 1.0 and 4.0 <= delays[3] <= 8.0 and delays[4] <= 8.0
    assert worker.last is not None and "cannot be reached" in worker.last.message
    # As a thread: starts, tries, and stops promptly when asked.
    statuses: list[bool] = []
    worker.on_status = lambda st: statuses.append(st.ok)
    worker.start()
    worker.sync_now()
    worker.stop()
    assert statuses and not any(statuses)
    client.close()
