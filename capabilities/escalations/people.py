"""Who may act on a moderation or an escalation, and who is told (framework 9.3). Checked again on
every press; a card carries ids only."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.cycle import area_key
from storage.models import Person
from storage.people import active, is_qa_unit

REVIEWERS = ("service_lead", "head_of_service")  # who owes an escalation's updates


def covers(person: Person, service_area: str) -> bool:
    return any(area_key(area) == area_key(service_area) for area in person.service_areas)


def may_moderate(person: Person) -> bool:
    """Agree or regrade an Inadequate grade; close an escalation or ask for more: the QA unit."""
    return is_qa_unit(person)


def may_update(person: Person, service_area: str) -> bool:
    """Send an escalation's update: a service lead or head of service for the case's service area."""
    return person.active and person.role in REVIEWERS and covers(person, service_area)


async def reviewers(session: AsyncSession, service_area: str) -> list[Person]:
    """The area's service lead(s) and head(s) of service, active, by id."""
    return [p for p in await active(session, REVIEWERS) if covers(p, service_area)]


async def qa_unit(session: AsyncSession) -> list[Person]:
    return await active(session, ["qa_unit"])
