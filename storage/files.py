"""Reading a file someone sent or named, off the event loop, and writing a long one in batches:
the one way every import reads and writes.

qa/tabular.py parses (streamed, limits checked before parsing); this runs it in a worker thread
(asyncio.to_thread), so a large or hostile file never stalls the turns, the sender, the sweep or
/healthz that share the loop. Used by the roster, allocation, supervision history, caseload,
past-audit and calendar imports, from chat and from the CLI.

Writing (`write_in_batches`): every import checks the whole file before it writes anything (bad
input: a clear refusal, nothing written). A file of at most ReadLimits.batch_rows rows
(QA_IMPORT_BATCH_ROWS, default 1,000: every allocation list and calendar a council really has) is
then written in ONE transaction, all or nothing, as before. A longer one is written in
transactions of batch_rows rows each, because on SQLite a transaction holds the write lock of the
whole database: one transaction of 100,000 rows kept the sender's claims and the sweep waiting
for seconds (docs/performance.md "Files"). Between two batches the lock is let go for longer than
SQLite's longest busy-handler sleep, so a writer that is waiting gets in: it waits at most about
one batch.

Why batches and not a staging table: every import is idempotent, each batch's rows are
exactly what the file says (computed from one read of the database before the first batch), and
the rows that must go together go in the same batch (a leaver is marked and their queued messages
withdrawn in one transaction). So a long import that stops part-way (the database failing, the
process killed) has written a part of the correct end state and nothing wrong; the person is told
how far it got (ImportInterrupted: "imported only in part ... import the same file again to
finish"), and importing the same file again writes only what is still missing. A failure in the
first batch leaves nothing written, as a short import's does.

A preview in chat (`dry_run`) is different: the whole import, whatever its length, runs in ONE
transaction that is then rolled back (DryRun), so a preview never commits a batch and says exactly
what Confirm would change; Confirm (or the command line) then writes in batches as above.

Used by the roster, supervision history, caseload, past-audit and calendar imports. The allocation
list is not: a month's list (hundreds of rows) is one transaction whatever its length, because its
month lock, per-allocation trail rows and late notices must go together.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from qa.tabular import (
    DEFAULT_LIMITS,
    ReadLimits,
    StreamedRow,
    Table,
    file_bytes,
    read_table,
    read_table_bytes,
    stream_rows,
)
from storage.db import Database
from storage.unavailable import database_unavailable

log = logging.getLogger(__name__)

Source = Path | tuple[bytes, str]  # a file on disk, or an upload's bytes and file name
T = TypeVar("T")


def source_name(source: Source) -> str:
    """The file name a source goes by in messages."""
    return Path(source[1]).name if isinstance(source, tuple) else Path(source).name


async def read_source(source: Source, what: str, sheet_words: Sequence[str] = (),
                      limits: ReadLimits = DEFAULT_LIMITS) -> Table:
    """qa.tabular.read_table(_bytes) of `source`, in a worker thread. Raises UnreadableTable."""
    if isinstance(source, tuple):
        return await asyncio.to_thread(read_table_bytes, source[0], source[1], what, sheet_words, limits)
    return await asyncio.to_thread(read_table, Path(source), what, sheet_words, limits)


async def stream_source(source: Source, what: str, consume: Callable[[Iterator[StreamedRow]], T],
                        limits: ReadLimits = DEFAULT_LIMITS) -> T:
    """`consume(rows)` over qa.tabular.stream_rows of `source` (every visible sheet, one row at a
    time), file and parsing in a worker thread: for a reader that keeps only some columns of each
    row (the Annex A extract, whose other columns identify children). Raises UnreadableTable."""
    def run() -> T:
        if isinstance(source, tuple):
            data, name = source
        else:
            data, name = file_bytes(source, what, limits), Path(source).name
        return consume(stream_rows(data, name, what, limits))
    return await asyncio.to_thread(run)


BATCH = 1000  # rows an import writes in one statement (within one transaction)
# Seconds a long import lets SQLite's write lock go between two batches: longer than the longest
# sleep of SQLite's busy handler (100 ms), so every writer waiting on the lock retries in the gap
# and goes first. PostgreSQL locks rows, not the database: there the loop is only let run.
SQLITE_GAP = 0.12


def batches(rows: list[T], size: int = BATCH) -> list[list[T]]:
    """`rows` in lists of at most `size`, in order (none for no rows)."""
    return [rows[start:start + size] for start in range(0, len(rows), size)]


async def off_loop(check: Callable[..., T], *args: object) -> T:
    """A pure check over a whole file's rows (parse_roster, parse_calendar ...), in a worker thread:
    100,000 rows take seconds of CPU that the loop must not spend."""
    return await asyncio.to_thread(check, *args)


RunBatch = Callable[[AsyncSession, list[Any]], Awaitable[object]]


@dataclass
class Write:
    """Rows an import writes and the statement(s) that write a list of them in a session
    (e.g. `lambda session, rows: session.execute(insert(Person), rows)`). Rows that must be
    written together (a leaver and their withdrawn messages) are one row here."""

    rows: list[Any]
    run: RunBatch


@dataclass
class Plan:
    """What an import will write, worked out from one read of the database: `writes` in order,
    then `finish` (a trail row, links; small) in the last transaction."""

    writes: list[Write] = field(default_factory=list)
    finish: Callable[[AsyncSession], Awaitable[object]] | None = None

    @property
    def rows(self) -> int:
        return sum(len(w.rows) for w in self.writes)


class ImportInterrupted(Exception):  # noqa: N818 - what happened, as the person reads it
    """A long import stopped after some of its batches were committed. str() is the message for a
    person: what was written, that it is correct as far as it goes, and to import the same file
    again to finish. The error that stopped it is the __cause__."""

    def __init__(self, source: str, written: int, total: int, unavailable: bool) -> None:
        self.source, self.written, self.total = source, written, total
        why = "the database became unavailable" if unavailable else "an error stopped it"
        super().__init__(
            f"{source} was imported only in part: {written:,} of {total:,} rows were written before {why}. "
            "The rows written are as the file says. Import the same file again to finish: rows already "
            "written are left as they are and only the rest is written.")


class DryRun(Exception):  # noqa: N818 - raised on purpose, not an error
    """Raised inside an import's transaction when it is only a preview: the transaction rolls back,
    so nothing is written, and `report` says what the import would have done (the same rules and
    the same statements as the import itself, so the preview and the import never disagree)."""

    def __init__(self, report: object) -> None:
        super().__init__("dry run")
        self.report = report


async def batch_written(session: AsyncSession, index: int) -> None:
    """Called in each batch's transaction of a long import, after its rows and before its commit
    (`index` from 0). Does nothing; a test replaces it to act at that moment (a concurrent writer)."""


async def write_in_batches(db: Database, file_rows: int, plan: Callable[[AsyncSession], Awaitable[Plan]], *,
                           source: str, limits: ReadLimits = DEFAULT_LIMITS, dry_run: bool = False) -> Plan:
    """Work out an import's writes (`plan`, given a session; it must not write) and write them.

    - `file_rows` (the checked file's rows) <= limits.batch_rows: plan, writes and finish in one
      write transaction; anything raised leaves nothing written (the caller's refusals as before).
    - longer: the plan from a read (no write lock on SQLite), then each write's rows in
      transactions of at most batch_rows, SQLITE_GAP apart on SQLite, then `finish` in its own.
      A failure before the first commit re-raises as it is (nothing written); after it, raises
      ImportInterrupted (`source` names the file) from the failure.
    - `dry_run` (a preview in chat): plan, writes and finish in one transaction that is then rolled
      back, whatever the file's length: a preview never commits a batch.
    Returns the plan (its report is the caller's).
    """
    if dry_run or file_rows <= limits.batch_rows:
        try:
            async with db.sessions.begin() as session:
                found = await plan(session)
                for write in found.writes:
                    for rows in batches(write.rows):
                        await write.run(session, rows)
                if found.finish is not None:
                    await found.finish(session)
                if dry_run:  # a preview: the same statements, then rolled back, whatever the length
                    raise DryRun(found)
        except DryRun:
            pass
        return found
    async with db.sessions() as session:
        found = await plan(session)
    gap = SQLITE_GAP if db.dialect == "sqlite" else 0
    written = 0
    try:
        for index, (write, rows) in enumerate(
                (w, part) for w in found.writes for part in batches(w.rows, limits.batch_rows)):
            if index:
                await asyncio.sleep(gap)  # let a waiting writer (the sender, the sweep) have the lock
            async with db.sessions.begin() as session:
                for statement_rows in batches(rows):
                    await write.run(session, statement_rows)
                await batch_written(session, index)
            written += len(rows)
        if found.finish is not None:
            await asyncio.sleep(gap)
            async with db.sessions.begin() as session:
                await found.finish(session)
    except Exception as exc:
        if written == 0:
            raise
        log.warning("import of %d rows stopped after %d: %s", found.rows, written, type(exc).__name__)
        raise ImportInterrupted(source, written, found.rows, database_unavailable(exc)) from exc
    return found
