"""Installs over HTTP: who is who, one welcome per installation, teams and channels recorded."""
from __future__ import annotations

import asyncio

import pytest
from botbuilder.schema import ConversationReference
from sqlalchemy import select

from bot.adapter import OutboundError
from bot.proactive import open_personal_chat
from devtools.fake_connector import Failure
from storage.models import Channel, Conversation, Team
from storage.people import link_conversations, person_by_email
from tests.support import activities as act


async def post(bot_client, activity: dict) -> None:
    resp = await bot_client.post("/api/messages", json=activity)
    assert resp.status in (200, 201), await resp.text()


async def chat_row(db, key: str) -> Conversation | None:
    async with db.sessions() as s:
        return (await s.execute(select(Conversation).where(
            Conversation.conversation_id == act.personal_conversation_id(key)))).scalar_one_or_none()


async def test_the_two_install_events_give_one_welcome(bot_client, fake_connector, db):
    url = fake_connector.url
    await asyncio.gather(post(bot_client, act.installation_add("ann", service_url=url, aad="aad-ann")),
                         post(bot_client, act.personal_members_added("ann", service_url=url, aad="aad-ann")))
    conv = act.personal_conversation_id("ann")
    assert len(fake_connector.delivered(conv)) == 1
    # Teams repeats events (retries, a reload): still one welcome per installation.
    await post(bot_client, act.personal_members_added("ann", service_url=url, aad="aad-ann"))
    assert len(fake_connector.delivered(conv)) == 1
    row = await chat_row(db, "ann")
    assert row.welcomed_at is not None


async def test_welcome_says_who_the_bot_takes_a_roster_person_to_be(bot_client, fake_connector, db):
    await act.add_people(
        db,
        act.roster_person("ann@council.gov.uk", "Ann Archer", "practice_manager", aad="aad-ann",
                          team="Team Alpha", supervisor_email="sam@council.gov.uk"),
        act.roster_person("sam@council.gov.uk", "Sam Lead", "service_lead"),
        act.roster_person("quinn@council.gov.uk", "Quinn Q", "qa_unit", team="QA Unit"),
    )
    await post(bot_client, act.installation_add("ann", service_url=fake_connector.url, aad="aad-ann"))
    [welcome] = fake_connector.delivered(act.personal_conversation_id("ann"))
    assert "Ann Archer" in welcome.text and "practice manager" in welcome.text and "Team Alpha" in welcome.text
    assert welcome.activity["summary"] == welcome.text
    [card] = welcome.cards
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert "Sam Lead" in welcome.all_text()  # supervisor by name
    assert "not on the QA roster" not in welcome.all_text()

    row = await chat_row(db, "ann")
    async with db.sessions() as s:
        ann = await person_by_email(s, "ann@council.gov.uk")
    assert row.person_id == ann.id
    assert (row.tenant_id, row.service_url, row.bot_id, row.user_id, row.aad_object_id) == (
        "tenant-1", fake_connector.url, act.BOT_ID, act.user_id("ann"), "aad-ann")
    reference = ConversationReference().deserialize(row.reference)
    assert reference.conversation.id == act.personal_conversation_id("ann")
    assert reference.service_url == fake_connector.url and reference.bot.id == act.BOT_ID
    assert reference.user.id == act.user_id("ann")
    # Linked by object id: no member look-up was needed.
    assert not [c for c in fake_connector.calls if c.method == "GET"]


async def test_welcome_for_someone_not_on_the_roster_names_the_qa_unit(bot_client, fake_connector, db):
    await act.add_people(db, act.roster_person("quinn@council.gov.uk", "Quinn Q", "qa_unit"))
    await post(bot_client, act.installation_add("zed", service_url=fake_connector.url, aad="aad-zed"))
    [welcome] = fake_connector.delivered(act.personal_conversation_id("zed"))
    assert "not on the QA roster yet" in welcome.text
    assert "Quinn Q" in welcome.text
    row = await chat_row(db, "zed")
    assert row.person_id is None and row.aad_object_id == "aad-zed"


async def test_welcome_without_a_qa_unit_person_points_at_the_unit(bot_client, fake_connector):
    await post(bot_client, act.installation_add("zed", service_url=fake_connector.url, aad="aad-zed"))
    [welcome] = fake_connector.delivered(act.personal_conversation_id("zed"))
    assert "Quality Assurance Unit" in welcome.text


async def test_links_by_the_email_teams_member_lookup_gives(bot_client, fake_connector, db):
    # Roster has no object id for Bea; Teams' member look-up gives her UPN.
    await act.add_people(db, act.roster_person("bea@council.gov.uk", "Bea Baker", "practitioner"))
    fake_connector.add_member(act.user_id("bea"), email="Bea@Council.gov.uk", name="Bea Baker",
                              aad_object_id="aad-bea")
    await post(bot_client, act.installation_add("bea", service_url=fake_connector.url, aad="aad-bea"))
    lookups = [c for c in fake_connector.calls if c.method == "GET"]
    assert [c.path for c in lookups] == [
        f"/v3/conversations/{act.personal_conversation_id('bea')}/members/{act.user_id('bea')}"]
    row = await chat_row(db, "bea")
    assert row.email == "bea@council.gov.uk" and row.person_id is not None
    [welcome] = fake_connector.delivered(act.personal_conversation_id("bea"))
    assert "Bea Baker" in welcome.text and "practitioner" in welcome.text


async def test_someone_imported_after_installing_is_linked_by_link_conversations(bot_client, fake_connector, db):
    fake_connector.add_member(act.user_id("cat"), email="cat@council.gov.uk", name="Cat Cole")
    await post(bot_client, act.installation_add("cat", service_url=fake_connector.url, aad="aad-cat"))
    assert (await chat_row(db, "cat")).person_id is None
    assert "not on the QA roster yet" in fake_connector.delivered()[0].text

    # The roster import arrives later (without object ids) and links the chat by email.
    await act.add_people(db, act.roster_person("cat@council.gov.uk", "Cat Cole", "service_lead"))
    async with db.sessions.begin() as s:
        assert await link_conversations(s) == 1
    assert (await chat_row(db, "cat")).person_id is not None

    fake_connector.clear()
    await post(bot_client, act.message("cat", "whoami", service_url=fake_connector.url, aad="aad-cat"))
    [reply] = fake_connector.delivered()
    assert "Cat Cole" in reply.text and "service lead" in reply.text


async def test_uninstall_marks_the_chat_unreachable_and_reinstall_welcomes_again(bot_client, fake_connector, db):
    url = fake_connector.url
    await post(bot_client, act.installation_add("dan", service_url=url, aad="aad-dan"))
    await post(bot_client, act.installation_remove("dan", service_url=url, aad="aad-dan"))
    row = await chat_row(db, "dan")
    assert row.unreachable_at is not None and row.unreachable_reason == "uninstalled"
    assert len(fake_connector.delivered()) == 1  # nothing said on removal

    await asyncio.gather(post(bot_client, act.installation_add("dan", service_url=url, aad="aad-dan")),
                         post(bot_client, act.personal_members_added("dan", service_url=url, aad="aad-dan")))
    row = await chat_row(db, "dan")
    assert row.unreachable_at is None and row.unreachable_reason is None
    assert len(fake_connector.delivered()) == 2  # one welcome for the new installation


async def test_a_welcome_that_could_not_be_sent_is_sent_by_the_next_event(bot_client, fake_connector, db):
    url = fake_connector.url
    conv = act.personal_conversation_id("eve")
    fake_connector.fail_next(502, conversation=conv)
    await post(bot_client, act.installation_add("eve", service_url=url, aad="aad-eve"))
    assert not fake_connector.delivered(conv)
    assert (await chat_row(db, "eve")).welcomed_at is None
    await post(bot_client, act.personal_members_added("eve", service_url=url, aad="aad-eve"))
    assert len(fake_connector.delivered(conv)) == 1


async def test_team_install_and_channel_events_are_recorded(bot_client, fake_connector, db):
    url = fake_connector.url
    await post(bot_client, act.team_bot_added("t1", service_url=url, name="Children's QA"))
    await post(bot_client, act.channel_event("t1", "channelCreated", "audits", service_url=url,
                                             channel_name="Audits"))
    await post(bot_client, act.channel_event("t1", "channelCreated", "old", service_url=url, channel_name="Old"))
    await post(bot_client, act.channel_event("t1", "channelRenamed", "audits", service_url=url,
                                             channel_name="Monthly audits"))
    await post(bot_client, act.channel_event("t1", "channelDeleted", "old", service_url=url, channel_name="Old"))
    await post(bot_client, act.team_renamed("t1", "Children's Services QA", service_url=url))

    async with db.sessions() as s:
        team = (await s.execute(select(Team))).scalar_one()
        channels = {c.channel_id: c for c in (await s.execute(select(Channel))).scalars()}
    assert (team.team_id, team.aad_group_id, team.name, team.tenant_id, team.service_url, team.bot_id) == (
        act.team_id("t1"), "group-t1", "Children's Services QA", "tenant-1", url, act.BOT_ID)
    assert team.removed_at is None
    assert channels[act.team_id("t1")].name == "General"
    assert channels[act.channel_id("t1", "audits")].name == "Monthly audits"
    assert channels[act.channel_id("t1", "audits")].deleted_at is None
    assert channels[act.channel_id("t1", "old")].deleted_at is not None
    assert not fake_connector.delivered()  # nothing posted into the team

    await post(bot_client, act.team_bot_removed("t1", service_url=url))
    async with db.sessions() as s:
        assert (await s.execute(select(Team))).scalar_one().removed_at is not None
    await post(bot_client, act.team_bot_added("t1", service_url=url, name="Children's QA again"))
    async with db.sessions() as s:
        team = (await s.execute(select(Team))).scalar_one()
    assert team.removed_at is None and team.name == "Children's QA again"


@pytest.fixture
async def own_services(services):
    # Tests that call bot code without the app close the connector's session themselves.
    yield services
    await services.connector.close()


async def test_open_personal_chat_creates_and_records_a_conversation(own_services, fake_connector, db):
    services = own_services
    await act.add_people(db, act.roster_person("fay@council.gov.uk", "Fay Fox", "practitioner", aad="aad-fay"))
    conversation_id = await open_personal_chat(services, service_url=fake_connector.url, tenant_id="tenant-1",
                                               bot_id=act.BOT_ID, user_id=act.user_id("fay"),
                                               aad_object_id="aad-fay")
    [call] = [c for c in fake_connector.calls if c.path == "/v3/conversations"]
    assert call.body["isGroup"] is False
    assert call.body["members"] == [{"id": act.user_id("fay")}]
    assert call.body["tenantId"] == "tenant-1"
    assert call.body["channelData"] == {"tenant": {"id": "tenant-1"}}
    assert conversation_id == f"a:personal-{act.user_id('fay')}"
    async with db.sessions() as s:
        row = (await s.execute(select(Conversation))).scalar_one()
    assert (row.conversation_id, row.tenant_id, row.user_id) == (conversation_id, "tenant-1", act.user_id("fay"))
    assert row.person_id is not None


async def test_open_personal_chat_raises_when_teams_refuses(own_services, fake_connector, db):
    services = own_services
    # fail_next only scripts calls into a conversation; this one scripts POST /v3/conversations.
    fake_connector._failures.append(Failure(403, body={"error": {"code": "BotNotInConversationRoster"}},
                                            match=lambda method, conversation: conversation is None))
    with pytest.raises(OutboundError) as refused:
        await open_personal_chat(services, service_url=fake_connector.url, tenant_id="tenant-1",
                                 bot_id=act.BOT_ID, user_id=act.user_id("gil"))
    assert refused.value.status == 403
    async with db.sessions() as s:
        assert (await s.execute(select(Conversation))).first() is None


@pytest.mark.parametrize(("spoil", "recorded"), [
    (lambda a: a["conversation"].pop("id"), False),
    (lambda a: a["conversation"].update(id="a:" + "x" * 600), False),
    (lambda a: a["from"].update(id=""), False),
    (lambda a: a["from"].update(aadObjectId="y" * 100), False),
    (lambda a: a["channelData"].update(tenant="not-an-object"), True),
    (lambda a: a["channelData"].update(team="not-an-object"), True),
    (lambda a: a.update(channelData=["not", "an", "object"]), True),
])
async def test_odd_install_activities_are_answered_without_a_failed_turn(bot_client, fake_connector, db, caplog,
                                                                         spoil, recorded):
    activity = act.installation_add("odd", service_url=fake_connector.url, aad="aad-odd")
    spoil(activity)
    resp = await bot_client.post("/api/messages", json=activity)
    # Issue 9: missing, empty or oversized ids are refused at the edge (400), before anything is stored.
    assert resp.status == (201 if recorded else 400)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    async with db.sessions() as s:
        rows = (await s.execute(select(Conversation))).scalars().all()
    # Missing or oversized ids: ignored whole. An unreadable tenant or team: still a personal chat
    # (with no tenant allow-list configured; the edge refuses it when there is one).
    assert len(rows) == (1 if recorded else 0)
    assert len(fake_connector.delivered()) == len(rows)


async def test_odd_team_events_are_answered_without_a_failed_turn(bot_client, fake_connector, db, caplog):
    url = fake_connector.url
    odd = [act.team_bot_added("t2", service_url=url), act.channel_event("t2", "channelCreated", "c", service_url=url)]
    odd[0]["channelData"]["team"]["name"] = "N" * 1000
    odd[1]["channelData"]["channel"]["id"] = 42
    odd.append(act.channel_event("t2", "noSuchEvent", "c", service_url=url))
    for activity in odd:
        resp = await bot_client.post("/api/messages", json=activity)
        # Issue 9: an id that is not a string (the channel id 42) is refused at the edge.
        assert resp.status == (400 if activity is odd[1] else 201)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    async with db.sessions() as s:
        team = (await s.execute(select(Team))).scalar_one()
        channels = (await s.execute(select(Channel))).scalars().all()
    assert len(team.name) == 300
    assert [c.channel_id for c in channels] == [act.team_id("t2")]


async def test_links_by_object_id_whatever_its_case_in_teams(bot_client, fake_connector, db):
    # The roster import stores object ids lower-case; Teams may send them in capitals.
    await act.add_people(db, act.roster_person("dee@council.gov.uk", "Dee Dunn", "practice_manager",
                                               aad="0f0e0d0c-0000-4000-8000-00000000abcd"))
    await post(bot_client, act.installation_add("dee", service_url=fake_connector.url,
                                                aad="0F0E0D0C-0000-4000-8000-00000000ABCD"))
    row = await chat_row(db, "dee")
    assert row.person_id is not None and row.aad_object_id == "0f0e0d0c-0000-4000-8000-00000000abcd"
    [welcome] = fake_connector.delivered(act.personal_conversation_id("dee"))
    assert "Dee Dunn" in welcome.text


@pytest.mark.parametrize("listed", ["jo.bloggs_partner.org#EXT#@council.onmicrosoft.com", "Jo.Bloggs@partner.org"])
async def test_a_guest_is_linked_by_the_upn_or_their_home_address(bot_client, fake_connector, db, listed):
    # Teams gives a guest's email and their #EXT# userPrincipalName; the roster lists either.
    await act.add_people(db, act.roster_person(listed, "Jo Bloggs", "practitioner"))
    fake_connector.add_member(act.user_id("jo"), email="", name="Jo Bloggs", aad_object_id="aad-jo")
    fake_connector.members[act.user_id("jo")]["userPrincipalName"] = \
        "jo.bloggs_partner.org#EXT#@council.onmicrosoft.com"
    await post(bot_client, act.installation_add("jo", service_url=fake_connector.url, aad="aad-jo"))
    row = await chat_row(db, "jo")
    assert row.upn == "jo.bloggs_partner.org#ext#@council.onmicrosoft.com" and row.person_id is not None
    [welcome] = fake_connector.delivered(act.personal_conversation_id("jo"))
    assert "Jo Bloggs" in welcome.text


async def test_someone_whose_upn_the_roster_lists_is_linked_when_imported_later(bot_client, fake_connector, db):
    fake_connector.add_member(act.user_id("sam"), email="sam.patel@council.gov.uk", name="Sam Patel")
    fake_connector.members[act.user_id("sam")]["userPrincipalName"] = "SPatel@council.onmicrosoft.com"
    await post(bot_client, act.installation_add("sam", service_url=fake_connector.url, aad="aad-sam"))
    assert (await chat_row(db, "sam")).person_id is None
    await act.add_people(db, act.roster_person("spatel@council.onmicrosoft.com", "Sam Patel", "practitioner"))
    async with db.sessions.begin() as s:
        assert await link_conversations(s) == 1
    assert (await chat_row(db, "sam")).person_id is not None
