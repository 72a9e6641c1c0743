"""Engine and sessions. One place knows the difference between SQLite and PostgreSQL."""
from __future__ import annotations

import collections
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event, text
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import EMPTY_DICT

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
        engine = create_async_engine(url, connect_args={"timeout": 30},
                                     module=_OneTripDBAPI(aiosqlite, sqlite3))
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_on_connect(dbapi_conn, _record) -> None:
    # WAL lets the served app and a `tick` from the shell use one file at once; the busy
    # timeout makes a writer wait for the other instead of failing.
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_on_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    _wal(cur)
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _wal(cur: Any) -> None:
    """Switch the file to WAL (a no-op once it is). Switching a new file needs its lock and SQLite
    answers "database is locked" at once, without the busy timeout, while another connection holds
    it: instances starting together on a new file each try, so wait briefly (at most 5 s, only in
    that race at start-up) and try again."""
    for attempt in range(100):
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 99:
                raise
            time.sleep(0.05)


# The execution option a read-only engine carries (Database.sessions() binds to it): its
# transactions begin deferred, so a read takes no write lock.
_READS = "qa_sqlite_reads"
# The execution option of the engine Database.sessions.one_statement() binds to: no transaction at
# all, the one statement is its own (SQLite's autocommit), so there is no BEGIN and no rollback.
_ONE_STATEMENT = "qa_sqlite_one_statement"


class SecondStatementError(RuntimeError):
    """A session from `sessions.one_statement()` ran a second statement: the two would not read
    one snapshot of the database. Read them in one statement, or use `sessions()`."""


def _sqlite_on_begin(conn) -> None:
    # A writer's BEGIN IMMEDIATE takes the write lock up front, so two writers queue on the busy
    # timeout rather than one failing later with "database is locked" on upgrade. A read begins
    # deferred: a snapshot of the database, no lock, so it neither waits for a writer nor holds one up.
    options = conn.get_execution_options()
    dbapi_conn = conn.connection.dbapi_connection
    if options.get(_ONE_STATEMENT):
        if isinstance(dbapi_conn, _OneTripConnection):
            dbapi_conn.one_statement()
        return  # the connection is in autocommit (isolation_level None): the statement is its own transaction
    begin = "BEGIN" if options.get(_READS) else "BEGIN IMMEDIATE"
    if isinstance(dbapi_conn, _OneTripConnection):
        dbapi_conn.begin_with_next(begin)  # sent with the transaction's first statement
    else:
        conn.exec_driver_sql(begin)


def _run(conn: sqlite3.Connection, begin: str | None, operation: str, parameters: Any, many: bool) -> tuple:
    """On aiosqlite's thread: the pending BEGIN, the statement, its rows; what the cursor tells."""
    if begin:
        conn.execute(begin)
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid, conn.in_transaction
    finally:
        cursor.close()


class _OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A statement in one call to aiosqlite's thread: the transaction's BEGIN if it is still to be
    sent, the statement, its rows, closing the cursor. (SQLAlchemy's adapter makes four calls,
    and BEGIN and a rollback more; each is a thread switch and a wake-up of the event loop, which
    on a busy machine is most of what a short read costs.)"""

    __slots__ = ("_description", "_rowcount", "_lastrowid", "_arraysize")

    def __init__(self, adapt_connection: _OneTripConnection) -> None:  # not super(): it would open a cursor
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # no aiosqlite cursor is kept: close() has nothing to close
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description = None
        self._rowcount = -1
        self._lastrowid = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        return None  # the rows are already here and the sqlite3 cursor closed

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._run(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._run(operation, seq_of_parameters, many=True)

    async def _run(self, operation: Any, parameters: Any, *, many: bool) -> None:
        adapt = self._adapt_connection
        if adapt._statements is not None:
            adapt._statements += 1
            if adapt._statements > 1:
                raise SecondStatementError("a one-statement session ran a second statement")
        async with adapt._execute_mutex:
            begin, adapt._begin = adapt._begin, None
            adapt._may_be_in_transaction = True  # until a statement says otherwise (not if it fails)
            self._description, rows, self._rowcount, self._lastrowid, in_transaction = \
                await self._connection._execute(_run, self._connection._conn, begin, operation, parameters, many)
            adapt._may_be_in_transaction = in_transaction
            self._rows = collections.deque(rows)


class _OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """aiosqlite's SQLAlchemy adapter with _OneTripCursor, a BEGIN sent with the first statement
    after it, and no call to the thread to commit or roll back when no transaction is open (a
    session that ran nothing; the second rollback when a session and then the pool reset one, or a
    session whose one statement ran in autocommit: sessions.one_statement())."""

    __slots__ = ("_begin", "_may_be_in_transaction", "_statements")
    _cursor_cls = _OneTripCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._begin: str | None = None
        self._may_be_in_transaction = True  # unknown until a statement has run
        self._statements: int | None = None  # counted in a one-statement session only

    def begin_with_next(self, begin: str) -> None:
        self._begin = begin

    def one_statement(self) -> None:
        """No BEGIN until the session ends: one statement may run, in autocommit."""
        self._begin = None
        self._statements = 0

    def rollback(self) -> None:
        self._begin = None
        self._statements = None
        if self._may_be_in_transaction:
            super().rollback()
            self._may_be_in_transaction = False

    def commit(self) -> None:
        self._begin = None
        self._statements = None
        if self._may_be_in_transaction:
            super().commit()
            self._may_be_in_transaction = False


class _OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> _OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return _OneTripConnection(self, adapted._connection)


class _Sessions(async_sessionmaker[AsyncSession]):
    """Database.sessions: `sessions()` for reading, `sessions.begin()` for writing. On SQLite a
    read session is bound to `reads` (its transaction deferred: no write lock); a writer's begins
    IMMEDIATE. A session from `sessions()` that writes should be `sessions.begin()` instead: on
    SQLite, a deferred transaction that has read and then writes fails with "database is locked"
    if another writer committed in between.

    `sessions.one_statement()` is a read of ONE statement (a turn's chat with its person and the
    sender's dialog state; the rows a card is built from): on SQLite it sends no BEGIN, so the
    statement is its own transaction and nothing is left to roll back, one call to SQLite's thread
    where a `sessions()` read makes two. A second statement in it raises SecondStatementError
    before it runs (two statements there would not read one snapshot). On PostgreSQL it is `sessions()`."""

    def __init__(self, engine: AsyncEngine, reads: AsyncEngine, one: AsyncEngine, **kw: Any) -> None:
        super().__init__(engine, **kw)
        self._engine = engine
        self._reads = reads
        self._one = one

    def __call__(self, **local_kw: Any) -> AsyncSession:
        local_kw.setdefault("bind", self._reads)
        return super().__call__(**local_kw)

    def begin(self) -> Any:
        return super().__call__(bind=self._engine)._maker_context_manager()

    def one_statement(self) -> AsyncSession:
        return super().__call__(bind=self._one)


class Database:
    """The engine and a session factory; handed to everything that touches SQL."""

    def __init__(self, url: str) -> None:
        self.url = normalise_database_url(url)
        self.engine = create_engine(self.url)
        sqlite = self.engine.dialect.name == "sqlite"
        reads = self.engine.execution_options(**{_READS: True}) if sqlite else self.engine
        one = self.engine.execution_options(**{_READS: True, _ONE_STATEMENT: True}) if sqlite else self.engine
        self.sessions: _Sessions = _Sessions(self.engine, reads, one, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_postgresql(self) -> bool:
        return self.dialect == "postgresql"

    async def ping(self) -> bool:
        try:
            # A read (plain BEGIN on SQLite): /healthz never queues behind a writer's lock.
            async with self.engine.execution_options(**{_READS: True}).connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not answering"
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
