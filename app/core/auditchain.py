"""The laptop audit log's hash chain: one digest shared by the laptop (writes, verifies) and
the hub (checks each pushed row and re-verifies what it stores), so both always agree.

A row's hash is sha256 over the previous row's hash followed by the canonical JSON of its
body (sorted keys, compact separators, UTF-8, non-ASCII kept). The time is the ISO form of
the UTC timestamp (Python's `isoformat()`: microseconds only when non-zero).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS_HASH = "0" * 64


def audit_digest(
    prev_hash: str,
    *,
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    detail: Mapping[str, Any],
) -> str:
    """The hash of one audit row whose predecessor's hash is `prev_hash`."""
    if at.tzinfo is None:
        raise ValueError("an audit time must be timezone-aware (UTC)")
    body = json.dumps(
        {
            "seq": seq,
            "at": at.astimezone(dt.UTC).isoformat(),
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "detail": dict(detail),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()
