"""What a duty writes, with no person acting: the audit-trail rows (no actor) and the outbox rows
of one duty run, in the duty's session. The same two steps as a use case's `kit.Act` (trail,
notify), so intake and chasers read like the use cases beside them."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.addressing import addressed
from capabilities.registry import OutboxKind
from dialogs.payload import Payload
from storage.models import Person, TrailEvent
from storage.outbox import Message, enqueue_many


@dataclass(frozen=True)
class DutyAct:
    session: AsyncSession
    now: datetime  # aware UTC
    due_at: datetime  # when this run's messages go (the send moment of its occurrence)
    via: str  # duty:<name>
    tz: tzinfo = timezone.utc  # the council's zone: the day `due_at` falls on decides who covers (addressing.py)

    def trail(self, subject_type: str, subject_id: int | None, action: str, *, month: str | None = None,
              **detail: Any) -> None:
        """One audit-trail row made by the duty (no actor). `detail` holds counts, ids and flags."""
        self.session.add(TrailEvent(subject_type=subject_type, subject_id=subject_id, month=month, actor_id=None,
                                    action=action, via=self.via, detail=detail, at=self.now))

    async def notify(self, kind: OutboxKind, people: Iterable[Person], payload: Payload, *, key: str) -> int:
        """One outbox row of `kind` per person (key "<key>:<person id>"), due at `due_at`. Returns
        the rows added (a key already queued adds nothing)."""
        ids = list(dict.fromkeys(p.id for p in people))
        messages = await addressed(self.session, [Message(key=f"{key}:{pid}", kind=kind, person_id=pid, payload=payload,
                                                          due_at=self.due_at) for pid in ids],
                                   now=self.now, day=self.due_at.astimezone(self.tz).date(), via=self.via)
        return await enqueue_many(self.session, messages, now=self.now)
