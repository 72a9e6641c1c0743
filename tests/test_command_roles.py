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
from qa.allocations import AUDITOR_ROLES
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
    return {key: (p.role.value, relations(key, p.role)) for key, p in rows.items()} | {NOBODY: (None, frozenset())}


def relations(key: str, role: str) -> frozenset[str]:
    """The relations the registry should find for `key`: supervising someone, marking oneself away
    (everyone the bot sends work to, and every supervisor), and having a supervisor on the roster (only
    the practitioner here: `my supervision` is offered to nobody else)."""
    supervises = key == SUPERVISOR
    return frozenset({"supervisor"} if supervises else set()) | (
        frozenset({"marks away"}) if supervises or role in AUDITOR_ROLES else frozenset()) | (
        frozenset({"supervised"}) if key == Role.PRACTITIONER.value else frozenset())


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
    # `my supervision` only for someone the roster gives a supervisor (none: "No supervisor on the roster").
    mine = registry().commands["my supervision"]
    for role in (Role.DEPUTY_DIRECTOR, Role.PRINCIPAL_SOCIAL_WORKER, Role.QA_UNIT, Role.PRACTITIONER):
        assert not mine.for_role(role), role
    assert mine.for_role(Role.PRACTITIONER, frozenset({"supervised"}))


async def test_away_is_for_everyone_who_receives_work_not_only_supervisors(people, services):
    """A service lead, head of service, deputy director or QA-unit member who supervises nobody may still
    mark themselves away (their work goes to their cover); a practitioner who supervises nobody may not."""
    away = registry().commands["away"]
    by_role = {role: person for role, person in (await _people(services)).items()}
    for role in (Role.PRACTICE_MANAGER, Role.SERVICE_LEAD, Role.HEAD_OF_SERVICE, Role.DEPUTY_DIRECTOR, Role.QA_UNIT,
                 Role.PRINCIPAL_SOCIAL_WORKER):
        assert await registry().may_use(away, services.context, by_role[role]), role
    assert not await registry().may_use(away, services.context, by_role[Role.PRACTITIONER])
    assert not await registry().may_use(away, services.context, by_role[Role.IRO])
    assert "practice managers and above" in away.for_whom()


async def _people(services) -> dict[str, Person]:
    async with services.db.sessions() as session:
        return {p.role: p for p in (await session.execute(select(Person))).scalars() if p.email.split("@")[0] == p.role}
