"""A small thread-safe publish/subscribe bus for domain events (no Qt; the UI bridges it)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")
Handler = Callable[[Any], None]


@dataclass(frozen=True)
class Event:
    """Base of every event; `ts` is a monotonic timestamp in seconds from the source."""

    ts: float = field(default=0.0, kw_only=True)


class EventBus:
    """Handlers run in the publisher's thread and must be quick; a failing handler is logged
    and does not stop the others (a broken overlay must never stop the recorder)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handlers: dict[type[Any], list[Handler]] = {}
        self.handler_errors = 0

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        with self._lock:
            self._handlers.setdefault(event_type, []).append(handler)

        def unsubscribe() -> None:
            with self._lock:
                handlers = self._handlers.get(event_type, [])
                if handler in handlers:
                    handlers.remove(handler)

        return unsubscribe

    def publish(self, event: object) -> None:
        with self._lock:
            targets = [
                h for t, hs in self._handlers.items() if isinstance(event, t) for h in list(hs)
            ]
        for handler in targets:
            try:
                handler(event)
            except Exception:
                self.handler_errors += 1
                log.exception("event handler %r failed on %r", handler, type(event).__name__)
