"""Liveness, readiness and the migration lock: instances started together migrate once; an
instance whose schema is behind says so (readyz 503) and refuses to serve in one line."""
from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from bot.app import create_app
from bot.cli import main
from bot.health import readiness
from storage.db import Database
from storage.migrate import alembic_config, head_revisions, schema_state, upgrade
from tests.support import databases


async def _downgrade_one(db: Database) -> None:
    def down(connection) -> None:
        cfg = alembic_config(str(db.engine.url))
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "-1")

    async with db.engine.connect() as conn:
        await conn.run_sync(down)
        await conn.commit()


async def _admin(statement: str) -> None:
    conn = await databases._admin_connect()
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path: Path):
    """The address of an empty database, never migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    if request.getfixturevalue("postgres_url") is None:
        pytest.skip("no PostgreSQL server answered (set QA_REQUIRE_POSTGRES=1 to make this a failure)")
    name = f"qa_race_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    yield databases.ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def test_instances_starting_together_migrate_once(empty_url):
    instances = [Database(empty_url) for _ in range(3)]
    try:
        # Without the lock, two of them would each create alembic_version and the tables: one fails.
        await asyncio.wait_for(asyncio.gather(*(upgrade(db.engine) for db in instances)), timeout=120)
        state = await schema_state(instances[0].engine)
        assert state.at_head and state.head == head_revisions()
        async with instances[0].engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM alembic_version"))).scalar_one() == 1
    finally:
        for db in instances:
            await db.dispose()


async def test_readyz_is_503_when_the_schema_is_behind_and_serve_refuses_in_one_line(
        aiohttp_client, services, monkeypatch, capsys):
    await _downgrade_one(services.db)
    client = await aiohttp_client(create_app(services.settings, services, run_scheduler=False))
    ready = await client.get("/readyz")
    assert ready.status == 503
    assert (await ready.json())["schema"] == "behind"
    assert (await client.get("/healthz")).status == 200  # alive all the same: no restart would help

    monkeypatch.setenv("DATABASE_URL", services.db.url)
    assert await asyncio.to_thread(main, ["serve", "--no-migrate"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("not serving: the database's schema at ") and "migrate" in err[0]
    # A command that needs the schema says the same in one line, and changes nothing.
    assert await asyncio.to_thread(main, ["outbox", "status"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "run `python -m bot migrate`" in err[0]
    await upgrade(services.db.engine)
    assert (await client.get("/readyz")).status == 200


async def test_readiness_wants_a_recent_sweep_and_a_running_sender(db):
    now = time.time()
    fresh = await readiness(db, now=now, last_sweep=now - 90, sweep_interval=60, sender_running=lambda: True)
    assert fresh.ready and fresh.checks == {"database": "ok", "schema": "ok", "sweep": "ok", "sender": "ok"}
    stale = await readiness(db, now=now, last_sweep=now - 121, sweep_interval=60, sender_running=lambda: True)
    assert not stale.ready and stale.checks["sweep"] == "stale"
    never = await readiness(db, now=now, last_sweep=0.0, sweep_interval=60, sender_running=lambda: True)
    assert not never.ready and never.checks["sweep"] == "not yet run"
    stopped = await readiness(db, now=now, last_sweep=now, sweep_interval=60, sender_running=lambda: False)
    assert not stopped.ready and stopped.body()["sender"] == "stopped"


async def test_readyz_reports_a_database_that_does_not_answer():
    db = Database("postgresql://qa@127.0.0.1:1/qa")
    try:
        found = await readiness(db, now=time.time(), last_sweep=None, sweep_interval=60, sender_running=None)
    finally:
        await db.dispose()
    assert not found.ready and found.checks["database"] == "unavailable"


async def test_a_served_instance_is_ready_once_it_has_swept(aiohttp_client, services):
    swept = asyncio.Event()
    finished = services.metrics.sweep_finished
    services.metrics.sweep_finished = lambda at=None: (finished(at), swept.set())
    client = await aiohttp_client(create_app(services.settings, services))  # scheduler and sender running
    await asyncio.wait_for(swept.wait(), timeout=30)
    ready = await client.get("/readyz")
    assert ready.status == 200, await ready.json()
    later = time.time() + 3 * services.settings.sweep_interval_seconds
    services.wall_clock = lambda: datetime.fromtimestamp(later, timezone.utc)
    assert (await (await client.get("/readyz")).json())["sweep"] == "stale"


def test_a_command_on_a_database_never_migrated_says_so_in_one_line_and_creates_nothing(tmp_path, monkeypatch,
                                                                                        capsys):
    path = tmp_path / "var" / "qa-bot.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    assert main(["roster", "import", str(tmp_path / "staff.csv")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"there is no database at {path} yet: run `python -m bot migrate` first"]
    assert not path.exists()
