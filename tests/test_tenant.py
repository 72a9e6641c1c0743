"""The tenant, read one way: channelData.tenant.id, else conversation.tenantId; GUIDs compared
without regard to case. The same reading lets an activity in (the allow-list), is stored with
its chat or team, and goes out on every proactive message to that chat."""
from __future__ import annotations

from datetime import timedelta

import pytest
from botbuilder.schema import Activity
from sqlalchemy import select

from bot.app import create_app
from bot.sender import OutboxSender
from bot.services import Services
from bot.settings import Settings, SettingsError
from bot.teams_bot import tenant_id
from storage.models import Conversation, Team
from storage.outbox import enqueue
from tests.support import activities as act
from tests.support.outbox import NOW, payload

LOWER = "3a0b3c51-3e1d-44f1-ba8e-9f82b6880005"
UPPER = LOWER.upper()
OTHER = "0d5c7e2f-9b1a-4c3d-8e7f-a1b2c3d4e5f6"


def activity_with(channel_data_tenant=None, conversation_tenant=None, *, conversation_key="tenantId") -> Activity:
    """A message whose tenant is where the arguments put it (None: not there at all)."""
    body = act.message("ann", "help", service_url="http://127.0.0.1/", aad="aad-ann")
    del body["channelData"]["tenant"]
    del body["conversation"]["tenantId"]
    if channel_data_tenant is not None:
        body["channelData"]["tenant"] = channel_data_tenant
    if conversation_tenant is not None:
        body["conversation"][conversation_key] = conversation_tenant
    return Activity().deserialize(body)


# -- reading ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("channel_data_tenant", "conversation_tenant", "expected"), [
    ({"id": LOWER}, LOWER, LOWER),                  # both, as Teams usually sends
    ({"id": LOWER}, None, LOWER),                   # channelData only
    (None, LOWER, LOWER),                           # conversation.tenantId only (the case)
    ({"id": LOWER}, OTHER, LOWER),                  # both and different: channelData wins
    ({"id": UPPER}, None, LOWER),                   # case
    (None, UPPER, LOWER),
    ({"id": f"  {UPPER}\t"}, None, LOWER),          # whitespace
    (None, f" {LOWER} ", LOWER),
    ({"id": "   "}, LOWER, LOWER),                  # a blank channelData id is no tenant
    ({"id": ""}, LOWER, LOWER),
    ({}, LOWER, LOWER),
    ("not-an-object", LOWER, LOWER),
    ({"id": 42}, LOWER, LOWER),
    (None, None, ""),                               # neither
    ({"id": ""}, "  ", ""),
])
def test_the_tenant_is_read_one_way(channel_data_tenant, conversation_tenant, expected):
    assert tenant_id(activity_with(channel_data_tenant, conversation_tenant)) == expected


def test_botbuilders_own_spelling_of_the_conversation_tenant_is_read_too():
    assert tenant_id(activity_with(None, UPPER, conversation_key="tenantID")) == LOWER


# -- the allow-list -------------------------------------------------------------------------------

def settings_with(tenants: str, **env: str) -> Settings:
    return Settings.from_env({"MicrosoftAppId": "app", "MicrosoftAppPassword": "pw", "QA_ALLOWED_TENANTS": tenants,
                              **env})


@pytest.mark.parametrize(("configured", "arriving"), [
    (UPPER, LOWER), (LOWER, UPPER), (f"  {UPPER} ", LOWER), (f"{OTHER},{UPPER}", f" {LOWER}"),
    (f"{OTHER} ,\t{LOWER} , ", UPPER),
])
def test_the_allow_list_ignores_case_and_whitespace(configured, arriving):
    settings = settings_with(configured)
    assert settings.tenant_allowed(arriving)
    assert LOWER in settings.allowed_tenants and all(t == t.strip().lower() for t in settings.allowed_tenants)


@pytest.mark.parametrize("arriving", ["", None, "  ", OTHER, LOWER + "x", LOWER[:-1]])
def test_the_allow_list_refuses_other_and_missing_tenants(arriving):
    assert not settings_with(UPPER).tenant_allowed(arriving)


def test_settings_made_in_code_compare_the_same_way():
    settings = Settings(allowed_tenants=frozenset({f" {UPPER} "}))
    assert settings.allowed_tenants == {LOWER} and settings.tenant_allowed(LOWER)


@pytest.mark.parametrize("configured", [
    "tenant-1",
    "contoso.onmicrosoft.com",
    f"{LOWER}, tenant-2",
    LOWER[:-1],
    LOWER + "0",
    "{" + LOWER + "}",
    LOWER.replace("-", ""),
    LOWER.replace("a", "g"),
    f"{LOWER};{OTHER}",
])
def test_a_tenant_that_is_not_a_guid_stops_start_up_in_one_line(configured):
    with pytest.raises(SettingsError) as err:
        settings_with(configured)
    message = str(err.value)
    assert "QA_ALLOWED_TENANTS" in message and "GUID" in message and "\n" not in message


def test_a_non_guid_is_refused_without_an_app_id_too():
    # Local development may leave the list empty, but what is written must be tenant ids.
    with pytest.raises(SettingsError, match="QA_ALLOWED_TENANTS"):
        Settings.from_env({"QA_ALLOWED_TENANTS": "my-tenant"})
    assert Settings.from_env({"QA_ALLOWED_TENANTS": UPPER}).allowed_tenants == {LOWER}


# -- over HTTP: let in, stored and sent with the same tenant --------------------------------------

@pytest.fixture
def allowing(aiohttp_client, db):
    """A client for an app whose QA_ALLOWED_TENANTS is `configured` (auth off, as in local development)."""
    made: list[Services] = []

    async def make(configured: str):
        settings = Settings.from_env({"QA_ALLOWED_TENANTS": configured, "DATABASE_URL": db.url}, dotenv=False)
        services = Services.create(settings, db=db)
        made.append(services)
        return await aiohttp_client(create_app(settings, services, run_scheduler=False)), services

    return make


def only_in_conversation(activity: dict, tenant: str) -> dict:
    """As some clients and channels send it: no channelData.tenant, the tenant in conversation.tenantId."""
    del activity["channelData"]["tenant"]
    activity["conversation"]["tenantId"] = tenant
    return activity


async def stored_chat(db, key: str) -> Conversation | None:
    async with db.sessions() as s:
        return (await s.scalars(select(Conversation).where(
            Conversation.conversation_id == act.personal_conversation_id(key)))).one_or_none()


async def deliver_one(services: Services, conversation_id: str) -> None:
    async with services.db.sessions.begin() as s:
        await enqueue(s, key=f"test:{conversation_id}", kind="test", person_id=None, payload=payload(1), due_at=NOW,
                      now=NOW - timedelta(minutes=1), conversation_id=conversation_id)
    await OutboxSender(services).deliver_due(NOW, wait_retries=0)


@pytest.mark.parametrize(("configured", "arriving"), [(UPPER, LOWER), (LOWER, UPPER)])
async def test_a_chat_whose_tenant_is_only_in_the_conversation_is_stored_and_written_to_with_it(
        allowing, fake_connector, db, configured, arriving):
    client, services = await allowing(configured)
    install = only_in_conversation(act.installation_add("ann", service_url=fake_connector.url, aad="aad-ann"),
                                   arriving)
    resp = await client.post("/api/messages", json=install)
    assert resp.status == 201, await resp.text()

    chat = await stored_chat(db, "ann")
    assert chat.tenant_id == LOWER
    assert chat.reference["conversation"]["tenantId"] == LOWER
    conv = act.personal_conversation_id("ann")
    assert len(fake_connector.delivered(conv)) == 1  # the welcome: a reply in the turn

    await deliver_one(services, conv)
    [_, notice] = fake_connector.delivered(conv)
    assert notice.activity["summary"] == "notice 1"
    assert notice.activity["channelData"] == {"tenant": {"id": LOWER}}


async def test_both_places_different_channel_data_is_what_is_let_in_and_stored(allowing, fake_connector, db):
    client, _ = await allowing(UPPER)
    install = act.installation_add("ann", service_url=fake_connector.url, aad="aad-ann", tenant=UPPER)
    install["conversation"]["tenantId"] = OTHER
    assert (await client.post("/api/messages", json=install)).status == 201
    assert (await stored_chat(db, "ann")).tenant_id == LOWER

    # The reverse: channelData names a tenant not on the list, so the conversation's allowed one
    # does not let it in.
    foreign = act.installation_add("bob", service_url=fake_connector.url, aad="aad-bob", tenant=OTHER)
    foreign["conversation"]["tenantId"] = LOWER
    assert (await client.post("/api/messages", json=foreign)).status == 403
    assert await stored_chat(db, "bob") is None


async def test_a_tenant_only_in_the_conversation_that_is_not_allowed_is_403(allowing, fake_connector, db):
    client, _ = await allowing(LOWER)
    activity = only_in_conversation(act.installation_add("ann", service_url=fake_connector.url), OTHER)
    assert (await client.post("/api/messages", json=activity)).status == 403
    assert await stored_chat(db, "ann") is None and fake_connector.calls == []


async def test_a_team_whose_tenant_is_only_in_the_conversation_is_stored_with_it(allowing, fake_connector, db):
    client, _ = await allowing(LOWER)
    added = only_in_conversation(act.team_bot_added("t1", service_url=fake_connector.url), UPPER)
    assert (await client.post("/api/messages", json=added)).status == 201
    async with db.sessions() as s:
        team = (await s.scalars(select(Team))).one()
    assert team.tenant_id == LOWER


async def test_a_chat_first_seen_through_a_message_is_stored_with_the_conversations_tenant(
        allowing, fake_connector, db):
    client, _ = await allowing(LOWER)
    said = only_in_conversation(act.message("cal", "help", service_url=fake_connector.url, aad="aad-cal"), UPPER)
    assert (await client.post("/api/messages", json=said)).status == 201
    assert (await stored_chat(db, "cal")).tenant_id == LOWER
