"""Writing outbox rows: proactive messages added in the caller's transaction, each under an
idempotency key, its payload a checked dialogs.payload.Payload stored as JSON."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage
from storage.upsert import insert_if_absent


class JsonPayload(Protocol):
    """A message's content (dialogs.payload.Payload, checked when it was made): its stored JSON."""

    def to_json(self) -> dict[str, Any]: ...


def stored(payload: JsonPayload) -> dict[str, Any]:
    """The JSON an outbox row keeps for `payload` (a dialogs.payload.Payload); TypeError for
    anything else, so a hand-built dict never reaches the table unchecked."""
    if not callable(getattr(payload, "to_json", None)):
        raise TypeError("an outbox payload is a dialogs.payload.Payload (OutboxKind.message), not a dict")
    return payload.to_json()


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    person_id: int | None,
    payload: JsonPayload,
    due_at: datetime,
    now: datetime,
    conversation_id: str | None = None,
) -> bool:
    """Add a message unless one with the same idempotency key exists; True if added.

    `payload` is a dialogs.payload.Payload (made by `OutboxKind.message`), stored as its JSON.
    It is committed with the caller's change, or not at all.
    """
    return await insert_if_absent(
        session,
        OutboxMessage,
        {
            "idempotency_key": key,
            "kind": kind,
            "person_id": person_id,
            "conversation_id": conversation_id,
            "payload": stored(payload),
            "due_at": due_at,
            "next_attempt_at": due_at,
            "state": "pending",
            "attempts": 0,
            "created_at": now,
        },
        ["idempotency_key"],
    )


@dataclass(frozen=True)
class Message:
    """One message for `enqueue_many`: what `enqueue` takes, less the session and `now`."""

    key: str
    kind: str
    person_id: int | None
    payload: JsonPayload
    due_at: datetime
    conversation_id: str | None = None


async def enqueue_many(session: AsyncSession, messages: Sequence[Message], *, now: datetime) -> int:
    """`enqueue` for many messages: one statement compiled once, sent as multi-row INSERT ... ON
    CONFLICT DO NOTHING pages (SQLAlchemy's insertmanyvalues) rather than a statement each (a
    sweep moment writes thousands). The rows added; a message whose key exists is skipped."""
    if not messages:
        return 0
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    table = OutboxMessage.__table__
    stmt = insert(table).on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(table.c.id)
    rows = [{"idempotency_key": m.key, "kind": m.kind, "person_id": m.person_id, "conversation_id": m.conversation_id,
             "payload": stored(m.payload), "due_at": m.due_at, "next_attempt_at": m.due_at, "state": "pending",
             "attempts": 0, "created_at": now} for m in messages]
    return len((await session.execute(stmt, rows)).all())

