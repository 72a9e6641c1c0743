"""Personal answers stay personal: every registered command typed in a team channel's thread, over
HTTP against the fake Bot Connector, leaves no case reference and no colleague's name in the
channel. Commands the registry does not declare `channel=True` are answered in the sender's
personal chat, with one line in the thread saying so (or refused with that line when the bot
cannot reach the sender's personal chat); the not-understood answer there names nobody; a button
not declared for channels changes nothing there."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.adapter import OutboundError
from capabilities.catalogue import registry
from dialogs.conversation import (
    BUTTON_IN_PERSONAL_CHAT,
    NO_PERSONAL_CHAT,
    STARTED_IN_PERSONAL_CHAT,
    TOLD_IN_PERSONAL_CHAT,
)
from tests.support import activities as act
from tests.support import observations
from tests.support.audit_cycle import Case, allocate

TEAM = "children"
THREAD = act.thread_conversation_id(TEAM)
# Who types each command: the first of these whose role the command is for (the roster's first names).
SENDERS = ("pam", "sal", "hal", "dee", "quinn", "pat", "ann")
CASES = [Case("CR-7001", "pam", "ann"), Case("CR-7002", "ann", "bob"), Case("CR-7003", "sal", "cat")]


def month_now() -> str:
    now = datetime.now(UTC)
    return f"{now.year}-{now.month:02d}"


@pytest.fixture
async def team(db, bot_client, fake_connector) -> dict[str, int]:
    """The observations roster (supervisors and supervisees), this month's audits on three cases,
    everyone's personal chat with the bot, and the bot in the team."""
    people = await observations.add_roster(db)
    await allocate(db, people, month_now(), CASES)
    for key in people:
        resp = await bot_client.post("/api/messages", json=act.installation_add(
            key, service_url=fake_connector.url, aad=f"aad-{key}"))
        assert resp.status == 201
    resp = await bot_client.post("/api/messages", json=act.team_bot_added(TEAM, service_url=fake_connector.url))
    assert resp.status == 201
    fake_connector.clear()
    return people


def secrets() -> list[str]:
    """What must never be read in a channel: every case reference, and every roster person's name
    (as the roster gives it) and email."""
    return [c.case_ref for c in CASES] + [name for _email, name, *_ in observations.ROSTER] + \
        [email for email, *_ in observations.ROSTER]


def sender_for(command) -> str:
    role_of = {name.split()[0].lower(): role for _email, name, role, *_ in observations.ROSTER}
    # A command for a role nobody here has is typed by the first: it must leak nothing either.
    return next((key for key in SENDERS if command.for_role(role_of[key])), SENDERS[0])


async def say_in_channel(bot_client, fake_connector, key: str, text: str):
    """(what the thread got, what the sender's personal chat got) for one message in the thread."""
    fake_connector.clear()
    resp = await bot_client.post("/api/messages", json=act.channel_message(
        TEAM, key, text, service_url=fake_connector.url, aad=f"aad-{key}"))
    assert resp.status == 201
    return fake_connector.delivered(THREAD), fake_connector.delivered(act.personal_conversation_id(key))


@pytest.mark.parametrize("name", sorted(registry().commands))
async def test_no_command_typed_in_a_channel_puts_a_case_or_a_colleague_there(
        bot_client, fake_connector, team, name):
    command = registry().commands[name]
    sender = sender_for(command)
    in_thread, in_personal = await say_in_channel(bot_client, fake_connector, sender, name)
    channel_text = "\n".join(call.all_text() for call in in_thread)
    leaked = [secret for secret in secrets() if secret in channel_text]
    assert not leaked, f"{name!r} typed in a channel put {leaked} in the channel"
    if command.channel:
        assert in_thread and not in_personal
    else:
        said = STARTED_IN_PERSONAL_CHAT if registry().dialog_for(name) else TOLD_IN_PERSONAL_CHAT
        assert [call.text for call in in_thread] == [said]
        assert in_personal, f"{name!r} was not answered in the sender's personal chat"


async def test_my_audits_in_a_channel_goes_to_the_personal_chat_with_its_case_references(
        bot_client, fake_connector, team):
    """The failing input: `my audits` in a team thread posted case references there."""
    in_thread, in_personal = await say_in_channel(bot_client, fake_connector, "pam", "my audits")
    assert [call.text for call in in_thread] == [TOLD_IN_PERSONAL_CHAT]
    assert "CR-7001" in "".join(call.all_text() for call in in_personal)  # the answer, where it belongs
    assert all(call.activity.get("replyToId") is None for call in in_personal)


async def test_observations_in_a_channel_names_no_supervisee_there(bot_client, fake_connector, team):
    in_thread, in_personal = await say_in_channel(bot_client, fake_connector, "pam", "observations")
    assert "Ann Archer" not in json.dumps([c.all_text() for c in in_thread])
    assert "Ann Archer" in "".join(call.all_text() for call in in_personal)


async def test_a_channel_sender_without_a_personal_chat_gets_one_opened(bot_client, fake_connector, team):
    """Someone who never opened the bot: Teams lets a bot in their team open a 1:1 chat with them."""
    in_thread, in_personal = await say_in_channel(bot_client, fake_connector, "newcomer", "whoami")
    assert [call.text for call in in_thread] == [TOLD_IN_PERSONAL_CHAT]
    opened = fake_connector.delivered(f"a:personal-{act.user_id('newcomer')}")
    assert opened and "not on the QA roster" in opened[0].all_text()


async def test_refused_in_the_channel_when_no_personal_chat_can_be_opened(
        bot_client, fake_connector, team, monkeypatch):
    async def refused(*_args, **_kwargs):
        raise OutboundError(403, "MessageWritesBlocked")

    monkeypatch.setattr("bot.teams_bot.open_personal_chat", refused)
    in_thread, _ = await say_in_channel(bot_client, fake_connector, "newcomer", "my audits")
    assert [call.text for call in in_thread] == [NO_PERSONAL_CHAT]


async def test_not_understood_in_a_channel_names_nobody(bot_client, fake_connector, team):
    in_thread, in_personal = await say_in_channel(bot_client, fake_connector, "outsider", "what is this?")
    assert in_thread and not in_personal
    text = "\n".join(call.all_text() for call in in_thread)
    assert "did not understand" in text
    assert not [secret for secret in secrets() if secret in text]  # not even the QA unit's contact


@pytest.mark.parametrize("verb", sorted(registry().verbs))
async def test_a_button_pressed_in_a_channel_acts_only_if_declared_for_channels(
        bot_client, fake_connector, team, verb):
    fake_connector.clear()
    resp = await bot_client.post("/api/messages", json=act.channel_card_action(
        TEAM, "pam", verb, {"allocation_id": 1, "broadcast_id": 1}, service_url=fake_connector.url, aad="aad-pam"))
    assert resp.status == 200
    body = await resp.json()
    shown = json.dumps(body) + "".join(call.all_text() for call in fake_connector.delivered(THREAD))
    assert not [secret for secret in secrets() if secret in shown]
    if not registry().verbs[verb].channel:
        assert body["value"] == BUTTON_IN_PERSONAL_CHAT
        assert not fake_connector.updates()


def test_the_registry_declares_which_commands_and_buttons_answer_in_a_channel():
    reg = registry()
    assert {c.name for c in reg.commands.values() if c.channel} == {"help"}
    # "I'm taking this" on the out-of-hours channel's safeguarding card, which names the case reference only.
    assert {v.verb for v in reg.verbs.values() if v.channel} == {"basics.help", "safeguarding.claim"}
