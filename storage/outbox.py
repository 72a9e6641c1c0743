"""Writing proactive messages to the outbox, in the caller's transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage
from storage.upsert import insert_if_absent


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    person_id: int | None,
    payload: dict[str, Any],
    due_at: datetime,
    now: datetime,
    conversation_id: str | None = None,
) -> bool:
    """Add a message unless one with the same idempotency key exists; True if added.

    `payload` is {"text": fallback text, "card": Adaptive Card or None, "summary": one line
    for digests}. It is committed with the caller's change, or not at all.
    """
    return await insert_if_absent(
        session,
        OutboxMessage,
        {
            "idempotency_key": key,
            "kind": kind,
            "person_id": person_id,
            "conversation_id": conversation_id,
            "payload": payload,
            "due_at": due_at,
            "next_attempt_at": due_at,
            "state": "pending",
            "attempts": 0,
            "created_at": now,
        },
        ["idempotency_key"],
    )
