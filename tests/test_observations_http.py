"""Observations and feedback over HTTP through the real app (on both databases): `observe` and
`feedback` begin their dialogs, `cancel` leaves with nothing saved, an hour idle ends politely,
`observe <name>` (the practice-week button's words) skips whom, the supervisee's notice is
delivered and their reflection saved through the card's button (re-checked on the server)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.sender import OutboxSender
from capabilities.catalogue import registry
from capabilities.observations import feedback, flow, observe, walk
from dialogs import observation_cards as oc
from dialogs.conversation import EXPIRED, STOPPED
from qa.identifiers import DATE_KEPT
from qa.observations import AREAS
from storage.models import FeedbackEntry, FloorWalk, Observation
from tests.support import activities as act
from tests.support.observations import NOW, add_roster


@pytest.fixture
async def ids(db, services):
    services.clock = lambda: NOW
    return await add_roster(db)


async def say(client, fake, key: str, text: str) -> tuple[str, list[str], list[dict]]:
    """Type a message as `key`: the one reply's text, its hero-card buttons, its adaptive cards."""
    fake.clear()
    resp = await client.post("/api/messages", json=act.message(key, text, service_url=fake.url, aad=f"aad-{key}"))
    assert resp.status == 201
    [reply] = fake.delivered(act.personal_conversation_id(key))
    attachments = reply.activity.get("attachments") or []
    hero = [a["content"] for a in attachments if a["contentType"] == "application/vnd.microsoft.card.hero"]
    if hero:
        return hero[0]["text"], [b["value"] for b in hero[0].get("buttons", [])], []
    return reply.activity.get("text") or "", [], reply.cards


async def press(client, fake, key: str, verb: str, data: dict) -> dict:
    activity = act.card_action(key, verb, data, service_url=fake.url, aad=f"aad-{key}")
    resp = await client.post("/api/messages", json=activity)
    assert resp.status == 200
    return await resp.json()


async def saved(db, model) -> list:
    async with db.sessions() as session:
        return list((await session.scalars(select(model))).all())


async def test_an_observation_then_the_supervisees_reflection(bot_client, fake_connector, services, db, ids):
    for key in ("ann", "bob"):  # their chats are known, so they can be written to and press buttons
        await say(bot_client, fake_connector, key, "whoami")
    text, buttons, _ = await say(bot_client, fake_connector, "pam", "observe")
    assert text.startswith(observe.WHOM_Q) and "Ann Archer" in buttons
    for answer in ("Ann Archer", "Today", AREAS[0], "Child-led and warm", "Explain the plan sooner",
                   "Read the practice guide", "Done"):
        text, buttons, _ = await say(bot_client, fake_connector, "pam", answer)
    assert buttons == ["Save"]
    text, _, _ = await say(bot_client, fake_connector, "pam", "Save")
    assert text == flow.OBSERVATION_SAVED.format(name="Ann Archer")
    [row] = await saved(db, Observation)
    fake_connector.clear()
    await OutboxSender(services).deliver_due(NOW + timedelta(days=1), wait_retries=0)
    [notice] = fake_connector.delivered(act.personal_conversation_id("ann"))
    [card] = notice.cards
    assert card["actions"][0]["verb"] == oc.REFLECT and "Read the practice guide" in json.dumps(card)
    # Bob may not reflect on Ann's observation; Ann may, once, without identifiers.
    body = await press(bot_client, fake_connector, "bob", oc.REFLECT,
                       {"observation_id": row.id, oc.REFLECTION: "Mine"})
    assert "not yours" in json.dumps(body)
    body = await press(bot_client, fake_connector, "ann", oc.REFLECT,
                       {"observation_id": row.id, oc.REFLECTION: "Visit at SO14 7DU went well"})
    assert "a postcode" in json.dumps(body)
    body = await press(bot_client, fake_connector, "ann", oc.REFLECT,
                       {"observation_id": row.id, oc.REFLECTION: "I will use the guide next time"})
    assert "I will use the guide next time" in json.dumps(body) and "Action.Execute" not in json.dumps(body)
    [row] = await saved(db, Observation)
    assert row.reflection == "I will use the guide next time"
    body = await press(bot_client, fake_connector, "ann", oc.REFLECT,
                       {"observation_id": row.id, oc.REFLECTION: "Again"})
    assert "already saved" in json.dumps(body)


async def test_observe_with_a_name_cancel_and_expiry(bot_client, fake_connector, services, db, ids):
    text, _, _ = await say(bot_client, fake_connector, "pam", "Observe Bob Baker")
    assert text == observe.WHEN_Q
    assert (await say(bot_client, fake_connector, "pam", "cancel"))[0] == STOPPED
    await say(bot_client, fake_connector, "pam", "observe")
    services.clock = lambda: NOW + timedelta(minutes=61)
    assert (await say(bot_client, fake_connector, "pam", "Ann Archer"))[0] == EXPIRED
    assert await saved(db, Observation) == []


async def test_feedback_over_http_and_a_complaint_delivered_at_once(bot_client, fake_connector, services, db, ids):
    await say(bot_client, fake_connector, "quinn", "whoami")
    text, buttons, _ = await say(bot_client, fake_connector, "ann", "feedback")
    assert text == feedback.SOURCE_Q
    for answer in ("Parent or carer", "Children in Care", "Team North", "CD-1", "Complaint", "Phone call",
                   "1 Very unhappy", "Nobody called back", "Save"):
        text, _, _ = await say(bot_client, fake_connector, "ann", answer)
    assert text.startswith(flow.FEEDBACK_SAVED_AT_ONCE.format(kind="complaint"))
    assert "statutory complaints procedure" in text
    [entry] = await saved(db, FeedbackEntry)
    assert (entry.rating, entry.case_ref) == (1, "CD-1")
    fake_connector.clear()
    await OutboxSender(services).deliver_due(NOW, wait_retries=0)
    [alert] = fake_connector.delivered(act.personal_conversation_id("quinn"))
    assert "Nobody called back" in json.dumps(alert.cards)
    assert "Complaint recorded" in json.dumps(alert.cards) and "statutory complaints procedure" in json.dumps(alert.cards)


def test_words_after_a_conversations_command_are_its_argument():
    from capabilities.catalogue import registry

    entry, rest = registry().dialog_with_argument("observe sam patel")
    assert (entry.dialog_id, rest) == (observe.DIALOG, "sam patel")
    entry, rest = registry().dialog_with_argument("give feedback audit 12")  # the longest word wins
    assert (entry.dialog_id, rest) == (feedback.DIALOG, "audit 12")
    assert registry().dialog_with_argument("observations now") is None  # a command without a dialog
    assert registry().dialog_with_argument("observe") is None


@pytest.mark.parametrize(("key", "command", "answer"), [("ann", "feedback", "Staff member"),
                                                        ("hal", "walk", "Team North")])
async def test_cancel_and_expiry_leave_each_conversation_with_nothing_saved(bot_client, fake_connector, services, db,
                                                                           ids, key, command, answer):
    await say(bot_client, fake_connector, key, command)
    await say(bot_client, fake_connector, key, answer)
    assert (await say(bot_client, fake_connector, key, "stop"))[0] == STOPPED
    await say(bot_client, fake_connector, key, command)
    services.clock = lambda: NOW + timedelta(hours=1)
    assert (await say(bot_client, fake_connector, key, answer))[0] == EXPIRED
    assert await saved(db, FeedbackEntry) == [] and await saved(db, FloorWalk) == []


async def test_a_walk_over_http(bot_client, fake_connector, db, ids):
    text, buttons, _ = await say(bot_client, fake_connector, "hal", "walked the floor")
    assert text == walk.TEAM_Q
    for answer in ("Team North", "Today", "Workload", "Done", walk.NO_NOTE):
        text, buttons, _ = await say(bot_client, fake_connector, "hal", answer)
    assert buttons == ["Save"]
    assert (await say(bot_client, fake_connector, "hal", "Save"))[0] == flow.WALK_SAVED
    [row] = await saved(db, FloorWalk)
    assert row.themes == ["Workload"]
    # A practice manager is told whom it is for before the walk begins (the dialog's own refusal,
    # flow.NOT_SENIOR, is tested in tests/test_walk_dialog.py); nothing more is saved.
    text, _, _ = await say(bot_client, fake_connector, "pam", "walk")
    assert text == registry().commands["walk"].for_whom()
    assert len(await saved(db, FloorWalk)) == 1


async def test_feedback_refuses_identifiers_as_case_refs_and_asks_about_a_date_over_http(bot_client, fake_connector,
                                                                                          db, ids):
    """The case-reference box takes only a case reference in the council's format; a date on its
    own in what was said is questioned, and kept only when the person taps Keep it."""
    for answer in ("feedback", "Parent or carer", "Children in Care", "Team North"):
        text, _, _ = await say(bot_client, fake_connector, "ann", answer)
    assert text == feedback.CASE_Q
    # A postcode, a valid NHS number, a date of birth, a name: none is a case reference.
    for bad, why in (("SW1A1AA", "postcode"), ("9434765919", "NHS number"), ("DOB12/03/2015", "date"),
                     ("JAYDENSMITH", "no digits")):
        text, _, _ = await say(bot_client, fake_connector, "ann", bad)
        assert why in text and bad not in text and text.endswith(feedback.CASE_Q), bad
    for answer in ("CD-4810037", "Compliment", "Conversation", "5 Very happy"):
        text, _, _ = await say(bot_client, fake_connector, "ann", answer)
    assert text.startswith(feedback.SAID_Q)
    text, _, _ = await say(bot_client, fake_connector, "ann", "They moved to 14 Elm Road")
    assert "a street address" in text and "Elm" not in text
    said = "The visit on 12/03/2025 helped a lot"
    text, buttons, _ = await say(bot_client, fake_connector, "ann", said)
    assert "If it is a date of birth, please remove it" in text and DATE_KEPT in buttons
    text, _, _ = await say(bot_client, fake_connector, "ann", DATE_KEPT)
    assert text.startswith("Please check, then tap Save") and said in text
    await say(bot_client, fake_connector, "ann", "Save")
    [entry] = await saved(db, FeedbackEntry)
    assert (entry.case_ref, entry.said) == ("CD-4810037", said)
