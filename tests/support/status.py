"""The council the status and export chat tests use (tests/test_status_chat.py, test_exports_chat.py):
the reports' fixed history (tests/support/reports.py) with its escalations and observations, a
principal social worker, a moderation pending in each area; and the helpers typing and accepting."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from bot import file_consent
from bot.clock import fixed_clock
from storage.models import Audit, Conversation, Moderation, Person
from tests.support import activities as act
from tests.support.reports import DOMAIN, SET_UP, add_escalations, add_history, add_observations, add_people

SEVENTH = datetime(2026, 10, 7, 8, 5, tzinfo=timezone.utc)  # Wednesday 7 October, 09:05 in London
CARD = "application/vnd.microsoft.card.adaptive"


async def add_person(db, name: str, role: str, areas: str = "", service_url: str = "") -> int:
    async with db.sessions.begin() as session:
        person = Person(email=f"{name.lower()}@{DOMAIN}", display_name=f"{name} Example", role=role,
                        team="Principal social work team", service_area=areas, created_at=SET_UP, updated_at=SET_UP)
        session.add(person)
        await session.flush()
        session.add(Conversation(conversation_id=f"a:personal-chat-{name}", tenant_id="tenant-1",
                                 service_url=service_url, bot_id="28:bot-id", user_id=f"29:user-{name}",
                                 reference={}, installed_at=SET_UP, person_id=person.id))
        return person.id


async def a_council(db, services, fake_connector) -> dict[str, int]:
    """The council (name -> person id), the services' clock at SEVENTH."""
    people = await add_people(db, service_url=fake_connector.url)
    ids = await add_escalations(db, people, await add_history(db, people))
    await add_observations(db, people)
    people["Paula"] = await add_person(db, "Paula", "principal_social_worker", service_url=fake_connector.url)
    async with db.sessions.begin() as session:  # a moderation pending in each area
        audits = dict((await session.execute(select(Audit.allocation_id, Audit.id))).all())
        for ref in ("S3", "J1"):
            session.add(Moderation(audit_id=audits[ids[ref]], allocation_id=ids[ref], state="pending",
                                   original_grade="Inadequate", created_at=SEVENTH))
    services.clock = fixed_clock(SEVENTH)
    return people


def chat(name: str) -> str:
    return act.personal_conversation_id(name)


async def typed(bot_client, fake, name: str, words: str) -> list:
    fake.clear()
    resp = await bot_client.post("/api/messages", json=act.message(name, words, service_url=fake.url))
    assert resp.status == 201
    return fake.delivered(chat(name))


async def accept(bot_client, fake, name: str, consent: dict):
    activity = act._personal("invoke", name, fake.url, None, f"{name} Example", act.TENANT)
    activity["name"] = "fileConsent/invoke"
    activity["value"] = fake.consent_answer(consent, "accept")
    activity["replyToId"] = "1:consent-card"
    resp = await bot_client.post("/api/messages", json=activity)
    await file_consent.settled()
    return resp
