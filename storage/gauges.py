"""What `GET /metrics` reads from the database when Prometheus scrapes (bot/metrics.py): the
outbox's rows by state and kind, the oldest due open row's age, lapsed claims."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, select

from storage.db import Database
from storage.models import OutboxMessage
from storage.outbox.states import OPEN_STATES, aware


@dataclass
class OutboxGauges:
    by_state_and_kind: dict[tuple[str, str], int] = field(default_factory=dict)
    oldest_due_age_seconds: float = 0.0  # 0 when nothing due is waiting
    lapsed_claims: int = 0


async def outbox_gauges(db: Database, now: datetime) -> OutboxGauges:
    """Counts for the metrics at `now` (aware; also the wall clock that claims are read against)."""
    gauges = OutboxGauges()
    async with db.sessions() as session:
        for state, kind, count in (await session.execute(
                select(OutboxMessage.state, OutboxMessage.kind, func.count())
                .group_by(OutboxMessage.state, OutboxMessage.kind))).all():
            gauges.by_state_and_kind[(state, kind)] = count
        oldest = aware((await session.execute(
            select(func.min(OutboxMessage.due_at))
            .where(OutboxMessage.state.in_(OPEN_STATES), OutboxMessage.due_at <= now))).scalar_one())
        gauges.lapsed_claims = (await session.execute(
            select(func.count()).select_from(OutboxMessage)
            .where(and_(OutboxMessage.state == "sending", OutboxMessage.claimed_until < now)))).scalar_one()
    if oldest is not None:
        gauges.oldest_due_age_seconds = max(0.0, (now - oldest).total_seconds())
    return gauges
