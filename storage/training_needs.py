"""Personal development plans' queries (framework 9.2; storage.models.PdpPlan): save one, read one, and read the
plans of everyone on the roster for the training needs analysis. Plain reads and one upsert."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qa.training_needs import Plan
from storage.models import PdpPlan, Person


async def plan_of(session: AsyncSession, person_id: int, appraisal_on: date) -> PdpPlan | None:
    """The person's PDP at the appraisal held on `appraisal_on`, or None."""
    return (await session.execute(select(PdpPlan).where(
        PdpPlan.person_id == person_id, PdpPlan.appraisal_on == appraisal_on))).scalars().first()


async def save_plan(session: AsyncSession, person_id: int, appraisal_on: date, topics: list[str], note: str | None,
                    recorded_by_id: int | None, now: datetime) -> bool:
    """Keep the person's PDP at that appraisal: a new row, or the one already there changed (a manager may
    correct it; the latest save stands). True when it was new."""
    row = await plan_of(session, person_id, appraisal_on)
    if row is None:
        session.add(PdpPlan(person_id=person_id, appraisal_on=appraisal_on, topics=list(topics), note=note,
                            recorded_by_id=recorded_by_id, recorded_at=now))
        await session.flush()
        return True
    row.topics, row.note, row.recorded_by_id, row.recorded_at = list(topics), note, recorded_by_id, now
    await session.flush()
    return False


async def plans_since(session: AsyncSession, since: date) -> list[Plan]:
    """The PDPs of people still on the roster whose appraisal was held after `since`, with the person's team and
    service areas as the roster has them now. One query."""
    rows = await session.execute(
        select(PdpPlan.person_id, Person.team, Person.service_area, PdpPlan.appraisal_on, PdpPlan.topics,
               PdpPlan.note)
        .join(Person, Person.id == PdpPlan.person_id)
        .where(Person.left_at.is_(None), PdpPlan.appraisal_on > since)
        .order_by(PdpPlan.person_id, PdpPlan.appraisal_on))
    return [Plan(pid, team, _areas(area), on, tuple(str(t) for t in topics or ()), note)
            for pid, team, area, on, topics, note in rows]


def _areas(value: str | None) -> tuple[str, ...]:
    return tuple(a.strip() for a in (value or "").split(";") if a.strip())
