"""Reading a file someone sent or named, off the event loop: the one way every import reads.

qa/tabular.py parses (streamed, limits checked before parsing); this runs it in a worker thread
(asyncio.to_thread), so a large or hostile file never stalls the turns, the sender, the sweep or
/healthz that share the loop. Used by the roster, allocation, supervision history, caseload and
calendar imports, from chat and from the CLI.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from qa.tabular import DEFAULT_LIMITS, ReadLimits, Table, read_table, read_table_bytes

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


BATCH = 1000  # rows an import writes in one statement


def batches(rows: list[T], size: int = BATCH) -> list[list[T]]:
    """`rows` in lists of at most `size`, in order (none for no rows)."""
    return [rows[start:start + size] for start in range(0, len(rows), size)]


async def off_loop(check: Callable[..., T], *args: object) -> T:
    """A pure check over a whole file's rows (parse_roster, parse_calendar ...), in a worker thread:
    100,000 rows take seconds of CPU that the loop must not spend."""
    return await asyncio.to_thread(check, *args)


class DryRun(Exception):  # noqa: N818 - raised on purpose, not an error
    """Raised inside an import's transaction when it is only a preview: the transaction rolls back,
    so nothing is written, and `report` says what the import would have done (the same rules and
    the same statements as the import itself, so the preview and the import never disagree)."""

    def __init__(self, report: object) -> None:
        super().__init__("dry run")
        self.report = report
