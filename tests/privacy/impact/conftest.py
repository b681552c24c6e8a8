"""A real hub (SQLite file, uvicorn on loopback) for the adverse-impact tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.hubtools import HubThread, Org, hub_backends, new_org


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubThread]:
    tmp: Path = tmp_path_factory.mktemp("impact-hub")
    with hub_backends("sqlite", tmp, None) as h:
        yield h


@pytest.fixture
def org(hub: HubThread) -> Org:
    return new_org(hub)
