"""One way to import a file of a registered kind (capabilities.registry.FileKind), from the command
line or, after its preview, from chat (capabilities/intake): the kind's own import runs, and the
import is marked (storage/previews.py) so that a preview made before it is refused on Confirm as
stale. Shared machinery, like copies.py: each capability's CLI calls `cli_import`.
"""
from __future__ import annotations

from pathlib import Path

from capabilities.context import Context
from capabilities.registry import CommandError, FileKind, ImportRequest, KindRefused, KindReport
from storage import previews


async def cli_import(ctx: Context, kind: FileKind, path: Path, *, via: str, scope: str | None = None) -> KindReport:
    """Import `path` as `kind` now (ctx.clock()), with no roster actor, and print what changed.
    Raises CommandError with the import's message (every problem, row and column) when refused."""
    now = ctx.clock()
    try:
        report = await kind.run(ctx, Path(path), ImportRequest(now=now, actor_id=None, via=via, scope=scope))
    except KindRefused as exc:
        raise CommandError(str(exc)) from None
    async with ctx.db.sessions.begin() as session:
        await previews.mark_imported(session, kind.name, Path(path).name, now)
    print(report.summary)
    return report
