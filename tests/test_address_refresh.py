"""Conversation references kept current: Teams can move a tenant's traffic to another serviceUrl,
so every activity from a known chat or team refreshes where the bot writes to it, with one write
when something changed and none otherwise."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from bot.sender import OutboxSender
from devtools.fake_connector import FakeConnector
from storage import conversations as chats
from storage.models import Conversation, Team
from storage.outbox import enqueue
from tests.support import activities as act
from tests.support.outbox import NOW, payload

TENANT = "3a0b3c51-3e1d-44f1-ba8e-9f82b6880005"


@pytest.fixture
async def moved_to() -> AsyncIterator[FakeConnector]:
    """A second Bot Connector: the serviceUrl Teams moves the tenant's traffic to."""
    fake = await FakeConnector().start()
    yield fake
    await fake.stop()


@pytest.fixture
def updates(db) -> list[str]:
    """Every UPDATE the database is sent on the conversations or teams table, in order."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        text = " ".join(statement.split()).lower()
        if text.startswith(("update conversations", "update teams")):
            seen.append(text)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def post(bot_client, activity: dict) -> None:
    resp = await bot_client.post("/api/messages", json=activity)
    assert resp.status in (200, 201), await resp.text()


async def chat_row(db, key: str) -> Conversation:
    async with db.sessions() as s:
        return (await s.scalars(select(Conversation).where(
            Conversation.conversation_id == act.personal_conversation_id(key)))).one()


async def send_notice(services, *, conversation_id: str, n: int = 1) -> None:
    async with services.db.sessions.begin() as s:
        await enqueue(s, key=f"test:{n}", kind="test", person_id=None, payload=payload(n), due_at=NOW,
                      now=NOW - timedelta(minutes=1), conversation_id=conversation_id)
    report = await OutboxSender(services).deliver_due(NOW, wait_retries=0)
    assert report.rows == 1


async def test_after_teams_moves_the_chat_a_proactive_message_goes_to_the_new_service_url(
        bot_client, services, fake_connector, moved_to, db):
    conv = act.personal_conversation_id("ann")
    await post(bot_client, act.installation_add("ann", service_url=fake_connector.url, aad="aad-ann", tenant=TENANT))
    assert len(fake_connector.delivered(conv)) == 1  # the welcome, from where the install came

    await post(bot_client, act.message("ann", "help", service_url=moved_to.url, aad="aad-ann", tenant=TENANT))
    assert len(moved_to.delivered(conv)) == 1  # the reply goes back where the message came from
    row = await chat_row(db, "ann")
    assert row.service_url == moved_to.url and row.reference["serviceUrl"] == moved_to.url

    await send_notice(services, conversation_id=conv)
    [_, notice] = moved_to.delivered(conv)
    assert notice.activity["summary"] == "notice 1"
    assert notice.activity["channelData"] == {"tenant": {"id": TENANT}}
    assert len(fake_connector.delivered(conv)) == 1  # nothing more to the old serviceUrl


async def test_a_card_press_from_the_new_service_url_refreshes_the_chat_too(
        bot_client, services, fake_connector, moved_to, db):
    await post(bot_client, act.installation_add("ann", service_url=fake_connector.url, aad="aad-ann", tenant=TENANT))
    await post(bot_client, act.card_action("ann", "basics.whoami", service_url=moved_to.url, aad="aad-ann",
                                           tenant=TENANT))
    assert (await chat_row(db, "ann")).service_url == moved_to.url


@pytest.mark.parametrize("refused", [
    lambda url: act.card_action("ann", "no.such.verb", service_url=url, aad="aad-ann", tenant=TENANT),
    lambda url: {**act.card_action("ann", "basics.whoami", service_url=url, aad="aad-ann", tenant=TENANT),
                 "name": "composeExtension/query"},
    lambda url: {**act.card_action("ann", "basics.whoami", service_url=url, aad="aad-ann", tenant=TENANT),
                 "value": {"action": {"type": "Action.Submit", "verb": "basics.whoami"}}},
], ids=["unknown verb", "invoke not handled", "not an Action.Execute"])
async def test_an_activity_answered_400_moves_no_chat(bot_client, fake_connector, moved_to, db, refused):
    """Only an accepted activity refreshes a chat's serviceUrl and reference: one the bot answers 400
    (over HTTP or in the invoke's body) leaves them as they were."""
    await post(bot_client, act.installation_add("ann", service_url=fake_connector.url, aad="aad-ann", tenant=TENANT))
    before = await chat_row(db, "ann")
    resp = await bot_client.post("/api/messages", json=refused(moved_to.url))
    body = await resp.json()
    assert resp.status == 400 or body.get("statusCode") == 400
    after = await chat_row(db, "ann")
    assert (after.service_url, after.reference) == (before.service_url, before.reference) == \
        (fake_connector.url, before.reference)


async def test_one_write_when_something_changed_and_none_otherwise(
        bot_client, fake_connector, moved_to, db, updates):
    url = fake_connector.url
    await post(bot_client, act.installation_add("ann", service_url=url, aad="aad-ann", tenant=TENANT))
    before = await chat_row(db, "ann")
    updates.clear()

    for _ in range(3):  # the hot path: the same chat, from where it was installed
        await post(bot_client, act.message("ann", "help", service_url=url, aad="aad-ann", tenant=TENANT))
    assert updates == []
    same = await chat_row(db, "ann")
    assert (same.service_url, same.reference) == (before.service_url, before.reference)

    await post(bot_client, act.message("ann", "help", service_url=moved_to.url, aad="aad-ann", tenant=TENANT))
    assert len(updates) == 1
    for _ in range(2):
        await post(bot_client, act.message("ann", "help", service_url=moved_to.url, aad="aad-ann", tenant=TENANT))
    assert len(updates) == 1
    assert len(moved_to.delivered(act.personal_conversation_id("ann"))) == 3


async def test_tenant_bot_id_and_object_id_are_refreshed_with_the_reference(bot_client, services, fake_connector, db):
    # A chat stored before the tenant was read from conversation.tenantId: tenant '' and no object id.
    conv = act.personal_conversation_id("ann")
    async with db.sessions.begin() as s:
        s.add(Conversation(conversation_id=conv, tenant_id="", service_url="https://smba.old.example/",
                           bot_id="28:old-bot-id", user_id=act.user_id("ann"), reference={"serviceUrl": "old"},
                           installed_at=NOW - timedelta(days=30)))
    said = act.message("ann", "help", service_url=fake_connector.url, aad="AAD-ANN", tenant=TENANT.upper())
    del said["channelData"]["tenant"]  # only in conversation.tenantId, in capitals
    await post(bot_client, said)

    row = await chat_row(db, "ann")
    assert (row.tenant_id, row.service_url, row.bot_id, row.aad_object_id) == (
        TENANT, fake_connector.url, act.BOT_ID, "aad-ann")
    assert row.reference["serviceUrl"] == fake_connector.url
    assert row.reference["conversation"] == {"conversationType": "personal", "id": conv, "tenantId": TENANT}
    assert row.reference["bot"]["id"] == act.BOT_ID and row.reference["user"]["id"] == act.user_id("ann")
    assert "activityId" not in row.reference  # it would change with every activity

    await send_notice(services, conversation_id=conv)
    assert fake_connector.delivered(conv)[-1].activity["channelData"] == {"tenant": {"id": TENANT}}


async def test_what_an_activity_lacks_is_kept_and_another_users_chat_is_left_alone(db):
    conv = act.personal_conversation_id("ann")
    stored = chats.PersonalChat(conversation_id=conv, tenant_id=TENANT, service_url="https://a.example/",
                                bot_id=act.BOT_ID, user_id=act.user_id("ann"), aad_object_id="aad-ann",
                                reference={"serviceUrl": "https://a.example/", "conversation": {"id": conv}})
    async with db.sessions.begin() as s:
        await chats.record_personal_chat(s, stored, now=NOW)

    lacking = chats.PersonalChat(conversation_id=conv, tenant_id="", service_url="https://b.example/",
                                 bot_id=act.BOT_ID, user_id=act.user_id("ann"), aad_object_id=None,
                                 reference={"serviceUrl": "https://b.example/", "conversation": {"id": conv}})
    async with db.sessions.begin() as s:
        assert await chats.refresh_personal_chat(s, lacking) == ["reference", "service_url"]
        assert await chats.refresh_personal_chat(s, lacking) == []
    async with db.sessions() as s:
        row = (await s.scalars(select(Conversation))).one()
    assert (row.service_url, row.tenant_id, row.aad_object_id) == ("https://b.example/", TENANT, "aad-ann")

    someone_else = chats.PersonalChat(conversation_id=conv, tenant_id=TENANT, service_url="https://c.example/",
                                      bot_id=act.BOT_ID, user_id=act.user_id("bob"), aad_object_id="aad-bob",
                                      reference={})
    unknown = chats.PersonalChat(conversation_id="a:unknown", tenant_id=TENANT, service_url="https://c.example/",
                                 bot_id=act.BOT_ID, user_id=act.user_id("ann"), aad_object_id=None, reference={})
    async with db.sessions.begin() as s:
        assert await chats.refresh_personal_chat(s, someone_else) == []
        assert await chats.refresh_personal_chat(s, unknown) == []
    async with db.sessions() as s:
        assert [c.service_url for c in (await s.scalars(select(Conversation))).all()] == ["https://b.example/"]


def channel_message(key: str, text: str, *, service_url: str) -> dict:
    """A message in a team's General channel, @mentioning the bot."""
    activity = act.message(key, text, service_url=service_url, tenant=TENANT, mention_bot=True)
    team = act.team_id(key)
    activity["conversation"] = {"isGroup": True, "conversationType": "channel", "tenantId": TENANT, "id": team}
    activity["channelData"] = {"tenant": {"id": TENANT}, "team": {"id": team}, "channel": {"id": team}}
    return activity


async def test_a_team_message_from_a_new_service_url_moves_the_teams_channel_posts(
        bot_client, services, fake_connector, moved_to, db, updates):
    await post(bot_client, act.team_bot_added("t1", service_url=fake_connector.url, tenant=TENANT))
    updates.clear()
    await post(bot_client, channel_message("t1", "help", service_url=fake_connector.url))
    assert updates == []  # unchanged: no write
    await post(bot_client, channel_message("t1", "help", service_url=moved_to.url))
    assert len(updates) == 1
    async with db.sessions() as s:
        team = (await s.scalars(select(Team))).one()
    assert (team.service_url, team.tenant_id, team.name) == (moved_to.url, TENANT, "Children's QA")

    general = act.team_id("t1")
    sent_before = len(moved_to.delivered(general))
    await send_notice(services, conversation_id=general)
    assert len(moved_to.delivered(general)) == sent_before + 1


async def test_a_channel_activity_answered_400_moves_no_team(bot_client, fake_connector, moved_to, db):
    await post(bot_client, act.team_bot_added("t1", service_url=fake_connector.url, tenant=TENANT))
    refused = act.channel_card_action("t1", "ann", "no.such.verb", service_url=moved_to.url, aad="aad-ann",
                                      tenant=TENANT)
    resp = await bot_client.post("/api/messages", json=refused)
    assert (await resp.json())["statusCode"] == 400
    async with db.sessions() as s:
        assert (await s.scalars(select(Team))).one().service_url == fake_connector.url
    # The same press of a verb the bot knows is accepted, and moves the team.
    accepted = act.channel_card_action("t1", "ann", "basics.help", service_url=moved_to.url, aad="aad-ann",
                                       tenant=TENANT)
    resp = await bot_client.post("/api/messages", json=accepted)
    assert (await resp.json())["statusCode"] == 200
    async with db.sessions() as s:
        assert (await s.scalars(select(Team))).one().service_url == moved_to.url
