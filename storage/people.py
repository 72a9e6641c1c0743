"""Roster look-ups, and linking Teams chats to roster people."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from qa.framework import Role
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
