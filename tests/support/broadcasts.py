"""A roster for broadcast tests: people across roles, service areas and teams, most with a personal
chat at the fake connector, some never installed, and the helpers to read back statuses."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from storage.models import Conversation, Person

NOW = datetime(2027, 1, 6, 10, 0, tzinfo=timezone.utc)  # a Wednesday, inside working hours
TENANT = "tenant-1"
AREAS = ("Family Help", "Children in Care", "Child Protection")
ROLES = ("practitioner", "practitioner", "practitioner", "practice_manager", "service_lead")


async def add_people(db, service_url: str, count: int, *, no_chat=(), uninstalled=(), left=(), qa_unit: int | None = 0,
                     aad=()) -> dict[int, int]:
    """People 0..count-1: n -> person id. Person n works in AREAS[n % 3], team "Team {n % 10}", role
    ROLES[n % 5] (person `qa_unit` is on the QA unit). Each has a reachable chat chat_of(n) unless in
    `no_chat`; those in `uninstalled` have a chat marked unreachable; `aad` ones have an object id."""
    ids = {}
    async with db.sessions.begin() as s:
        people = []
        for n in range(count):
            role = "qa_unit" if n == qa_unit else ROLES[n % len(ROLES)]
            people.append(Person(email=f"p{n}@council.example", display_name=f"Person {n}", role=role,
                                 team=f"Team {n % 10}", service_area="" if role == "qa_unit" else AREAS[n % 3],
                                 aad_object_id=aad_of(n) if n in aad else None,
                                 left_at=NOW - timedelta(days=1) if n in left else None,
                                 created_at=NOW - timedelta(days=60), updated_at=NOW - timedelta(days=60)))
        s.add_all(people)
        await s.flush()
        chats = []
        for n, person in enumerate(people):
            ids[n] = person.id
            if n in no_chat:
                continue
            chats.append({"conversation_id": chat_of(n), "tenant_id": TENANT, "service_url": service_url,
                          "bot_id": "28:bot-id", "user_id": f"29:user-{n}", "person_id": person.id, "reference": {},
                          "installed_at": NOW - timedelta(days=30),
                          "unreachable_at": NOW - timedelta(days=2) if n in uninstalled else None,
                          "unreachable_reason": "uninstalled" if n in uninstalled else None})
        if chats:
            await s.execute(Conversation.__table__.insert(), chats)
    return ids


def chat_of(n: int) -> str:
    """Person n's personal chat id, as tests.support.activities names the chat of key str(n)."""
    return f"a:personal-chat-{n}"


def aad_of(n: int) -> str:
    return f"00000000-0000-0000-0000-{n:012d}"


async def person(db, person_id: int) -> Person:
    async with db.sessions() as s:
        return (await s.scalars(select(Person).where(Person.id == person_id))).one()
