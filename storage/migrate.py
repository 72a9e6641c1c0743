"""Alembic, driven from Python: `python -m bot migrate`, `make run` and the tests all use this.

Migrating takes a database-wide lock first, so instances started together migrate once: on
PostgreSQL a transaction-scoped advisory lock (`pg_advisory_xact_lock`), on SQLite the file's write
lock (the migrating connection's transaction begins IMMEDIATE, storage/db.py). The second instance
waits, then finds the schema at head and does nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The advisory lock's key on PostgreSQL: any fixed 64-bit number no other application on the
# database uses ("qa-bot-migrate" as ASCII, cut to fit a bigint).
MIGRATION_LOCK_KEY = 0x71612D626F742D6D


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@cache
def head_revisions() -> frozenset[str]:
    """The revisions this code's migrations end at (normally one)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


@cache
def _known_revisions() -> frozenset[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return frozenset(r.revision for r in script.walk_revisions())


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against this code's migrations."""

    current: frozenset[str]  # the database's alembic_version rows (empty: never migrated)
    head: frozenset[str]

    @property
    def at_head(self) -> bool:
        return self.current == self.head

    @property
    def ahead(self) -> bool:
        """Migrated by a newer version of the bot (a revision this code does not know): the
        schema only grew, so this version still works on it (a rolling upgrade)."""
        return bool(self.current) and not self.current <= _known_revisions()

    @property
    def behind(self) -> bool:
        """Older than this code needs: serving would fail on missing tables or columns."""
        return not self.at_head and not self.ahead

    def describe(self) -> str:
        current = ", ".join(sorted(self.current)) or "none (never migrated)"
        head = ", ".join(sorted(self.head))
        if self.at_head:
            return f"schema at head ({head})"
        if self.ahead:
            return f"schema at {current}, newer than this version's {head}"
        return f"schema at {current}, this version needs {head}: run `python -m bot migrate`"


async def schema_state(engine: AsyncEngine) -> SchemaState:
    """The database's revision against this code's head. Raises what the driver raises when the
    database does not answer."""

    def _current(connection) -> frozenset[str]:
        if not inspect(connection).has_table("alembic_version"):
            return frozenset()
        return frozenset(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())

    async with engine.connect() as conn:
        current = await conn.run_sync(_current)
    return SchemaState(current, head_revisions())


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate the database behind `engine` to `revision`, under the migration lock (see the module's
    docstring): instances that start together migrate once."""

    def _upgrade(connection) -> None:
        if connection.dialect.name == "postgresql":
            # Held until this transaction ends; Alembic runs inside it (the connection is in a transaction).
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        else:
            # The first statement takes SQLite's write lock (BEGIN IMMEDIATE, storage/db.py) until commit.
            connection.execute(text("SELECT 1"))
        cfg = alembic_config(str(engine.url))
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    async with engine.connect() as conn:
        await conn.run_sync(_upgrade)
        await conn.commit()
