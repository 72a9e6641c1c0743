"""Counts of the escalations capability's records for other views (the QA unit's cycle card):
storage-level, so the audit cycle can show them without importing the escalations capability."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Escalation, EscalationUpdate, Person, RemedialAction, RemedialPlan


async def escalation_counts(session: AsyncSession, now: datetime) -> tuple[int, int]:
    """(escalations open, their updates overdue at `now`: owed and past the end of their due day)."""
    opened = (await session.execute(select(func.count()).select_from(Escalation)
                                    .where(Escalation.state == "open"))).scalar_one()
    overdue = (await session.execute(
        select(func.count()).select_from(EscalationUpdate).join(Escalation, Escalation.id == EscalationUpdate.escalation_id)
        .where(Escalation.state == "open", EscalationUpdate.state == "owed", EscalationUpdate.due_at <= now))).scalar_one()
    return opened, overdue


async def remedial_actions_of(session: AsyncSession, allocation_id: int) -> list[tuple[str, date, str | None]]:
    """The remedial actions recorded on an audit (its allocation's plan), as (text, target day,
    responsible person's name or None), by target day: for the case holder's findings card."""
    rows = (await session.execute(
        select(RemedialAction.text, RemedialAction.target_on, Person.display_name)
        .join(RemedialPlan, RemedialPlan.id == RemedialAction.plan_id)
        .outerjoin(Person, Person.id == RemedialAction.responsible_id)
        .where(RemedialPlan.allocation_id == allocation_id)
        .order_by(RemedialAction.target_on, RemedialAction.id))).all()
    return [(text, on, name) for text, on, name in rows]
