"""Test databases: every storage and HTTP test runs on SQLite, and again on PostgreSQL.

PostgreSQL is required when QA_REQUIRE_POSTGRES=1 (CI sets it): then an unreachable server
fails the run instead of skipping. Each test run gets its own PostgreSQL database, migrated
once with Alembic; each test starts from empty tables.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy import text

from storage.db import Database, normalise_database_url
from storage.migrate import upgrade

ADMIN_URL = os.environ.get("QA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_POSTGRES = os.environ.get("QA_REQUIRE_POSTGRES") == "1"


async def _migrate(url: str) -> None:
    db = Database(url)
    try:
        await upgrade(db.engine)
    finally:
        await db.dispose()


def make_sqlite_template(directory: Path) -> Path:
    path = directory / "template.sqlite3"
    asyncio.run(_migrate(f"sqlite:///{path}"))
    return path


def fresh_sqlite(template: Path, directory: Path) -> str:
    path = directory / f"test-{uuid.uuid4().hex[:8]}.sqlite3"
    shutil.copyfile(template, path)
    return normalise_database_url(f"sqlite:///{path}")


async def _admin_connect() -> asyncpg.Connection:
    return await asyncpg.connect(ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://"), timeout=5)


def create_postgres_database() -> str | None:
    """Create and migrate a database for this run; None when no server answers."""
    name = f"qa_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    async def create() -> None:
        conn = await _admin_connect()
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    try:
        asyncio.run(create())
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        if REQUIRE_POSTGRES:
            raise RuntimeError(f"PostgreSQL is required (QA_REQUIRE_POSTGRES=1) but {ADMIN_URL} did not answer: {exc}") from exc
        return None
    base = ADMIN_URL.rsplit("/", 1)[0]
    url = normalise_database_url(f"{base}/{name}")
    asyncio.run(_migrate(url))
    return url


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]

    async def drop() -> None:
        conn = await _admin_connect()
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


async def truncate_all(db: Database) -> None:
    from storage.models import Base

    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with db.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
