"""What a message turn reads, and in how many statements: the turn's chat with the sender's
dialog state in one (storage.conversations.chat_and_state), a whoami card's supervisor and QA
contact in one (supervisor_and_qa_contact), each in a one-statement session
(Database.sessions.one_statement: on SQLite no BEGIN and no rollback, one call to SQLite's thread).
Counted over HTTP on both databases, so a change that adds a statement to every turn shows here."""
from __future__ import annotations

import gc
import json
from collections import Counter
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select, text

from bot.server import freeze_start_up
from dialogs.common_cards import CARD_CONTENT_TYPE
from storage import conversations as chats
from storage.bot_state import MAX_KEY_LENGTH, SqlStorage
from storage.db import SecondStatementError
from storage.models import Person
from tests.support import activities as act


@contextmanager
def statements(db):
    """The SQL statements run meanwhile, by their first words (BEGIN, SELECT, UPDATE ...)."""
    seen: Counter[str] = Counter()

    def count(_conn, _cursor, sql, *_args) -> None:
        seen[" ".join(sql.split()[:1]).upper()] += 1

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


@pytest.fixture
async def ann(db):
    await act.add_people(
        db,
        act.roster_person("ann@council.gov.uk", "Ann Archer", "practice_manager", aad="aad-ann",
                          supervisor_email="Sam@Council.gov.uk"),
        act.roster_person("sam@council.gov.uk", "Sam Lead", "service_lead", aad="aad-sam"),
        act.roster_person("quinn@council.gov.uk", "Quinn Q", "qa_unit", aad="aad-quinn", team="QA Unit"),
        act.roster_person("abe@council.gov.uk", "Abe A", "qa_unit", aad="aad-abe", team="QA Unit"),
    )


async def person(db, email: str) -> Person:
    async with db.sessions() as session:
        return (await session.execute(select(Person).where(Person.email == email))).scalar_one()


# -- the one-statement session --------------------------------------------------------------

async def test_a_one_statement_session_reads_in_one_statement_without_a_transaction_on_sqlite(db, ann):
    with statements(db) as seen:
        async with db.sessions.one_statement() as session:
            assert (await session.execute(text("SELECT count(*) FROM people"))).scalar_one() == 4
    assert seen == Counter({"SELECT": 1})  # no BEGIN, no ROLLBACK sent on either database
    if db.is_postgresql:
        return  # there it is sessions(): a second statement reads the same transaction
    async with db.sessions.one_statement() as session:
        await session.execute(text("SELECT 1"))
        with pytest.raises(SecondStatementError):
            await session.execute(text("SELECT 2"))
    async with db.sessions.one_statement() as session:  # the next session from the pool is not affected
        assert (await session.execute(text("SELECT 3"))).scalar_one() == 3
    async with db.sessions() as session:  # nor is a session of several statements
        assert [(await session.execute(text(f"SELECT {n}"))).scalar_one() for n in (1, 2)] == [1, 2]


# -- the turn's chat and state in one statement ---------------------------------------------

async def test_chat_and_state_reads_either_without_the_other(db, ann):
    storage = SqlStorage(db)
    key = "msteams/conversations/a:chat-1/people/aad-ann"
    long_key = "msteams/conversations/" + "x" * MAX_KEY_LENGTH + "/people/aad-ann"  # stored under its hash
    async with db.sessions.one_statement() as session:
        assert await chats.chat_and_state(session, "a:chat-1", key) == (None, {key: None})
    async with db.sessions.one_statement() as session:
        assert await chats.chat_and_state(session, "a:chat-1", None) == (None, None)

    await storage.write({key: {"DialogState": {"step": 1}}, long_key: {"step": 2}})
    async with db.sessions.one_statement() as session:
        chat, state = await chats.chat_and_state(session, "a:chat-1", key)
    assert chat is None and state[key]["DialogState"] == {"step": 1} and state[key]["e_tag"]

    ann_row = await person(db, "ann@council.gov.uk")
    async with db.sessions.begin() as session:
        await chats.record_personal_chat(session, chats.PersonalChat(
            conversation_id="a:chat-1", tenant_id="tenant-1", service_url="https://smba.example", bot_id="28:bot",
            user_id="29:ann", aad_object_id="aad-ann", reference={}), now=ann_row.created_at)
        await chats.link_chat(session, "a:chat-1", ann_row.id)
    for wanted, document in ((key, {"DialogState": {"step": 1}}), (long_key, {"step": 2}), ("msteams/none", None)):
        async with db.sessions.one_statement() as session:
            chat, state = await chats.chat_and_state(session, "a:chat-1", wanted)
        assert chat.conversation_id == "a:chat-1" and chat.person.display_name == "Ann Archer"
        stored = state[wanted]
        assert state == {wanted: stored}
        assert (None if stored is None else {k: v for k, v in stored.items() if k != "e_tag"}) == document
        assert stored == (await storage.read([wanted])).get(wanted)  # as SqlStorage reads it


# -- a whoami card's supervisor and QA contact in one statement -----------------------------

async def test_supervisor_and_qa_contact_are_read_as_person_by_email_and_qa_unit_contact_read_them(db, ann):
    async def both(email):
        async with db.sessions.one_statement() as session:
            found = await chats.supervisor_and_qa_contact(session, email)
        return tuple(p.display_name if p else None for p in found)

    assert await both("SAM@council.gov.uk") == ("Sam Lead", "Abe A")  # by address without case; contact by name
    assert await both(None) == (None, "Abe A")
    assert await both("") == (None, "Abe A")
    assert await both("nobody@council.gov.uk") == (None, "Abe A")
    assert await both("abe@council.gov.uk") == ("Abe A", "Abe A")  # the supervisor is the QA contact
    async with db.sessions.begin() as session:
        for qa in ("abe@council.gov.uk", "quinn@council.gov.uk"):
            (await session.execute(select(Person).where(Person.email == qa))).scalar_one().left_at = \
                (await person(db, "ann@council.gov.uk")).created_at
    assert await both("sam@council.gov.uk") == ("Sam Lead", None)  # no QA unit on the roster
    assert await both("abe@council.gov.uk") == ("Abe A", None)  # a supervisor who has left is still named


# -- over HTTP: statements per turn ---------------------------------------------------------

async def test_a_whoami_turn_reads_in_two_statements_and_a_press_in_three(bot_client, fake_connector, db, ann):
    url = fake_connector.url
    await bot_client.post("/api/messages", json=act.message("ann", "help", service_url=url, aad="aad-ann"))
    fake_connector.clear()

    with statements(db) as seen:
        resp = await bot_client.post("/api/messages", json=act.message("ann", "whoami", service_url=url, aad="aad-ann"))
    assert resp.status == 201
    assert seen == Counter({"SELECT": 2}), seen  # the chat with the sender's state; supervisor and QA contact
    [reply] = fake_connector.delivered(act.personal_conversation_id("ann"))
    [card] = [a["content"] for a in reply.activity["attachments"] if a["contentType"] == CARD_CONTENT_TYPE]
    facts = {f["title"]: f["value"] for b in card["body"] if b["type"] == "FactSet" for f in b["facts"]}
    assert facts["Name"] == "Ann Archer" and facts["Supervisor"] == "Sam Lead"
    assert "Abe A" in json.dumps(card)  # the QA unit's contact

    with statements(db) as seen:
        resp = await bot_client.post("/api/messages", json=act.card_action(
            "ann", "basics.whoami", service_url=url, aad="aad-ann"))  # on a message the outbox did not send
    assert resp.status == 200 and (await resp.json())["statusCode"] == 200
    assert seen == Counter({"SELECT": 3}), seen  # the chat; the pressed message's notices; the card's people


# -- start-up -------------------------------------------------------------------------------

async def test_start_up_is_frozen_out_of_the_garbage_collectors_generations():
    before = gc.get_freeze_count()
    try:
        await freeze_start_up()
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


# -- "who it is for": the sender's permission, read only when the role leaves it open ---------

async def test_may_use_reads_the_commands_own_relation_only_when_the_role_leaves_it_open():
    from types import SimpleNamespace

    from capabilities.registry import Capability, ChatCommand, Registry, Relation

    asked: list[tuple[str, str]] = []

    def relation(name: str, holds_for: set[str]) -> Relation:
        async def holds(_ctx, person) -> bool:
            asked.append((name, person.role))
            return person.role in holds_for
        return Relation(name, f"people {name}", holds)

    async def answer(_said):
        raise AssertionError("not run")

    reviewer, mentor = relation("reviewer", {"service_lead"}), relation("mentor", {"qa_unit"})
    commands = (ChatCommand("everyone", "for everyone", ("for all",), answer),
                ChatCommand("leads", "for leads who review", ("for leads",), answer,
                            frozenset({"service_lead", "qa_unit"}), in_menu=False, relation=reviewer),
                ChatCommand("mentors", "for mentors", ("for mentors",), answer, in_menu=False, relation=mentor))
    registry = Registry([Capability("c", commands=commands)])
    people = {role: SimpleNamespace(role=role) for role in ("practitioner", "service_lead", "qa_unit")}

    async def may(command: str, role: str | None) -> bool:
        return await registry.may_use(registry.commands[command], None, people.get(role))

    assert [await may("everyone", r) for r in (None, "practitioner")] == [True, True] and asked == []
    assert await may("leads", "practitioner") is False and asked == []  # the role refuses: nothing read
    assert await may("leads", None) is False and await may("mentors", None) is False and asked == []
    assert await may("leads", "service_lead") is True and asked == [("reviewer", "service_lead")]
    assert await may("leads", "qa_unit") is False and asked[-1] == ("reviewer", "qa_unit")
    asked.clear()
    assert await may("mentors", "qa_unit") is True and asked == [("mentor", "qa_unit")]  # its own relation only
    for command in commands:  # the same answers as the role and every relation read, as before
        for role in (None, *people):
            person = people.get(role)
            relations = await registry.relations_of(None, person)
            assert await may(command.name, role) == command.for_role(role, relations), (command.name, role)
