"""Two candidates pick the last slot at the same moment (HTTP, threads): exactly one wins and
the other is told clearly, on SQLite and on PostgreSQL (where the requests really overlap)."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import uuid
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, func, select

from server.db import session_scope
from server.tables import Booking, Invitation, Slot, User
from tests.server.automation.kit import add_slots, automation_hub, make_world, smtp_sink
from tests.server.hubtools import HubThread, Postgres


def _invite(hub: HubThread, org_id: uuid.UUID, unit: uuid.UUID, job: uuid.UUID) -> str:
    token = secrets.token_urlsafe(32)
    with session_scope(hub.engine) as s:
        s.add(
            Invitation(
                org_id=org_id,
                org_unit_id=unit,
                candidate_ref=uuid.uuid4(),
                job_ref=job,
                token=token,
                language="en",
                email=None,
            )
        )
    return token


def _org_id(hub: HubThread, admin_email: str) -> uuid.UUID:
    with session_scope(hub.engine) as s:
        return s.exec(select(User).where(User.email == admin_email)).one().org_id


def _race(hub: HubThread, tokens: list[str], slot: str) -> list[httpx.Response]:
    barrier = threading.Barrier(len(tokens))
    out: list[httpx.Response | None] = [None] * len(tokens)

    def go(i: int) -> None:
        with httpx.Client(base_url=hub.url, timeout=60) as c:
            barrier.wait()
            out[i] = c.post(f"/s/{tokens[i]}/book", data={"slot_id": slot, "lang": "en"})

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r is not None for r in out)
    return [r for r in out if r is not None]


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_two_candidates_race_for_the_last_slot(
    tmp_path: Path, request: pytest.FixtureRequest, backend: str
) -> None:
    pg: Postgres | None = request.getfixturevalue("postgres") if backend == "postgres" else None
    with smtp_sink() as sink, automation_hub(tmp_path, sink, pg) as hub:
        w = make_world(hub)
        org_id = _org_id(hub, w.org.admin_email)
        start = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
        rounds = 6
        slots = add_slots(
            w, [start + dt.timedelta(hours=i) for i in range(rounds)], "Asia/Shanghai"
        )
        for slot in slots:
            tokens = [_invite(hub, org_id, w.org.unit_id, w.job_id) for _ in range(2)]
            answers = _race(hub, tokens, slot)
            codes = sorted(r.status_code for r in answers)
            assert codes == [303, 409], [r.text[:300] for r in answers]
            loser = next(r for r in answers if r.status_code == 409)
            assert "someone else has just booked this time" in loser.text
            assert slot not in loser.text  # the taken slot is no longer offered to the loser
        with session_scope(hub.engine) as s:
            active = s.exec(
                select(Booking.active_slot, func.count())
                .where(Booking.status == "booked")
                .group_by(col(Booking.active_slot))
            ).all()
        assert len(active) == rounds and all(n == 1 for _, n in active)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_double_click_books_once(
    tmp_path: Path, request: pytest.FixtureRequest, backend: str
) -> None:
    pg: Postgres | None = request.getfixturevalue("postgres") if backend == "postgres" else None
    with smtp_sink() as sink, automation_hub(tmp_path, sink, pg) as hub:
        w = make_world(hub)
        org_id = _org_id(hub, w.org.admin_email)
        slot = add_slots(w, [dt.datetime.now(dt.UTC) + dt.timedelta(days=1)], "Asia/Shanghai")[0]
        token = _invite(hub, org_id, w.org.unit_id, w.job_id)
        answers = _race(hub, [token, token], slot)
        assert sorted(r.status_code for r in answers) == [303, 303]
        with session_scope(hub.engine) as s:
            assert len(s.exec(select(Booking)).all()) == 1


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_the_database_itself_refuses_a_second_active_booking(
    tmp_path: Path, request: pytest.FixtureRequest, backend: str
) -> None:
    """The guarantee does not rest on the page's checks: the UNIQUE column refuses it."""
    from sqlalchemy.exc import IntegrityError

    pg: Postgres | None = request.getfixturevalue("postgres") if backend == "postgres" else None
    with smtp_sink() as sink, automation_hub(tmp_path, sink, pg) as hub:
        w = make_world(hub)
        org_id = _org_id(hub, w.org.admin_email)
        slot_id = uuid.UUID(
            add_slots(w, [dt.datetime.now(dt.UTC) + dt.timedelta(days=1)], "UTC")[0]
        )
        invs = [_invite(hub, org_id, w.org.unit_id, w.job_id) for _ in range(2)]
        with session_scope(hub.engine) as s:
            ids = [s.exec(select(Invitation).where(Invitation.token == t)).one().id for t in invs]
            assert s.get(Slot, slot_id) is not None
            s.add(
                Booking(
                    invitation_id=ids[0],
                    slot_id=slot_id,
                    active_slot=slot_id,
                    active_invitation=ids[0],
                )
            )
        with pytest.raises(IntegrityError), session_scope(hub.engine) as s:
            s.add(
                Booking(
                    invitation_id=ids[1],
                    slot_id=slot_id,
                    active_slot=slot_id,
                    active_invitation=ids[1],
                )
            )
