"""What `python -m bot doctor` (bot/doctor.py) reads of the roster and the chats, in one read."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from qa.framework import Role
from storage.cycle import area_key
from storage.db import Database
from storage.models import Allocation, Conversation, Person


@dataclass
class RosterFacts:
    by_role: Counter = field(default_factory=Counter)  # active people per role
    without_entra_id: int = 0  # active people with no aad_object_id
    areas_without_lead: list[str] = field(default_factory=list)  # service areas as the roster spells them
    without_chat: dict[str, list[str]] = field(default_factory=dict)  # "service lead"/"auditor" -> emails
    no_chat_at_all: int = 0  # active people the bot has no reachable chat with


async def roster_facts(db: Database) -> RosterFacts:
    """Counts and gaps of the active roster: roles, Entra ids, service areas with no service lead,
    service leads and auditors (people allocated an audit) with no reachable chat with the bot."""
    facts = RosterFacts()
    async with db.sessions() as session:
        people = list((await session.execute(select(Person).where(Person.left_at.is_(None)))).scalars())
        chatting = set((await session.execute(
            select(Conversation.person_id).where(Conversation.person_id.is_not(None),
                                                 Conversation.unreachable_at.is_(None)))).scalars())
        auditors = set((await session.execute(select(Allocation.auditor_id).distinct())).scalars())
    areas: dict[str, str] = {}
    led: set[str] = set()
    for person in people:
        facts.by_role[person.role] += 1
        facts.without_entra_id += not person.aad_object_id
        facts.no_chat_at_all += person.id not in chatting
        for area in person.service_areas:
            areas.setdefault(area_key(area), area)
            if person.role == Role.SERVICE_LEAD:
                led.add(area_key(area))
        for what, needed in (("service lead", person.role == Role.SERVICE_LEAD), ("auditor", person.id in auditors)):
            if needed and person.id not in chatting:
                facts.without_chat.setdefault(what, []).append(person.email)
    facts.areas_without_lead = sorted(name for key, name in areas.items() if key not in led)
    return facts
