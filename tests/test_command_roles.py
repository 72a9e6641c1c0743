"""Each command for the people it serves, over HTTP on both databases: for every registered command
and every role (and someone not on the roster, and a practice manager the roster names as a
supervisor), the help card lists the command exactly when they may use it, and typing it when they
may not gets one sentence saying whom it is for, with nothing written (no trail row, no outbox row)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from bot.clock import fixed_clock
from capabilities.catalogue import registry
from qa.framework import ROLES, Role
from storage.models import Conversation, OutboxMessage, Person, TrailEvent
from tests.support import activities as act

NOW = datetime(2026, 10, 7, 9, 5, tzinfo=timezone.utc)
SUPERVISOR = "supervisor"  # the practice manager the practitioner's roster row names
NOBODY = "nobody"  # has a chat with the bot, not on the roster


def chat(key: str) -> str:
    return act.personal_conversation_id(key)


@pytest.fixture
async def people(db, services, fake_connector):
    services.clock = fixed_clock(NOW)
    async with db.sessions.begin() as session:
        rows = {role.value: Person(email=f"{role.value}@council.example", display_name=f"{role.value} Example",
                                   role=role, team="North Team 1", service_area="North", created_at=NOW,
                                   updated_at=NOW)
                for role in ROLES}
        rows[SUPERVISOR] = Person(email="pm2@council.example", display_name="Pia Marsh", role=Role.PRACTICE_MANAGER,
                                  team="North Team 2", service_area="North", created_at=NOW, updated_at=NOW)
        rows[Role.PRACTITIONER.value].supervisor_email = "pm2@council.example"
        session.add_all(rows.values())
        await session.flush()
        for key, person in [*rows.items(), (NOBODY, None)]:
            session.add(Conversation(conversation_id=chat(key), tenant_id="tenant-1", service_url=fake_connector.url,
                                     bot_id="28:bot-id", user_id=f"29:user-{key}", reference={}, installed_at=NOW,
                                     person_id=person.id if person else None))
    return {key: (p.role.value, frozenset({"supervisor"}) if key == SUPERVISOR else frozenset())
            for key, p in rows.items()} | {NOBODY: (None, frozenset())}


async def counts(db) -> tuple[int, int]:
    async with db.sessions() as session:
        return (await session.scalar(select(func.count()).select_from(TrailEvent)),
                await session.scalar(select(func.count()).select_from(OutboxMessage)))


def listed(card: dict) -> set[str]:
    return {fact["title"] for element in card["body"] if element.get("type") == "FactSet" for fact in element["facts"]}


async def test_every_command_is_offered_and_answered_only_for_whom_it_is(db, people, bot_client, fake_connector):
    commands = list(registry().commands.values())
    assert any(c.relation is not None for c in commands)  # supervising is a relation, not a role
    for key, (role, relations) in people.items():
        fake_connector.clear()
        resp = await bot_client.post("/api/messages", json=act.message(key, "help", service_url=fake_connector.url))
        assert resp.status in (200, 201)
        [help_call] = fake_connector.delivered(chat(key))
        [card] = help_call.cards
        assert listed(card) == {c.name for c in commands if c.for_role(role, relations)}, key
        for command in commands:
            if command.for_role(role, relations):
                continue
            before = await counts(db)
            fake_connector.clear()
            resp = await bot_client.post("/api/messages", json=act.message(key, command.name,
                                                                           service_url=fake_connector.url))
            assert resp.status in (200, 201)
            [told] = fake_connector.delivered(chat(key))
            assert told.text == command.for_whom() and not told.cards, (key, command.name)
            assert told.text.count(";") == 1 and told.text.endswith(".") and told.text.count(". ") == 0
            assert await counts(db) == before, (key, command.name)


async def test_supervision_is_for_supervisors_whatever_their_role(people):
    supervision = registry().commands["supervision"]
    assert supervision.for_role(Role.PRACTICE_MANAGER, frozenset({"supervisor"}))
    assert not supervision.for_role(Role.PRACTICE_MANAGER)
    assert registry().commands["my audits"].for_role(Role.PRACTICE_MANAGER)
    assert not registry().commands["my audits"].for_role(Role.PRACTITIONER)
    assert registry().commands["report"].for_role(Role.PRINCIPAL_SOCIAL_WORKER)
