"""Hub fixtures: one real PostgreSQL server per session, and a hub on each backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

# Headless Chromium (`browser`) and a SQLite hub per module (`web_hub`) for the web pages.
from tests.server.browser import browser, web_hub  # noqa: F401
from tests.server.hubtools import HubThread, Org, Postgres, hub_backends, new_org, start_postgres


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    pg = start_postgres()
    try:
        yield pg
    finally:
        pg.stop()


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def hub(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HubThread]:
    pg = request.getfixturevalue("postgres") if request.param == "postgres" else None
    with hub_backends(request.param, tmp_path_factory.mktemp(f"hub-{request.param}"), pg) as h:
        yield h


@pytest.fixture
def org(hub: HubThread) -> Org:
    return new_org(hub)
