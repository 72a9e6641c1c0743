"""Counts of the escalations capability's records for other views (the QA unit's cycle card):
storage-level, so the audit cycle can show them without importing the escalations capability."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Escalation, EscalationUpdate


async def escalation_counts(session: AsyncSession, now: datetime) -> tuple[int, int]:
    """(escalations open, their updates overdue at `now`: owed and past the end of their due day)."""
    opened = (await session.execute(select(func.count()).select_from(Escalation)
                                    .where(Escalation.state == "open"))).scalar_one()
    overdue = (await session.execute(
        select(func.count()).select_from(EscalationUpdate).join(Escalation, Escalation.id == EscalationUpdate.escalation_id)
        .where(Escalation.state == "open", EscalationUpdate.state == "owed", EscalationUpdate.due_at <= now))).scalar_one()
    return opened, overdue
