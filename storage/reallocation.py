"""What the reallocation rules (qa/reallocation.py) read: the people who might take an audit over,
their audits this month, and the case holder's line manager. Plain queries in the caller's session."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from qa import emails
from qa.allocations import AUDITOR_ROLES
from qa.reallocation import Candidate, eligible, with_counts
from storage.models import Allocation, Person


async def line_manager_id(session: AsyncSession, case_holder_id: int | None) -> int | None:
    """The id of the case holder's line manager (the roster's supervisor_email), or None."""
    if case_holder_id is None:
        return None
    holder = await session.get(Person, case_holder_id)
    if holder is None or not holder.supervisor_email:
        return None
    return (await session.execute(select(Person.id).where(
        Person.email == (emails.key(holder.supervisor_email) or holder.supervisor_email.strip().lower())))).scalar_one_or_none()


async def candidates_for(session: AsyncSession, allocation: Allocation) -> list[Candidate]:
    """Everyone who may take `allocation` over (qa.reallocation.eligible), fewest audits in its month first."""
    people = (await session.execute(
        select(Person.id, Person.display_name, Person.role, Person.left_at.is_(None))
        .where(Person.role.in_(sorted(AUDITOR_ROLES)), Person.left_at.is_(None)))).all()
    counts = dict((await session.execute(
        select(Allocation.auditor_id, func.count()).where(Allocation.month == allocation.month)
        .group_by(Allocation.auditor_id))).all())
    return eligible(with_counts([tuple(p) for p in people], counts), case_holder_id=allocation.case_holder_id,
                    line_manager_id=await line_manager_id(session, allocation.case_holder_id),
                    current_auditor_id=allocation.auditor_id)
