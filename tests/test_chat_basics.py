"""help, whoami and text the bot does not understand: over HTTP, and against QaBot with TestAdapter."""
from __future__ import annotations

import json

import pytest
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from sqlalchemy import select

from bot.teams_bot import QaBot, command_text
from capabilities.basics import help_for
from capabilities.catalogue import registry
from dialogs.common_cards import CARD_CONTENT_TYPE, Profile, help_card, welcome_card, whoami_card
from storage.bot_state import SqlStorage
from storage.models import ROLES, Conversation
from tests.support import activities as act
from tests.support.card_validator import card_problems

# A phrase each role's help must carry, in the framework's words (section 9.3): only what is built
# (the help card is made from what the capabilities register; supervision, observations,
# escalations and broadcasts are promised once their issues land).
ROLE_PHRASES = {
    "practitioner": "Take your rating of this bot",  # every role's; practitioners have nothing else yet
    "practice_manager": "audit allocation on the 3rd",
    "service_lead": "oversight by the oversight deadline on the card",
    "head_of_service": "oversight of audits in your service areas is overdue",
    "deputy_director": "immediate safeguarding concern",
    "qa_unit": "allocation list on the 3rd",
    "principal_social_worker": "audit allocation on the 3rd",
    "iro": "Raise a practice alert on a case",
    "cp_chair": "Raise a practice alert on a case",
}


def registered_help(role: str) -> str:
    return json.dumps(help_for(registry(), role).card)


async def ask(bot_client, fake_connector, key: str, text: str, **kw):
    """Send a message and return the one reply the fake connector saw."""
    fake_connector.clear()
    resp = await bot_client.post("/api/messages", json=act.message(key, text, service_url=fake_connector.url, **kw))
    assert resp.status == 201
    [reply] = fake_connector.delivered(act.personal_conversation_id(key))
    [attachment] = reply.activity["attachments"]
    assert attachment["contentType"] == CARD_CONTENT_TYPE
    assert reply.text  # a short text fallback with every card
    return reply


@pytest.fixture
async def ann(db):
    await act.add_people(
        db,
        act.roster_person("ann@council.gov.uk", "Ann Archer", "practice_manager", aad="aad-ann", team="Team Alpha",
                          service_area="Children in Need; Child Protection", supervisor_email="sam@council.gov.uk"),
        act.roster_person("sam@council.gov.uk", "Sam Lead", "service_lead", aad="aad-sam"),
        act.roster_person("quinn@council.gov.uk", "Quinn Q", "qa_unit", aad="aad-quinn", team="QA Unit"),
    )


@pytest.mark.parametrize("role", ROLES)
async def test_help_says_what_the_bot_does_for_each_role(bot_client, fake_connector, db, role):
    await act.add_people(db, act.roster_person("p@council.gov.uk", "Pat Role", role, aad="aad-p"))
    reply = await ask(bot_client, fake_connector, "p", "help", aad="aad-p")
    assert ROLE_PHRASES[role] in reply.all_text()
    others = {p for r, p in ROLE_PHRASES.items() if r != role and p not in registered_help(role)}
    assert not [p for p in others if p in reply.all_text()], "help shows another role's duties"
    assert "did not understand" not in reply.all_text()


@pytest.mark.parametrize("typed", ["HELP", "Help!", "  help?  ", "<at>QA Bot</at> help"])
async def test_help_matches_regardless_of_case_punctuation_and_mention(bot_client, fake_connector, ann, typed):
    reply = await ask(bot_client, fake_connector, "ann", typed, aad="aad-ann")
    assert ROLE_PHRASES["practice_manager"] in reply.all_text()
    assert "did not understand" not in reply.all_text()


async def test_help_with_a_teams_mention_entity(bot_client, fake_connector, ann):
    reply = await ask(bot_client, fake_connector, "ann", "help.", aad="aad-ann", mention_bot=True)
    assert "did not understand" not in reply.all_text()


@pytest.mark.parametrize("typed", ["whoami", "Who am I?", "<at>QA Bot</at> WHOAMI"])
async def test_whoami_shows_name_role_team_service_areas_and_supervisor(bot_client, fake_connector, ann, typed):
    reply = await ask(bot_client, fake_connector, "ann", typed, aad="aad-ann")
    [card] = reply.cards
    facts = {f["title"]: f["value"] for b in card["body"] if b["type"] == "FactSet" for f in b["facts"]}
    assert facts == {"Name": "Ann Archer", "Role": "practice manager", "Team": "Team Alpha",
                     "Service areas": "Children in Need, Child Protection", "Supervisor": "Sam Lead"}
    assert "Ann Archer" in reply.text


async def test_whoami_for_someone_not_on_the_roster(bot_client, fake_connector, ann):
    reply = await ask(bot_client, fake_connector, "zed", "whoami", aad="aad-zed", name="Zed Zero")
    assert "not on the QA roster" in reply.all_text()
    assert "Quinn Q" in reply.all_text()
    assert "Zed Zero" in reply.all_text()


async def test_text_not_understood_gets_the_help_card_not_silence(bot_client, fake_connector, ann):
    reply = await ask(bot_client, fake_connector, "ann", "what's the weather like?", aad="aad-ann")
    assert "did not understand" in reply.text
    assert ROLE_PHRASES["practice_manager"] in reply.all_text()


async def test_a_message_from_an_unrecorded_chat_records_and_links_it(bot_client, fake_connector, db, ann):
    await ask(bot_client, fake_connector, "ann", "help", aad="aad-ann")
    async with db.sessions() as s:
        row = (await s.execute(select(Conversation))).scalar_one()
    assert row.conversation_id == act.personal_conversation_id("ann")
    assert row.person_id is not None and row.tenant_id == "tenant-1"
    assert row.welcomed_at is None  # a message is not an install: no welcome


async def test_card_action_whoami_answers_with_the_card(bot_client, fake_connector, ann):
    activity = act.card_action("ann", "whoami", service_url=fake_connector.url, aad="aad-ann")
    resp = await bot_client.post("/api/messages", json=activity)
    assert resp.status == 200
    body = await resp.json()
    assert body["statusCode"] == 200 and body["type"] == CARD_CONTENT_TYPE
    assert "Ann Archer" in json.dumps(body["value"])
    assert not fake_connector.delivered()


async def test_card_action_with_an_unknown_verb_is_a_clear_error(bot_client, fake_connector, ann):
    activity = act.card_action("ann", "no.such.verb", service_url=fake_connector.url, aad="aad-ann")
    resp = await bot_client.post("/api/messages", json=activity)
    assert resp.status == 200
    body = await resp.json()
    assert body["statusCode"] == 400 and body["type"] == "application/vnd.microsoft.error"


def test_command_text_strips_mentions_punctuation_and_case():
    activity = Activity(type="message", text="<at>QA Bot</at>  Who am I?!", recipient=ChannelAccount(id="28:b"),
                        entities=[{"type": "mention", "text": "<at>QA Bot</at>", "mentioned": {"id": "28:b"}}])
    assert command_text(activity) == "who am i"
    # A malformed mention entity must not break the turn.
    broken = Activity(type="message", text="<at>x</at> Help", recipient=ChannelAccount(id="28:b"),
                      entities=[{"type": "mention"}])
    assert command_text(broken) == "help"
    assert command_text(Activity(type="message", recipient=ChannelAccount(id="28:b"))) == ""


def test_common_cards_pass_microsofts_card_parser():
    profile = Profile(name="Ann Archer", role="practice_manager", team="Team Alpha",
                      service_areas=["Children in Need"], supervisor_name="Sam Lead")
    cards = [help_for(registry(), role).card for role in ROLES] + [
        help_card(None), help_card("practitioner", not_understood=True, qa_contact="Quinn Q"),
        welcome_card(profile), welcome_card(None, qa_contact="Quinn Q"), whoami_card(profile), whoami_card(None),
    ]
    for card in cards:
        assert (card["type"], card["version"], card["$schema"]) == (
            "AdaptiveCard", "1.5", "http://adaptivecards.io/schemas/adaptive-card.json")
    assert card_problems(cards) == [[] for _ in cards]


# -- dialog level: QaBot driven by botbuilder's TestAdapter ---------------------------------

@pytest.fixture
async def bot(services, fake_connector):
    yield QaBot(services)
    await services.connector.close()


def adapter_for(bot: QaBot, fake_connector, *, aad: str, name: str = "Ann Archer") -> TestAdapter:
    template = Activity(
        channel_id="msteams", service_url=fake_connector.url,
        from_property=ChannelAccount(id=act.user_id("ann"), name=name, aad_object_id=aad),
        recipient=ChannelAccount(id=act.BOT_ID, name=act.BOT_NAME),
        conversation=ConversationAccount(id=act.personal_conversation_id("ann"), conversation_type="personal"),
        channel_data={"tenant": {"id": "tenant-1"}},
    )
    return TestAdapter(bot.on_turn, template)


def reply_of(adapter: TestAdapter) -> Activity:
    reply = adapter.get_next_activity()
    assert reply is not None and adapter.get_next_activity() is None
    return reply


async def test_dialog_help_and_whoami(bot, fake_connector, ann):
    adapter = adapter_for(bot, fake_connector, aad="aad-ann")
    await adapter.send("help")
    reply = reply_of(adapter)
    assert reply.attachments[0].content_type == CARD_CONTENT_TYPE
    assert ROLE_PHRASES["practice_manager"] in json.dumps(reply.attachments[0].content)
    assert "practice manager" in reply.text

    await adapter.send("Who am I?")
    reply = reply_of(adapter)
    assert "Ann Archer" in reply.text and "Team Alpha" in reply.text
    assert "Sam Lead" in json.dumps(reply.attachments[0].content)

    await adapter.send("tell me a joke")
    assert "did not understand" in reply_of(adapter).text


async def test_dialog_whoami_for_someone_not_on_the_roster(bot, fake_connector, db):
    adapter = adapter_for(bot, fake_connector, aad="aad-nobody", name="No Body")
    await adapter.send("whoami")
    reply = reply_of(adapter)
    assert "not on the QA roster" in reply.text
    assert "Quality Assurance Unit" in json.dumps(reply.attachments[0].content)


class CountingBot(QaBot):
    """QaBot whose message turn keeps a counter in the sender's conversation state, as a dialog would."""

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        counter = self.person_state.create_property("counter")
        count = await counter.get(turn_context, lambda: {"n": 0})
        count["n"] += 1
        await counter.set(turn_context, count)
        await turn_context.send_activity(f"turn {count['n']}")


async def test_conversation_state_is_kept_in_the_database(services, fake_connector, db):
    try:
        adapter = adapter_for(CountingBot(services), fake_connector, aad="aad-ann")
        await adapter.send("one")
        await adapter.send("two")
        # A new bot (as after a restart) carries on from what the database holds.
        restarted = adapter_for(CountingBot(services), fake_connector, aad="aad-ann")
        await restarted.send("three")
    finally:
        await services.connector.close()
    assert [a.text for a in adapter.activity_buffer] == ["turn 1", "turn 2"]
    assert [a.text for a in restarted.activity_buffer] == ["turn 3"]
    key = f"msteams/conversations/{act.personal_conversation_id('ann')}/people/aad-ann"  # the sender's own
    stored = await SqlStorage(db).read([key])
    assert stored[key]["counter"] == {"n": 3}


async def test_card_buttons_post_commands_the_bot_understands(bot_client, fake_connector, ann):
    reply = await ask(bot_client, fake_connector, "ann", "help", aad="aad-ann")
    [card] = reply.cards
    commands = [a["data"]["msteams"]["value"] for a in card["actions"]]
    assert commands
    for command in commands:  # Teams posts an imBack value as a message with that text
        pressed = await ask(bot_client, fake_connector, "ann", command, aad="aad-ann")
        assert "did not understand" not in pressed.all_text()


def test_a_practitioners_help_promises_renewal_reminders_only_if_registered_and_not_a_fixed_period():
    # The roster's `registered` decides who is reminded, and QA_WORKFORCE_SWE_RENEWAL may move the period.
    said = registered_help("practitioner")
    assert "If you are a registered social worker, in Social Work England's renewal period (1 September to 30 " \
           "November unless the council set another)" in said
