"""A dialog belongs to the person having it, not to the thread: for EVERY registered dialog, over
HTTP, someone else's answers in the same channel thread (or in the same chat, under another
`from.id`) never advance, stop or touch it. Dialog state is keyed by conversation and sender
(bot/person_state.py); a dialog that is not declared for channels runs in the starter's personal
chat, and the thread is told so."""
from __future__ import annotations

from dataclasses import replace

import pytest
from botbuilder.core import MemoryStorage, TurnContext
from botbuilder.core.adapters import TestAdapter as SimpleAdapter
from botbuilder.schema import Activity
from sqlalchemy import select

from bot.app import BOT, create_app
from bot.person_state import PersonConversationState
from bot.teams_bot import QaBot
from capabilities.catalogue import registry
from capabilities.registry import Registry
from dialogs.conversation import STARTED_IN_PERSONAL_CHAT
from storage.bot_state import stored_key
from storage.models import BotState
from tests.support import activities as act
from tests.support import observations

TEAM = "children"
THREAD = act.thread_conversation_id(TEAM)
STARTERS = ("pam", "sal", "hal", "dee", "quinn", "pat", "ann")
OTHER = "bob"  # a practitioner in Pam's team, answering in the same thread
# What someone else might type in the thread while a colleague's dialog waits: choices by number
# and by title, audiences, times, back, and the words that leave a dialog.
OTHERS_ANSWERS = ("1", "2", "everyone", "Yes", "No", "now", "Very useful", "Send", "back", "Ann Archer",
                  "cancel", "stop")
DIALOGS = sorted(registry().dialogs)


def starter_for(dialog_id: str) -> str:
    command = registry().commands[registry().dialogs[dialog_id].command]
    role_of = {name.split()[0].lower(): role for _email, name, role, *_ in observations.ROSTER}
    return next(key for key in STARTERS if command.for_role(role_of[key]))


def state_key(conversation_id: str, key: str) -> str:
    return f"msteams/conversations/{conversation_id}/people/aad-{key}"


async def state_row(db, key: str) -> tuple[str, str] | None:
    """(document, e_tag) of a stored state: the e_tag changes with every write."""
    async with db.sessions() as session:
        row = (await session.execute(select(BotState.document, BotState.e_tag)
                                     .where(BotState.key == stored_key(key)))).one_or_none()
    return (row.document, row.e_tag) if row else None


def channel_registry() -> Registry:
    """The catalogue with every command declared for channels: each dialog then runs in the thread."""
    return Registry([replace(c, commands=tuple(replace(command, channel=True) for command in c.commands))
                     for c in registry().capabilities])


@pytest.fixture
async def roster(db, bot_client, fake_connector) -> dict[str, int]:
    people = await observations.add_roster(db)
    for key in people:
        resp = await bot_client.post("/api/messages", json=act.installation_add(
            key, service_url=fake_connector.url, aad=f"aad-{key}"))
        assert resp.status == 201
    fake_connector.clear()
    return people


@pytest.fixture
async def channel_client(aiohttp_client, services, fake_connector):
    app = create_app(services.settings, services, run_scheduler=False)
    app[BOT] = QaBot(services, channel_registry())
    return await aiohttp_client(app)


async def post(client, activity: dict) -> None:
    resp = await client.post("/api/messages", json=activity)
    assert resp.status == 201, await resp.text()


def in_thread(key: str, text: str, url: str) -> dict:
    return act.channel_message(TEAM, key, text, service_url=url, aad=f"aad-{key}")


@pytest.mark.parametrize("dialog_id", DIALOGS)
async def test_a_dialog_begun_in_a_thread_runs_in_the_starters_personal_chat(
        bot_client, fake_connector, db, roster, dialog_id):
    starter = starter_for(dialog_id)
    command = registry().dialogs[dialog_id].command
    await post(bot_client, in_thread(starter, command, fake_connector.url))
    assert [call.text for call in fake_connector.delivered(THREAD)] == [STARTED_IN_PERSONAL_CHAT]
    personal = act.personal_conversation_id(starter)
    assert fake_connector.delivered(personal), "the first question goes to the personal chat"
    begun = await state_row(db, state_key(personal, starter))
    assert begun is not None and dialog_id in begun[0]
    fake_connector.clear()
    for answer in OTHERS_ANSWERS:
        await post(bot_client, in_thread(OTHER, answer, fake_connector.url))
    assert await state_row(db, state_key(personal, starter)) == begun  # not advanced, stopped or touched
    assert not fake_connector.delivered(personal)


@pytest.mark.parametrize("dialog_id", DIALOGS)
async def test_in_a_thread_someone_elses_answer_never_advances_a_dialog(
        channel_client, fake_connector, db, roster, dialog_id):
    """Every dialog declared for channels (here: all of them), begun in a thread the whole team shares."""
    starter = starter_for(dialog_id)
    await post(channel_client, in_thread(starter, registry().dialogs[dialog_id].command, fake_connector.url))
    begun = await state_row(db, state_key(THREAD, starter))
    assert begun is not None and dialog_id in begun[0], "the dialog is active in the thread"
    for answer in OTHERS_ANSWERS:
        await post(channel_client, in_thread(OTHER, answer, fake_connector.url))
        assert await state_row(db, state_key(THREAD, starter)) == begun, f"{OTHER}'s {answer!r} reached it"
    # The starter's own answer does reach it (so the check above could fail).
    await post(channel_client, in_thread(starter, "back", fake_connector.url))
    assert await state_row(db, state_key(THREAD, starter)) != begun


@pytest.mark.parametrize("dialog_id", DIALOGS)
async def test_in_a_chat_another_from_id_never_advances_its_owners_dialog(
        bot_client, fake_connector, db, roster, dialog_id):
    """An activity in someone's personal chat that carries someone else's `from` is that other sender's."""
    starter = starter_for(dialog_id)
    url = fake_connector.url
    await post(bot_client, act.message(starter, registry().dialogs[dialog_id].command, service_url=url,
                                       aad=f"aad-{starter}"))
    personal = act.personal_conversation_id(starter)
    begun = await state_row(db, state_key(personal, starter))
    assert begun is not None and dialog_id in begun[0]
    for answer in OTHERS_ANSWERS:
        intruder = act.message(starter, answer, service_url=url)
        intruder["from"] = {"id": act.user_id(OTHER), "name": "Bob Baker", "aadObjectId": f"aad-{OTHER}"}
        await post(bot_client, intruder)
        assert await state_row(db, state_key(personal, starter)) == begun, f"{OTHER}'s {answer!r} reached it"


async def test_a_dialog_begun_from_a_thread_replaces_one_waiting_in_the_personal_chat(
        bot_client, fake_connector, db, roster):
    await post(bot_client, act.message("pam", "rate", service_url=fake_connector.url, aad="aad-pam"))
    personal = act.personal_conversation_id("pam")
    waiting = await state_row(db, state_key(personal, "pam"))
    assert waiting is not None and registry().dialog_for("rate the assistant").dialog_id in waiting[0]
    await post(bot_client, in_thread("pam", "feedback", fake_connector.url))
    now = await state_row(db, state_key(personal, "pam"))
    assert registry().dialog_for("feedback").dialog_id in now[0]
    assert registry().dialog_for("rate the assistant").dialog_id not in now[0]  # one dialog at a time


@pytest.mark.parametrize("sender, key", [
    ({"id": "29:a", "aadObjectId": "AAD-Ann"}, "msteams/conversations/19:x;messageid=1/people/aad-ann"),
    ({"id": "29:a"}, "msteams/conversations/19:x;messageid=1/people/29:a"),
    ({"id": "29:a", "aadObjectId": ""}, "msteams/conversations/19:x;messageid=1/people/29:a"),
])
def test_state_is_keyed_by_conversation_and_sender(sender, key):
    activity = Activity().deserialize({"type": "message", "channelId": "msteams", "from": sender,
                                       "conversation": {"id": "19:x;messageid=1"}})
    assert PersonConversationState(MemoryStorage()).get_storage_key(TurnContext(SimpleAdapter(), activity)) == key


def test_state_of_an_activity_naming_no_sender_is_refused():
    activity = Activity().deserialize({"type": "message", "channelId": "msteams", "conversation": {"id": "c"}})
    with pytest.raises(TypeError):
        PersonConversationState(MemoryStorage()).get_storage_key(TurnContext(SimpleAdapter(), activity))
