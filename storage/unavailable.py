"""Is this error the database being unavailable, rather than the work being wrong? The one place
that says so, for every driver the bot may run on.

Unavailable means: try the same thing again shortly and it may well succeed. The edge answers such
a turn 503 with Retry-After (bot/app.py), the sender keeps a sent mark it could not write and
writes it again (bot/marks.py), and `tick` waits for the database instead of exiting (bot/tick.py),
each for a bounded time (`ride_out`, QA_DATABASE_WAIT_SECONDS).

What counts, by what the error is (its SQLSTATE or SQLite result code, never its wording):

- PostgreSQL (asyncpg, which the bot uses, or psycopg, whose errors carry the same SQLSTATE):
  class 08 (connection exception: refused, lost, "connection does not exist"); class 57P
  (operator intervention: 57P01 administrator shutdown, 57P02 crash shutdown, 57P03 cannot connect
  now: "the database system is starting up", "... is shutting down", "... is not accepting
  connections", 57P04 database dropped, 57P05 idle session timeout); class 53 (insufficient
  resources: too many connections, disk full, out of memory); 55000 (object not in prerequisite
  state: what a connection to a database with ALLOW_CONNECTIONS false is refused with, "database
  ... is not currently accepting connections").
- SQLite: SQLITE_BUSY and SQLITE_LOCKED ("database is locked" after the 30 s busy timeout),
  SQLITE_READONLY (a read-only file or file system), SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN,
  SQLITE_PROTOCOL.
- Underneath any driver: the connection itself failing (OSError other than a missing file,
  ConnectionError, TimeoutError), and SQLAlchemy's pool timing out or finding a connection closed
  (sqlalchemy.exc.TimeoutError, InterfaceError, a DBAPIError it marked `connection_invalidated`).

SQLAlchemy wraps the driver's error (`.orig`), and asyncpg's adapter raises its own error
`from` asyncpg's: every error in the chain (`.orig`, `__cause__`, `__context__`) is looked at.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import exc as sa_exc

log = logging.getLogger(__name__)
T = TypeVar("T")

# SQLSTATE classes (first two characters), and whole codes, that mean "not now".
UNAVAILABLE_CLASSES = frozenset({"08", "53"})
UNAVAILABLE_PREFIXES = ("57P",)
UNAVAILABLE_CODES = frozenset({"55000"})
# SQLite primary result codes (https://sqlite.org/rescode.html): BUSY, LOCKED, READONLY, IOERR,
# FULL, CANTOPEN, PROTOCOL.
SQLITE_UNAVAILABLE = frozenset({5, 6, 8, 10, 13, 14, 15})
_SQLITE_WORDS = ("database is locked", "database table is locked", "database is busy",
                 "unable to open database file", "attempt to write a readonly database",
                 "disk i/o error", "database or disk is full")


def database_unavailable(error: BaseException) -> bool:
    """True when `error`, or an error that caused it, says the database cannot be reached or
    cannot take work now (see the module's list); False for anything the work itself got wrong
    (a constraint, a bad statement, a missing table, a wrong password)."""
    return any(_unavailable(link) for link in _chain(error))


def sqlstate(error: BaseException) -> str | None:
    """The PostgreSQL SQLSTATE an error carries (asyncpg and psycopg 3: `sqlstate`; psycopg2 and
    SQLAlchemy's asyncpg adapter: `pgcode`), else None."""
    for name in ("sqlstate", "pgcode"):
        code = getattr(error, name, None)
        if isinstance(code, str) and len(code) == 5:
            return code.upper()
    return None


def _chain(error: BaseException) -> list[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException] = [error]
    found: list[BaseException] = []
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        found.append(current)
        for nxt in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(nxt, BaseException):
                todo.append(nxt)
    return found


def _unavailable(error: BaseException) -> bool:
    code = sqlstate(error)
    if code is not None:
        return code[:2] in UNAVAILABLE_CLASSES or code.startswith(UNAVAILABLE_PREFIXES) or code in UNAVAILABLE_CODES
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, (sa_exc.TimeoutError, sa_exc.InterfaceError, sa_exc.DisconnectionError)):
        return True
    if _is_sqlite_error(error):
        number = getattr(error, "sqlite_errorcode", None)
        if isinstance(number, int):
            return number & 0xFF in SQLITE_UNAVAILABLE  # the primary code: extended codes add bits above
        return any(words in str(error).lower() for words in _SQLITE_WORDS)
    if isinstance(error, (ConnectionError, TimeoutError)):
        return True
    if isinstance(error, OSError) and not isinstance(error, (FileNotFoundError, IsADirectoryError,
                                                             NotADirectoryError, PermissionError)):
        return True
    return _driver_connection_error(error)


def _is_sqlite_error(error: BaseException) -> bool:
    return type(error).__module__ == "sqlite3" or hasattr(error, "sqlite_errorcode")


def _driver_connection_error(error: BaseException) -> bool:
    """A driver's own "the connection is gone" without a SQLSTATE: asyncpg's ConnectionDoesNotExistError
    and InterfaceError "connection is closed" come with or without one; psycopg's OperationalError
    raised when a connection fails to open carries none."""
    module, name = type(error).__module__, type(error).__name__
    if module.startswith("asyncpg"):
        return "Connection" in name or (name == "InterfaceError" and "closed" in str(error))
    if module.startswith(("psycopg", "psycopg2")):
        return name == "OperationalError"
    return False


async def ride_out(step: Callable[[], Awaitable[T]], *, wait: float, what: str,
                   sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> T:
    """`await step()`, and while it fails because the database is unavailable, wait and call it
    again, for at most `wait` seconds in all (back-off from 0.5 s, doubling, at most 5 s between
    tries). Any other error, or unavailability past `wait`, is raised. `what` names the step in
    the log (never data). The step must be safe to run again (a transaction that rolled back)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + max(wait, 0.0)
    pause = 0.5
    while True:
        try:
            return await step()
        except Exception as exc:
            if not database_unavailable(exc) or loop.time() + pause > give_up:
                raise
            log.warning("%s: the database is unavailable (%s); trying again in %.1f s", what, type(exc).__name__, pause)
        await sleep(pause)
        pause = min(pause * 2, 5.0)
