"""Engine and sessions. One place knows the difference between SQLite and PostgreSQL."""
from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
}


def normalise_database_url(url: str) -> str:
    """Accept the plain forms a host hands out and pick the async driver ourselves.

    Idempotent. Errors never repeat the address: it may hold a password.
    """
    scheme = url.split("://", 1)[0] if "://" in url else ""
    driver = _DRIVERS.get(scheme.lower())
    if not driver:
        shown = f"{scheme}://" if _SCHEME.fullmatch(scheme) else "an address without a scheme"
        raise ValueError(f"must start with sqlite:/// or postgresql://, not {shown}")
    normalised = driver + url[len(scheme):]
    try:
        parsed = make_url(normalised)
    except (ArgumentError, ValueError):  # ValueError: e.g. a port that is not a number
        raise ValueError("is not a valid database address") from None
    if parsed.get_backend_name() != "postgresql":
        return normalised
    if not parsed.database:
        raise ValueError("names no database (postgresql://user:password@host:5432/database)")
    if "sslmode" in parsed.query:
        # Hosts hand out libpq's ?sslmode=require; asyncpg calls the same setting `ssl`.
        mode = parsed.query["sslmode"]
        mode = mode if isinstance(mode, str) else mode[-1]
        parsed = parsed.difference_update_query(["sslmode"]).update_query_dict({"ssl": mode})
        return parsed.render_as_string(hide_password=False)
    return normalised


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def create_engine(url: str) -> AsyncEngine:
    url = normalise_database_url(url)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_on_connect(dbapi_conn, _record) -> None:
    # WAL lets the served app and a `tick` from the shell use one file at once; the busy
    # timeout makes a writer wait for the other instead of failing.
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_on_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_on_begin(conn) -> None:
    # BEGIN IMMEDIATE takes the write lock up front, so two writers queue on the busy
    # timeout rather than one failing later with "database is locked" on upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """The engine and a session factory; handed to everything that touches SQL."""

    def __init__(self, url: str) -> None:
        self.url = normalise_database_url(url)
        self.engine = create_engine(self.url)
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_postgresql(self) -> bool:
        return self.dialect == "postgresql"

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not answering"
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
