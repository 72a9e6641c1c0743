"""Counts for `python -m bot outbox status` and the delivery backlog."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import OutboxMessage
from storage.outbox.states import OPEN_STATES, aware

# -- status (`python -m bot outbox status`) ------------------------------------------------

@dataclass
class OutboxStatus:
    pending: int = 0
    sending: int = 0
    retrying: int = 0
    sent: int = 0
    undeliverable: dict[str, int] = field(default_factory=dict)  # reason -> rows
    not_yet_due: int = 0  # of `pending`
    oldest_pending_due: datetime | None = None  # the longest-waiting open row that is due
    oldest_pending_age: timedelta | None = None

    @property
    def undeliverable_total(self) -> int:
        return sum(self.undeliverable.values())

    def describe(self) -> str:
        lines = [f"outbox: {self.pending} pending ({self.not_yet_due} not yet due), {self.sending} sending, "
                 f"{self.retrying} retrying, {self.sent} sent, {self.undeliverable_total} undeliverable"]
        for reason, count in sorted(self.undeliverable.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  undeliverable, {reason}: {count}")
        if self.oldest_pending_age is not None and self.oldest_pending_due is not None:
            lines.append(f"oldest waiting message: due {self.oldest_pending_due:%Y-%m-%d %H:%M} UTC, "
                         f"{_age(self.oldest_pending_age)} ago")
        else:
            lines.append("nothing is waiting")
        return "\n".join(lines)


def _age(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} days"


async def outbox_status(db: Database, now: datetime) -> OutboxStatus:
    """Counts by state (undeliverable by reason) and how long the oldest due, open row has waited."""
    status = OutboxStatus()
    async with db.sessions() as session:
        for state, reason, count in (await session.execute(
                select(OutboxMessage.state, OutboxMessage.undeliverable_reason, func.count())
                .group_by(OutboxMessage.state, OutboxMessage.undeliverable_reason))).all():
            if state == "undeliverable":
                status.undeliverable[reason or "unknown"] = status.undeliverable.get(reason or "unknown", 0) + count
            elif state in ("pending", "sending", "retrying", "sent"):
                setattr(status, state, getattr(status, state) + count)
        status.not_yet_due = (await session.execute(
            select(func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.state == "pending", OutboxMessage.due_at > now))).scalar_one()
        oldest = aware((await session.execute(
            select(func.min(OutboxMessage.due_at))
            .where(OutboxMessage.state.in_(OPEN_STATES), OutboxMessage.due_at <= now))).scalar_one())
    if oldest is not None:
        status.oldest_pending_due = oldest
        status.oldest_pending_age = now - oldest
    return status


async def backlog(session: AsyncSession, now: datetime, *, except_kinds: Sequence[str] = ()) -> tuple[int, datetime | None]:
    """Open rows due by `now` (not of `except_kinds`): how many, and the oldest's due time."""
    count, oldest = (await session.execute(
        select(func.count(), func.min(OutboxMessage.due_at)).where(
            OutboxMessage.state.in_(OPEN_STATES), OutboxMessage.due_at <= now,
            OutboxMessage.kind.not_in(list(except_kinds)) if except_kinds else True))).one()
    return count, aware(oldest)


