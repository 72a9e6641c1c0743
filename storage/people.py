"""Roster look-ups, and linking Teams chats to roster people.

Who a Teams user is on the roster: their Entra object id first; else any address they sign in as
(qa.emails.sign_in_keys: the email Teams gives, the userPrincipalName, a guest's home address from
an `#EXT#` UPN), compared as qa.emails keys (case-insensitive).
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from qa import emails
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


async def supervises_anyone(session: AsyncSession, person: Person) -> bool:
    """Whether the roster names `person` as the supervisor of anyone active (not left) but themselves."""
    found = await session.execute(select(Person.id).where(
        func.lower(Person.supervisor_email) == person.email.lower(), Person.left_at.is_(None),
        Person.id != person.id).limit(1))
    return found.first() is not None


async def has_supervisor(session: AsyncSession, person: Person) -> bool:
    """Whether the roster names an active (not left) supervisor for `person`, other than themselves."""
    if not person.supervisor_email:
        return False
    supervisor = await person_by_email(session, person.supervisor_email)
    return supervisor is not None and supervisor.left_at is None and supervisor.id != person.id


async def person_by_email(session: AsyncSession, email: str) -> Person | None:
    """The roster person (active or not) whose address is `email`, compared without case; None if none."""
    return (await session.execute(select(Person).where(Person.email.in_(email_keys(email))).limit(1))).scalars().first()


def email_keys(email: str) -> list[str]:
    """The stored addresses person_by_email looks `email` up as."""
    return sorted({emails.key(email) or email.strip().lower(), email.strip().lower()})


async def person_for_sign_in(session: AsyncSession, *, aad_object_id: str | None, email: str | None,
                             upn: str | None = None) -> Person | None:
    """The active roster person for a Teams user: by Entra object id, else by the first of the
    addresses they sign in as (qa.emails.sign_in_keys(email, upn)) that the roster lists; None."""
    if aad_object_id:
        person = (await session.execute(
            select(Person).where(Person.aad_object_id == aad_object_id.strip().lower(), Person.left_at.is_(None))
        )).scalars().first()
        if person is not None:
            return person
    keys = emails.sign_in_keys(email, upn)
    if not keys:
        return None
    found = {p.email: p for p in (await session.execute(
        select(Person).where(Person.email.in_(keys), Person.left_at.is_(None)))).scalars()}
    return next((found[k] for k in keys if k in found), None)


async def link_conversations(session: AsyncSession) -> int:
    """Link every unlinked personal chat to its roster person: by Entra object id, else by any
    address its user signs in as (email, UPN, a guest's home address: qa.emails.sign_in_keys).

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
    # The rest in Python, by the one rule: unlinked chats are few (people not yet on the roster).
    unlinked = (await session.execute(
        select(Conversation.id, Conversation.email, Conversation.upn)
        .where(Conversation.person_id.is_(None), (Conversation.email.is_not(None)) | (Conversation.upn.is_not(None)))
    )).all()
    wanted = {row.id: emails.sign_in_keys(row.email, row.upn) for row in unlinked}
    every_key = sorted({k for keys in wanted.values() for k in keys})
    people: dict[str, int] = {}
    for start in range(0, len(every_key), 500):  # keep IN lists well inside driver limits
        people.update((row.email, row.id) for row in await session.execute(
            select(Person.email, Person.id).where(Person.email.in_(every_key[start:start + 500]),
                                                  Person.left_at.is_(None))))
    links = [{"id": chat, "person_id": person} for chat, keys in wanted.items()
             if (person := next((people[k] for k in keys if k in people), None)) is not None]
    if links:
        await session.execute(update(Conversation), links)  # bulk UPDATE by primary key
    return linked + len(links)


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
