"""Identity from `from`, always: in someone's personal chat, a typed command or a press carrying
another sender's `from.id` is answered as that sender (by their own Entra object id) or as
someone not on the roster, never as the chat's owner; and it neither links nor moves the chat."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from devtools.fake_connector import FakeConnector
from storage.models import Conversation
from tests.support import activities as act
from tests.support import observations
from tests.support.audit_cycle import Case, allocate

OWNER = "pam"  # a practice manager: Ann, Bob and Cat are her supervisees; CR-7001 is her audit


@pytest.fixture
async def pams_chat(db, bot_client, fake_connector) -> dict[str, int]:
    people = await observations.add_roster(db)
    now = datetime.now(UTC)
    await allocate(db, people, f"{now.year}-{now.month:02d}", [Case("CR-7001", OWNER, "ann")])
    resp = await bot_client.post("/api/messages", json=act.installation_add(
        OWNER, service_url=fake_connector.url, aad=f"aad-{OWNER}"))
    assert resp.status == 201
    return people


def in_pams_chat(activity: dict, sender: dict) -> dict:
    activity["from"] = sender
    return activity


STRANGER = {"id": "29:user-stranger", "name": "Somebody"}  # no object id: not on the roster
ZOE = {"id": act.user_id("zoe"), "name": "Zoe Other", "aadObjectId": "aad-zoe"}  # on the roster, in no line with Pam


async def said_in_pams_chat(bot_client, fake_connector, text: str, sender: dict) -> str:
    fake_connector.clear()
    resp = await bot_client.post("/api/messages", json=in_pams_chat(
        act.message(OWNER, text, service_url=fake_connector.url), sender))
    assert resp.status == 201
    return "\n".join(call.all_text() for call in fake_connector.delivered(act.personal_conversation_id(OWNER)))


@pytest.mark.parametrize("text, owners", [
    ("whoami", ["Pam Manager", "Sal Lead"]),  # her name, and her supervisor's
    ("my audits", ["CR-7001"]),
    ("supervision", ["Ann Archer", "Bob Baker", "Cat Cole"]),
    ("observations", ["Ann Archer", "Cat Cole"]),
])
async def test_a_stranger_in_someones_chat_is_not_answered_as_its_owner(
        bot_client, fake_connector, pams_chat, text, owners):
    owner_sees = await said_in_pams_chat(bot_client, fake_connector, text,
                                         {"id": act.user_id(OWNER), "aadObjectId": f"aad-{OWNER}"})
    assert all(item in owner_sees for item in owners)  # what the owner is shown (so the check can fail)
    answered = await said_in_pams_chat(bot_client, fake_connector, text, STRANGER)
    assert answered and not [item for item in owners if item in answered]


async def test_another_roster_person_in_someones_chat_is_answered_as_themselves(
        bot_client, fake_connector, pams_chat):
    answered = await said_in_pams_chat(bot_client, fake_connector, "whoami", ZOE)
    assert "Zoe Other" in answered and "Pam Manager" not in answered


async def test_a_stranger_in_someones_chat_neither_links_nor_moves_it(bot_client, fake_connector, db, pams_chat):
    async def chat() -> Conversation:
        async with db.sessions() as session:
            return (await session.scalars(select(Conversation).where(
                Conversation.conversation_id == act.personal_conversation_id(OWNER)))).one()

    before = await chat()
    elsewhere = await FakeConnector().start()  # another serviceUrl, as a moved tenant's
    try:
        activity = in_pams_chat(act.message(OWNER, "whoami", service_url=elsewhere.url), ZOE)
        resp = await bot_client.post("/api/messages", json=activity)
        assert resp.status == 201
    finally:
        await elsewhere.stop()
    after = await chat()
    assert (after.person_id, after.user_id, after.service_url, after.reference) == \
        (before.person_id, before.user_id, before.service_url, before.reference) == \
        (pams_chat[OWNER], act.user_id(OWNER), fake_connector.url, before.reference)


async def test_a_press_from_another_sender_in_someones_chat_is_not_the_owners(bot_client, fake_connector, pams_chat):
    activity = in_pams_chat(act.card_action(OWNER, "basics.whoami", service_url=fake_connector.url), STRANGER)
    resp = await bot_client.post("/api/messages", json=activity)
    body = json.dumps(await resp.json())
    assert resp.status == 200 and "Pam Manager" not in body and "not on the QA roster" in body
