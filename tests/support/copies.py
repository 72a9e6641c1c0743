"""Helpers for the tests of updating the other copies in place (capabilities/copies.py): one more
person with a personal chat on the escalations' desk, a sweep and delivery that does not read the
desk's per-person headings, and the outbox rows of a kind."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from bot.tick import tick
from storage.models import Conversation, OutboxMessage, Person
from tests.support import activities as act
from tests.support.escalations import SET_UP, Desk, chat, name


async def add_person(desk: Desk, key: str, role: str, team: str = "", areas: str = "") -> None:
    """`key` on the roster with a personal chat (as set_up makes the others)."""
    async with desk.db.sessions.begin() as session:
        person = Person(email=f"{key}@council.gov.uk", display_name=name(key), role=role, team=team,
                        service_area=areas, aad_object_id=f"aad-{key}", created_at=SET_UP, updated_at=SET_UP)
        session.add(person)
        await session.flush()
        session.add(Conversation(conversation_id=chat(key), tenant_id=act.TENANT, service_url=desk.fake.url,
                                 bot_id=act.BOT_ID, user_id=act.user_id(key), aad_object_id=f"aad-{key}",
                                 person_id=person.id, reference={}, installed_at=SET_UP))
        desk.ids[key] = person.id


async def deliver(desk: Desk, now: datetime) -> None:
    """One sweep and delivery at `now` (the desk's own `tick` reports only the people set_up made)."""
    desk.at(now)
    report = await tick(desk.services, now, wait_retries=0)
    assert report.sweep.failed == [] and not report.sweep.skipped_locked
    desk.mark = len(desk.fake.calls)


async def rows(desk: Desk, kind: str) -> list[OutboxMessage]:
    async with desk.db.sessions() as session:
        return list((await session.execute(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                           .order_by(OutboxMessage.id))).scalars())


def updated_cards(desk: Desk, key: str, activity_id: str) -> list[str]:
    """Each card the bot put over `key`'s message `activity_id` (UpdateActivity), as JSON text."""
    return [json.dumps(card, ensure_ascii=False) for call in desk.fake.updates(chat(key))
            if call.activity_id == activity_id for card in call.cards]


def buttons(card_json: str) -> int:
    """How many Action.Execute buttons a card shows (its Universal Actions refresh is no button)."""
    content = json.loads(card_json)
    content.pop("refresh", None)
    return json.dumps(content).count('"Action.Execute"')
