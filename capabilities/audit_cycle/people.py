"""Who may act on an allocation, and who is told (framework 9.3 and section 8's roles). Every
action checks again on the server; a card carries ids only."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cycle import area_key
from storage.models import Allocation, Person


def _same(a: str, b: str) -> bool:
    return area_key(a) == area_key(b)  # as people type them: case and spacing aside


def is_qa_unit(person: Person) -> bool:
    return person.active and person.role == "qa_unit"


def may_audit(person: Person, allocation: Allocation) -> bool:
    """Start, save, submit, decline, upload: the allocation's auditor, or the QA unit."""
    return person.active and (person.id == allocation.auditor_id or is_qa_unit(person))


def may_oversee(person: Person, allocation: Allocation) -> bool:
    """Confirm oversight or dispute: a service lead for the allocation's service area."""
    return (person.active and person.role == "service_lead"
            and any(_same(area, allocation.service_area) for area in person.service_areas))


may_resolve = may_audit  # the auditor or the QA unit records how a dispute was settled


async def active(session: AsyncSession, roles: Iterable[str]) -> list[Person]:
    return list((await session.execute(
        select(Person).where(Person.role.in_(tuple(roles)), Person.left_at.is_(None)).order_by(Person.id)
    )).scalars())


async def service_leads_for(session: AsyncSession, allocation: Allocation) -> list[Person]:
    return [p for p in await active(session, ["service_lead"]) if may_oversee(p, allocation)]


async def qa_unit(session: AsyncSession) -> list[Person]:
    return await active(session, ["qa_unit"])


async def safeguarding_recipients(session: AsyncSession, allocation: Allocation) -> list[Person]:
    """The practice manager(s) of the case's team, and the service lead(s), head(s) of service and
    deputy director(s) for its service area (framework 9.3)."""
    chosen = []
    for person in await active(session, ["practice_manager", "service_lead", "head_of_service", "deputy_director"]):
        if person.role == "practice_manager":
            if _same(person.team, allocation.team):
                chosen.append(person)
        elif any(_same(area, allocation.service_area) for area in person.service_areas):
            chosen.append(person)
    return chosen


def unique(people: Iterable[Person]) -> list[Person]:
    seen: dict[int, Person] = {}
    for person in people:
        seen.setdefault(person.id, person)
    return list(seen.values())
