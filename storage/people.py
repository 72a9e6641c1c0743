"""Roster look-ups, and linking Teams chats to roster people."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from qa.framework import Role
from storage.cycle import area_key
from storage.models import Conversation, Person


async def active_person(session: AsyncSession, person_id: int | None) -> Person | None:
    """The roster person `person_id` if they are still active (not left); None otherwise."""
    person = await session.get(Person, person_id) if person_id is not None else None
    return person if person is not None and person.active else None


async def active_people(session: AsyncSession, roles: Iterable[Role]) -> list[Person]:
    """The active roster people (not left) with one of `roles`, by id."""
    return list((await session.execute(
        select(Person).where(Person.role.in_(tuple(roles)), Person.left_at.is_(None)).order_by(Person.id)
    )).scalars())


async def team_areas(session: AsyncSession) -> dict[str, str]:
    """Team -> its service area, from the roster's active practice managers (the first found), by team name."""
    found: dict[str, str] = {}
    for person in await active_people(session, [Role.PRACTICE_MANAGER]):
        if person.team.strip() and person.service_areas:
            found.setdefault(person.team.strip(), person.service_areas[0])
    return dict(sorted(found.items(), key=lambda kv: kv[0].casefold()))


async def person_by_email(session: AsyncSession, email: str) -> Person | None:
    return (await session.execute(select(Person).where(Person.email == email.strip().lower()))).scalar_one_or_none()


async def link_conversations(session: AsyncSession) -> int:
    """Link every unlinked personal chat to its roster person: by Entra object id, else by email.

    Run after a roster import (people who installed before being imported) and after an
    install (people imported before installing). Returns how many chats were linked.
    """
    linked = 0
    by_aad = (
        select(Person.id).where(Person.aad_object_id == Conversation.aad_object_id, Person.left_at.is_(None))
        .limit(1).scalar_subquery()
    )
    result = await session.execute(
        update(Conversation)
        .where(Conversation.person_id.is_(None), Conversation.aad_object_id.is_not(None), by_aad.is_not(None))
        .values(person_id=by_aad)
        .execution_options(synchronize_session=False)
    )
    linked += result.rowcount or 0
    by_email = (
        select(Person.id).where(Person.email == func.lower(Conversation.email), Person.left_at.is_(None))
        .limit(1).scalar_subquery()
    )
    result = await session.execute(
        update(Conversation)
        .where(Conversation.person_id.is_(None), Conversation.email.is_not(None), by_email.is_not(None))
        .values(person_id=by_email)
        .execution_options(synchronize_session=False)
    )
    return linked + (result.rowcount or 0)


def is_qa_unit(person: Person) -> bool:
    return person.active and person.role == Role.QA_UNIT


def covers(person: Person, service_area: str) -> bool:
    """Whether `service_area` is one of the person's, as people type them (case and spacing aside)."""
    return any(area_key(area) == area_key(service_area) for area in person.service_areas)


async def qa_unit(session: AsyncSession) -> list[Person]:
    return await active_people(session, [Role.QA_UNIT])


async def service_leads_for(session: AsyncSession, service_area: str) -> list[Person]:
    """The active service lead(s) for `service_area`."""
    return [p for p in await active_people(session, [Role.SERVICE_LEAD]) if covers(p, service_area)]


async def safeguarding_recipients(session: AsyncSession, team: str, service_area: str) -> list[Person]:
    """Who is alerted at once to a safeguarding concern about a case (framework 9.3): the practice
    manager(s) of its team, and the service lead(s), head(s) of service and deputy director(s) for
    its service area."""
    chosen = []
    for person in await active_people(session, [Role.PRACTICE_MANAGER, Role.SERVICE_LEAD, Role.HEAD_OF_SERVICE,
                                         Role.DEPUTY_DIRECTOR]):
        if person.role == Role.PRACTICE_MANAGER:
            if area_key(person.team) == area_key(team):
                chosen.append(person)
        elif covers(person, service_area):
            chosen.append(person)
    return chosen
