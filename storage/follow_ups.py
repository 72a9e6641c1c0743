"""Follow-ups: "this record owes something by this moment", kept in the database.

Owed in the same transaction as its cause (`owe`), taken when due by the duty of its kind
(`due`), and settled once (`settle`): done when what was owed went out, cancelled when the
record moved on, superseded when a later follow-up replaces it. Which follow-ups a capability
owes, and what settling one sends, live with the capability (capabilities/follow_ups.py).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FollowUp
from storage.upsert import insert_if_absent

OPEN, DONE, CANCELLED, SUPERSEDED = "open", "done", "cancelled", "superseded"
SETTLED = (DONE, CANCELLED, SUPERSEDED)


async def owe(session: AsyncSession, *, key: str, kind: str, subject_type: str, subject_id: int,
              due_at: datetime, now: datetime) -> bool:
    """Record that `subject_type` `subject_id` owes `kind` by `due_at` (aware); False when `key`
    is already owed (open or settled): owing is idempotent."""
    if due_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("due_at and now must be timezone-aware")
    return await insert_if_absent(session, FollowUp, {
        "key": key, "kind": kind, "subject_type": subject_type, "subject_id": subject_id, "due_at": due_at,
        "state": OPEN, "created_at": now}, ["key"])


async def due(session: AsyncSession, kinds: Iterable[str], by: datetime) -> list[FollowUp]:
    """Open follow-ups of `kinds` due at or before `by`, oldest first, locked until commit on
    PostgreSQL (the sweep's lease already keeps one sweeper at a time)."""
    return list((await session.execute(
        select(FollowUp).where(FollowUp.kind.in_(tuple(kinds)), FollowUp.state == OPEN, FollowUp.due_at <= by)
        .order_by(FollowUp.due_at, FollowUp.id).with_for_update())).scalars())


async def settle(session: AsyncSession, ids: Sequence[int], state: str, now: datetime) -> int:
    """Mark open follow-ups settled (`state` one of SETTLED); the number changed."""
    if state not in SETTLED:
        raise ValueError(f"a follow-up settles as one of {SETTLED}, not {state!r}")
    changed = 0
    for start in range(0, len(ids), 1000):
        result = await session.execute(
            update(FollowUp).where(FollowUp.id.in_(ids[start:start + 1000]), FollowUp.state == OPEN)
            .values(state=state, settled_at=now).execution_options(synchronize_session=False))
        changed += result.rowcount
    return changed


async def cancel_for(session: AsyncSession, subject_type: str, subject_ids: Sequence[int], now: datetime, *,
                     kinds: Iterable[str] | None = None, state: str = CANCELLED) -> int:
    """Settle every open follow-up these subjects owe (of `kinds`, or of any): the record moved on."""
    if state not in SETTLED:
        raise ValueError(f"a follow-up settles as one of {SETTLED}, not {state!r}")
    stmt = update(FollowUp).where(FollowUp.subject_type == subject_type, FollowUp.subject_id.in_(list(subject_ids)),
                                  FollowUp.state == OPEN)
    if kinds is not None:
        stmt = stmt.where(FollowUp.kind.in_(tuple(kinds)))
    result = await session.execute(stmt.values(state=state, settled_at=now).execution_options(
        synchronize_session=False))
    return result.rowcount
