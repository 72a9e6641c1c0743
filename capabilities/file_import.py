"""One way to import a file of a registered kind (capabilities.registry.FileKind), from the command
line or, after its preview, from chat (capabilities/intake): the kind's own import runs, and the
import is marked (storage/previews.py) so that a preview made before it is refused on Confirm as
stale. Shared machinery, like copies.py: each capability's CLI calls `cli_import`.
"""
from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from capabilities.context import Context
from capabilities.registry import CommandError, FileKind, ImportRequest, KindRefused, KindReport
from storage import previews
from storage.files import ImportInterrupted

log = logging.getLogger(__name__)


async def cli_import(ctx: Context, kind: FileKind, path: Path, *, via: str, scope: str | None = None) -> KindReport:
    """Import `path` as `kind` now (ctx.clock()), with no roster actor, and print what changed.
    Raises CommandError with the import's message (every problem, row and column) when refused, or
    with the part-way message (how many rows, import the same file again) when a long import stopped
    after some of its batches (storage/files.py ImportInterrupted)."""
    now = ctx.clock()
    try:
        report = await kind.run(ctx, Path(path), ImportRequest(now=now, actor_id=None, via=via, scope=scope))
    except KindRefused as exc:
        raise CommandError(str(exc)) from None
    except ImportInterrupted as exc:
        await _mark_part_written(ctx, kind, Path(path).name, now)
        raise CommandError(str(exc)) from None
    async with ctx.db.sessions.begin() as session:
        await previews.mark_imported(session, kind.name, Path(path).name, now)
    print(report.summary)
    return report


async def _mark_part_written(ctx: Context, kind: FileKind, file_name: str, now: datetime) -> None:
    """An import stopped part-way still changed the records: previews made before it are stale. The
    mark is best effort, since the database failing is often why the import stopped."""
    try:
        async with ctx.db.sessions.begin() as session:
            await previews.mark_imported(session, kind.name, file_name, now)
    except Exception as exc:  # noqa: BLE001 - the part-way message matters more than the mark
        log.warning("import of %s stopped part-way and could not be marked: %s", kind.name, type(exc).__name__)
