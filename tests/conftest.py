"""Shared fixtures: databases on both engines, the fake Bot Connector, the served app."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from devtools.fake_connector import FakeConnector
from storage.db import Database
from tests.support import databases
from tests.support.chat_files import file_host  # noqa: F401 - a fixture: a stand-in file host for files sent in chat

if TYPE_CHECKING:
    from bot.services import Services

# A test that uses none of these (directly or through its other fixtures) and is not marked `process`
# needs no database, no server and no other process: it is marked `fast`, and `make test-fast`
# (pytest -m fast) runs those alone.
SLOW_FIXTURES = frozenset({
    "postgres_url", "sqlite_template", "database_url", "db", "services", "bot_client", "fake_connector",
    "aiohttp_client", "aiohttp_server", "aiohttp_raw_server", "e2e_ready",
})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        slow = item.get_closest_marker("e2e") or item.get_closest_marker("process")
        if not slow and SLOW_FIXTURES.isdisjoint(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.fast)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.make_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_url() -> str | None:
    url = databases.create_postgres_database()
    yield url
    if url:
        databases.drop_postgres_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database: SQLite always, PostgreSQL when one answers (required on CI)."""
    if request.param == "sqlite":
        return databases.fresh_sqlite(sqlite_template, tmp_path)
    url = request.getfixturevalue("postgres_url")
    if url is None:
        pytest.skip("no PostgreSQL server answered (set QA_REQUIRE_POSTGRES=1 to make this a failure)")
    return url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    if database.is_postgresql:
        await databases.truncate_all(database)
    yield database
    await database.dispose()


@pytest.fixture
async def fake_connector() -> AsyncIterator[FakeConnector]:
    fake = await FakeConnector().start()
    yield fake
    await fake.stop()


@pytest.fixture
def services(db: Database) -> "Services":
    """Services on the test database, with no app credentials (as in local development)."""
    from bot.services import Services
    from bot.settings import Settings

    return Services.create(Settings(database_url=db.url), db=db)


@pytest.fixture
async def month(services, fake_connector, bot_client, tmp_path):
    """A small council in its audit cycle's months, served (tests/support/month.py)."""
    from tests.support.month import start_month

    return await start_month(services, fake_connector, bot_client, tmp_path)


@pytest.fixture
async def bot_client(aiohttp_client, services, fake_connector):
    """The real aiohttp app over HTTP (no scheduler: tests drive sweeps themselves)."""
    from bot.app import create_app

    return await aiohttp_client(create_app(services.settings, services, run_scheduler=False))
