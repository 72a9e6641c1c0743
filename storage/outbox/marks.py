"""How a claimed row is settled: sent, to be retried, or given up."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, literal, or_, update

from storage.db import Database
from storage.models import Conversation, OutboxMessage
from storage.outbox.states import REASON_LENGTH


async def mark_sent(db: Database, ids: list[int], *, activity_id: str | None, now: datetime) -> None:
    """Delivered: recorded at once, whoever holds the claim now (it went out either way)."""
    async with db.sessions.begin() as session:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.state != "sent")
            .values(state="sent", sent_at=now, activity_id=activity_id, claimed_until=None, last_error=None,
                    attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False))


@dataclass(frozen=True)
class Sent:
    """One message Teams accepted: the rows it carried, its activity id, when."""

    ids: tuple[int, ...]
    activity_id: str | None
    at: datetime


async def mark_sent_many(db: Database, sent: Sequence[Sent]) -> None:
    """`mark_sent` for several messages in one transaction, one statement sent as a batch (the
    sender writes together the messages answered while it was writing the ones before)."""
    if not sent:
        return
    table = OutboxMessage.__table__
    stmt = (table.update().where(table.c.id == bindparam("row_id"), table.c.state != "sent")
            .values(state="sent", sent_at=bindparam("sent_at_"), activity_id=bindparam("activity_id_"),
                    claimed_until=None, last_error=None, attempts=table.c.attempts + 1))
    params = [{"row_id": row_id, "sent_at_": s.at, "activity_id_": s.activity_id} for s in sent for row_id in s.ids]
    async with db.sessions.begin() as session:
        await session.execute(stmt, params)


async def mark_retry(db: Database, ids: list[int], *, worker: str, error: str, next_attempt_at: datetime,
                     budget: timedelta, attempted_at: datetime, max_attempts: int | None = None) -> tuple[int, int]:
    """A failed attempt (made at `attempted_at`) that may succeed later: (rows to retry, rows given
    up as "retries exhausted" because their next attempt would come more than `budget` after their
    first attempt, or, with `max_attempts`, after that many attempts). The window counts from the
    first attempt (`first_attempt_at`, set here by the first failure), not from when the row was
    due: a row due long ago, while its sender was down, still gets its whole window."""
    mine = and_(OutboxMessage.id.in_(ids), OutboxMessage.state == "sending", OutboxMessage.claimed_by == worker)
    first = func.coalesce(OutboxMessage.first_attempt_at,
                          literal(attempted_at, OutboxMessage.__table__.c.first_attempt_at.type))
    spent = first < next_attempt_at - budget
    if max_attempts is not None:
        spent = or_(spent, OutboxMessage.attempts + 1 >= max_attempts)
    async with db.sessions.begin() as session:
        exhausted = await session.execute(
            update(OutboxMessage).where(mine, spent)
            .values(state="undeliverable", undeliverable_reason="retries exhausted", last_error=error[:500],
                    attempts=OutboxMessage.attempts + 1, claimed_until=None, first_attempt_at=first)
            .execution_options(synchronize_session=False))
        retrying = await session.execute(
            update(OutboxMessage).where(mine)
            .values(state="retrying", next_attempt_at=next_attempt_at, last_error=error[:500],
                    attempts=OutboxMessage.attempts + 1, claimed_by=None, claimed_until=None,
                    first_attempt_at=first)
            .execution_options(synchronize_session=False))
    return retrying.rowcount or 0, exhausted.rowcount or 0


async def mark_undeliverable(db: Database, ids: list[int], *, worker: str, reason: str, error: str | None = None,
                             attempted: bool = False, unreachable_chat: str | None = None,
                             now: datetime | None = None) -> int:
    """Given up for good. With `unreachable_chat`, that personal chat is marked unreachable too
    (Teams said the bot was blocked or removed), so later messages do not try it again."""
    values: dict[str, Any] = {"state": "undeliverable", "undeliverable_reason": reason[:REASON_LENGTH],
                              "last_error": error, "claimed_until": None}
    if attempted:
        values["attempts"] = OutboxMessage.attempts + 1
    async with db.sessions.begin() as session:
        result = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.state == "sending", OutboxMessage.claimed_by == worker)
            .values(**values).execution_options(synchronize_session=False))
        if unreachable_chat is not None:
            await session.execute(
                update(Conversation)
                .where(Conversation.conversation_id == unreachable_chat, Conversation.unreachable_at.is_(None))
                .values(unreachable_at=now, unreachable_reason=reason[:200]))
    return result.rowcount or 0


