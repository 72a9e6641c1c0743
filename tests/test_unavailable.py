"""storage/unavailable.py: every way the database can be unavailable is told apart from work that is
wrong, for the drivers' own errors, as SQLAlchemy wraps them, and as asyncpg's adapter re-raises
them. (Through HTTP, on a real PostgreSQL that stops accepting connections:
tests/test_database_unavailable.py.)"""
from __future__ import annotations

import sqlite3

import asyncpg.exceptions as pg
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi

from bot.adapter import dependency_down
from storage.unavailable import database_unavailable, sqlstate


class _PsycopgLikeError(Exception):
    """psycopg (3 and 2) errors carry the SQLSTATE as `sqlstate` / `pgcode`; the bot runs on asyncpg,
    so psycopg is not installed: this stands in for its shape."""

    def __init__(self, message: str, code: str, attribute: str = "sqlstate") -> None:
        super().__init__(message)
        setattr(self, attribute, code)


def _as_sqlalchemy_raises(driver_error: BaseException) -> sa_exc.DBAPIError:
    """What a statement on the asyncpg dialect raises: asyncpg's error, translated by SQLAlchemy's
    adapter (raised `from` it), wrapped in SQLAlchemy's DBAPIError."""
    dbapi = AsyncAdapt_asyncpg_dbapi(__import__("asyncpg"))
    translated_type = next(t for base, t in dbapi._asyncpg_error_translate.items() if isinstance(driver_error, base))
    try:
        try:
            raise driver_error
        except Exception as exc:
            raise translated_type(f"{type(exc).__name__}: {exc}", exc) from exc
    except Exception as translated:
        return sa_exc.DBAPIError.instance("SELECT 1", None, translated, dbapi.Error)


UNAVAILABLE = {
    "57P03 the database system is not accepting connections":
        pg.CannotConnectNowError("the database system is not accepting connections"),
    "57P03 the database system is starting up": pg.CannotConnectNowError("the database system is starting up"),
    "57P01 terminating connection due to administrator command":
        pg.AdminShutdownError("terminating connection due to administrator command"),
    "57P02 crash shutdown": pg.CrashShutdownError("terminating connection because of crash of another server process"),
    "55000 database is not currently accepting connections":
        pg.ObjectNotInPrerequisiteStateError('database "qa" is not currently accepting connections'),
    "53300 too many connections": pg.TooManyConnectionsError("sorry, too many clients already"),
    "08006 connection failure": pg.ConnectionFailureError("connection failure"),
    "08003 connection does not exist": pg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    "asyncpg interface: connection is closed": pg.InterfaceError("cannot call Connection.fetch(): connection is closed"),
    "psycopg 3 57P03": _PsycopgLikeError("the database system is shutting down", "57P03"),
    "psycopg2 57P01": _PsycopgLikeError("terminating connection due to administrator command", "57P01", "pgcode"),
    "psycopg 08001": _PsycopgLikeError("could not connect to server", "08001"),
    "connection refused": ConnectionRefusedError(111, "Connection refused"),
    "timed out": TimeoutError(),
    "sqlite database is locked": sqlite3.OperationalError("database is locked"),
    "sqlite read-only": sqlite3.OperationalError("attempt to write a readonly database"),
    "sqlalchemy pool timeout": sa_exc.TimeoutError("QueuePool limit of size 10 overflow 10 reached"),
}

NOT_UNAVAILABLE = {
    "23505 unique violation": pg.UniqueViolationError("duplicate key value violates unique constraint"),
    "42P01 undefined table": pg.UndefinedTableError('relation "outbox" does not exist'),
    "28P01 wrong password": pg.InvalidPasswordError('password authentication failed for user "qa"'),
    "psycopg 23503": _PsycopgLikeError("insert or update violates foreign key constraint", "23503"),
    "sqlite no such table": sqlite3.OperationalError("no such table: outbox"),
    "sqlite unique": sqlite3.IntegrityError("UNIQUE constraint failed: outbox.idempotency_key"),
    "a missing file": FileNotFoundError("roster.csv"),
    "a value error": ValueError("not a date"),
}


@pytest.mark.parametrize("name", list(UNAVAILABLE))
def test_each_way_the_database_is_unavailable_is_unavailable_bare_and_wrapped(name):
    error = UNAVAILABLE[name]
    assert database_unavailable(error)
    assert database_unavailable(sa_exc.DBAPIError.instance("SELECT 1", None, error, Exception))
    if isinstance(error, pg.PostgresError | pg.InterfaceError):
        wrapped = _as_sqlalchemy_raises(error)
        assert database_unavailable(wrapped)
        assert dependency_down(wrapped)  # the edge's 503 asks the same place


@pytest.mark.parametrize("name", list(NOT_UNAVAILABLE))
def test_work_that_is_wrong_is_not_unavailability(name):
    error = NOT_UNAVAILABLE[name]
    assert not database_unavailable(error)
    assert not database_unavailable(sa_exc.DBAPIError.instance("SELECT 1", None, error, Exception))
    if isinstance(error, pg.PostgresError):
        assert not database_unavailable(_as_sqlalchemy_raises(error))


def test_the_sqlstate_of_the_adapters_error_is_read():
    wrapped = _as_sqlalchemy_raises(pg.CannotConnectNowError("the database system is starting up"))
    assert sqlstate(wrapped.orig) == "57P03"
    assert sqlstate(ValueError()) is None


def test_a_real_sqlite_lock_past_its_busy_timeout_is_unavailable(tmp_path):
    """SQLite's own error, result code SQLITE_BUSY, as the busy timeout (here 0) runs out."""
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError) as raised:
        waiter.execute("BEGIN IMMEDIATE")
    holder.close()
    waiter.close()
    assert raised.value.sqlite_errorcode & 0xFF == 5 and "locked" in str(raised.value)
    assert database_unavailable(raised.value)
    assert database_unavailable(sa_exc.OperationalError("BEGIN IMMEDIATE", None, raised.value))


def test_a_chain_that_loops_ends():
    first, second = ValueError("a"), ValueError("b")
    first.__context__, second.__context__ = second, first
    assert not database_unavailable(first)
