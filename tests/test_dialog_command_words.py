"""A command word typed while a dialog waits for an answer is not taken as the answer: for EVERY
registered dialog, over HTTP, the sender is told in one line they are in the middle of it (type
cancel to leave it), the question is asked again and the dialog carries on (bot/teams_bot.py
_dialog); cancel still leaves it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from capabilities.catalogue import registry
from dialogs.conversation import mid_dialog
from storage.bot_state import stored_key
from storage.models import BotState
from tests.support import activities as act
from tests.support import observations

# Registered command words a user might type mid-conversation (the faults seen: walk then observe; a
# broadcast's date question then "broadcast report" or "lift exemption").
DIALOGS = sorted(registry().dialogs)
STARTERS = ("pam", "sal", "hal", "dee", "quinn", "pat", "ann")


def starter_for(dialog_id: str) -> str:
    """Someone on tests/support/observations' roster who may begin the dialog."""
    command = registry().commands[registry().dialogs[dialog_id].command]
    role_of = {name.split()[0].lower(): role for _email, name, role, *_ in observations.ROSTER}
    return next(key for key in STARTERS if command.for_role(role_of[key]))


def state_key(conversation_id: str, key: str) -> str:
    return f"msteams/conversations/{conversation_id}/people/aad-{key}"


async def state_row(db, key: str) -> tuple[str, str] | None:
    """(document, e_tag) of a stored dialog state."""
    async with db.sessions() as session:
        row = (await session.execute(select(BotState.document, BotState.e_tag)
                                     .where(BotState.key == stored_key(key)))).one_or_none()
    return (row.document, row.e_tag) if row else None


TYPED = ("observe", "broadcast report", "lift exemption", "help")


@pytest.fixture
async def roster(db, bot_client, fake_connector) -> dict[str, int]:
    people = await observations.add_roster(db)
    for key in people:
        resp = await bot_client.post("/api/messages", json=act.installation_add(
            key, service_url=fake_connector.url, aad=f"aad-{key}"))
        assert resp.status == 201
    fake_connector.clear()
    return people


async def say(client, key: str, text: str, url: str) -> None:
    resp = await client.post("/api/messages", json=act.message(key, text, service_url=url, aad=f"aad-{key}"))
    assert resp.status == 201, await resp.text()


@pytest.mark.parametrize("dialog_id", DIALOGS)
async def test_a_command_word_mid_dialog_is_not_taken_as_the_answer(bot_client, fake_connector, db, roster,
                                                                    dialog_id):
    starter = starter_for(dialog_id)
    command = registry().dialogs[dialog_id].command
    url = fake_connector.url
    personal = act.personal_conversation_id(starter)
    await say(bot_client, starter, command, url)
    asked = [call.all_text() for call in fake_connector.delivered(personal)]
    assert asked, "the dialog asks its first question"
    for typed in TYPED:
        if registry().command_for(typed).name == command:
            continue
        fake_connector.clear()
        await say(bot_client, starter, typed, url)
        said = fake_connector.delivered(personal)
        assert said[0].text == mid_dialog(command), (typed, [c.all_text() for c in said])
        # The question again (the same words as when first asked), nothing else.
        assert len(said) == 2 and said[1].all_text() == asked[-1], (typed, [c.all_text() for c in said])
        state = await state_row(db, state_key(personal, starter))
        assert state is not None and dialog_id in state[0], f"{typed!r} ended the dialog"
    fake_connector.clear()
    await say(bot_client, starter, "cancel", url)
    assert fake_connector.delivered(personal)[-1].text == "Stopped: nothing was saved."
