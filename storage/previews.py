"""Files sent in chat held for a preview (storage.models.FilePreview), and the marks that say
when each kind of file was last imported (capabilities/intake reads them on Confirm).

Every function runs in the caller's transaction; times are aware UTC datetimes.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FilePreview

# States of an import that wrote something (in part, for interrupted): previews older are stale.
WRITTEN = ("confirmed", "interrupted", "imported")


async def hold(session: AsyncSession, *, person_id: int, file_name: str, data: bytes, kinds: list[str],
               text: str | None, now: datetime) -> FilePreview:
    """Keep an upload until its sender decides: state previewed when one kind fits, else waiting
    (the sender chooses the kind). Returns the row, flushed (its id is the preview id)."""
    row = FilePreview(kind=kinds[0] if len(kinds) == 1 else None, candidates={"kinds": list(kinds)},
                      person_id=person_id, file_name=file_name[:255], scope=None,
                      text=(text or "")[:500] or None, data=data,
                      state="previewed" if len(kinds) == 1 else "waiting", created_at=now)
    session.add(row)
    await session.flush()
    return row


async def expire_waiting(session: AsyncSession, older_than: datetime, now: datetime) -> int:
    """Previews still waiting for the sender (kind to choose, or Confirm / Cancel) made before
    `older_than`: marked expired and their upload dropped. Returns how many."""
    result = await session.execute(update(FilePreview).where(
        FilePreview.state.in_(("waiting", "previewed")), FilePreview.created_at < older_than)
        .values(state="expired", decided_at=now, data=None))
    return result.rowcount or 0


async def locked(session: AsyncSession, preview_id: int) -> FilePreview | None:
    """The preview, locked until commit (two presses on Confirm queue here), or None if gone."""
    return (await session.execute(select(FilePreview).where(FilePreview.id == preview_id)
                                  .with_for_update())).scalar_one_or_none()


async def imported_since(session: AsyncSession, kind: str, since: datetime, *, other_than: int) -> bool:
    """Whether a file of `kind` was imported (confirmed in chat, whole or in part, or from the command
    line) after `since`: a preview made before it no longer says what an import would do."""
    return bool(await session.scalar(select(exists().where(
        FilePreview.kind == kind, FilePreview.state.in_(WRITTEN),
        FilePreview.decided_at >= since, FilePreview.id != other_than))))


async def decide(session: AsyncSession, preview_id: int, state: str, now: datetime, **values: Any) -> None:
    """Record what became of a preview (confirmed, cancelled, refused): the upload is dropped."""
    await session.execute(update(FilePreview).where(FilePreview.id == preview_id)
                          .values(state=state, decided_at=now, data=None, **values))


async def mark_imported(session: AsyncSession, kind: str, file_name: str, now: datetime) -> None:
    """Record an import of `kind` from the command line (no upload kept): previews made before it
    are stale."""
    session.add(FilePreview(kind=kind, candidates={"kinds": [kind]}, person_id=None, file_name=file_name[:255],
                            state="imported", created_at=now, decided_at=now))


def past(p: Any, kind: str) -> Any:
    """The retention condition (storage.retention's shape): previews and marks past the
    conversation-state period, from when they were made (an upload waits an hour at most)."""
    return FilePreview.created_at < p.cutoff(kind)
