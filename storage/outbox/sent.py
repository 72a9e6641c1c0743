"""The rows a sent message carried (for a press on it) and every copy of one notice several
people received (capabilities/copies.py)."""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import OutboxMessage

CHANGES = ("replaces", "withdraws")  # payload keys: the activity id of a sent message this row updates / deletes


def is_change(payload: Mapping[str, Any] | None) -> bool:
    """The row changes a message already sent (bot/sender.py), rather than being a notice of its own."""
    return bool(payload) and any(payload.get(k) for k in CHANGES)


# -- the messages a press acted on ------------------------------------------------------------

async def sent_rows(db: Database, activity_id: str, conversation_id: str, person_id: int | None
                    ) -> list[OutboxMessage]:
    """The outbox rows a sent message carried (one notice, or a digest's several), in the order the
    sender put them in the message; [] for a message the outbox did not send."""
    if not activity_id:
        return []
    # A card posted to a channel starts its own thread: a press on it comes from "<channel>;messageid=<root>".
    to_chat = OutboxMessage.conversation_id.in_({conversation_id, conversation_id.split(";messageid=")[0]})
    if person_id is not None:
        to_chat = or_(to_chat, and_(OutboxMessage.conversation_id.is_(None), OutboxMessage.person_id == person_id))
    async with db.sessions.one_statement() as session:
        rows = list((await session.execute(
            select(OutboxMessage).where(OutboxMessage.activity_id == activity_id, OutboxMessage.state == "sent", to_chat)
            .order_by(OutboxMessage.due_at, OutboxMessage.id))).scalars())
    # A message later replaced in place (`replaces`) shares its activity id with the change: the
    # notices are the rows it first carried (each records what it now shows).
    return [r for r in rows if not is_change(r.payload)] or rows


async def record_shown(db: Database, shown: Mapping[int, dict]) -> None:
    """Keep, on each sent outbox row, the payload its message shows after an update in place."""
    async with db.sessions.begin() as session:
        for row_id, payload in shown.items():
            await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(payload=payload))


# -- the copies of one notice several people received (capabilities/copies.py) ------------------

async def copies(session: AsyncSession, key_prefixes: Sequence[str], *, skip: Collection[int] = ()
                 ) -> list[OutboxMessage]:
    """The rows whose idempotency key begins with one of `key_prefixes` (every copy of one notice,
    in any state), except the rows `skip` (ids), by id; locked for update on PostgreSQL."""
    if not key_prefixes:
        return []
    stmt = (select(OutboxMessage)
            .where(or_(*[OutboxMessage.idempotency_key.startswith(p, autoescape=True) for p in key_prefixes]))
            .order_by(OutboxMessage.id))
    if skip:
        stmt = stmt.where(OutboxMessage.id.not_in(list(skip)))
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return list((await session.execute(stmt)).scalars())


def chat_of(row: OutboxMessage) -> tuple[str, Any]:
    """Where a row went: its conversation, else its person's personal chat."""
    return ("conversation", row.conversation_id) if row.conversation_id else ("person", row.person_id)


async def sent_together(session: AsyncSession, rows: Sequence[OutboxMessage]
                        ) -> dict[tuple[str, tuple[str, Any]], list[OutboxMessage]]:
    """For each sent row of `rows` with an activity id, every notice its message carried (itself,
    or a digest's several), in the order the sender put them: (activity id, chat) -> rows."""
    sent = [r for r in rows if r.state == "sent" and r.activity_id]
    if not sent:
        return {}
    wanted = {(r.activity_id, chat_of(r)) for r in sent}
    found = (await session.execute(
        select(OutboxMessage).where(OutboxMessage.activity_id.in_(sorted({r.activity_id for r in sent})),
                                    OutboxMessage.state == "sent")
        .order_by(OutboxMessage.due_at, OutboxMessage.id))).scalars()
    out: dict[tuple[str, tuple[str, Any]], list[OutboxMessage]] = {}
    for row in found:
        where = (row.activity_id, chat_of(row))
        if where in wanted and not is_change(row.payload):
            out.setdefault(where, []).append(row)
    return out
