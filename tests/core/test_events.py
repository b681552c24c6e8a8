from __future__ import annotations

import threading
from dataclasses import dataclass

from app.core.events import Event, EventBus


@dataclass(frozen=True)
class Ping(Event):
    n: int


@dataclass(frozen=True)
class Other(Event):
    pass


def test_handlers_receive_matching_events_only() -> None:
    bus = EventBus()
    got: list[int] = []
    bus.subscribe(Ping, lambda e: got.append(e.n))
    bus.publish(Ping(1, ts=0.5))
    bus.publish(Other())
    assert got == [1]


def test_a_failing_handler_does_not_stop_the_others() -> None:
    bus = EventBus()
    got: list[int] = []

    def boom(_: Ping) -> None:
        raise RuntimeError("broken overlay")

    bus.subscribe(Ping, boom)
    bus.subscribe(Ping, lambda e: got.append(e.n))
    bus.publish(Ping(2))
    assert got == [2]
    assert bus.handler_errors == 1


def test_unsubscribe() -> None:
    bus = EventBus()
    got: list[int] = []
    off = bus.subscribe(Ping, lambda e: got.append(e.n))
    bus.publish(Ping(1))
    off()
    bus.publish(Ping(2))
    assert got == [1]


def test_publish_from_many_threads() -> None:
    bus = EventBus()
    lock = threading.Lock()
    got: list[int] = []

    def handler(e: Ping) -> None:
        with lock:
            got.append(e.n)

    bus.subscribe(Ping, handler)
    threads = [
        threading.Thread(target=lambda k=k: [bus.publish(Ping(k * 1000 + i)) for i in range(500)])
        for k in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == sorted(k * 1000 + i for k in range(4) for i in range(500))
