"""A broadcast's report card in chat (issue 20 item 3), over HTTP against the fake Bot Connector, on
both databases: **Correct** (the command line's `broadcast correct`: sent cards updated in place) and
**Cancel the rest**, each one trail row with who pressed; **Recipients (Excel)** through the file
consent card for the QA unit and the broadcast's author, refused to anyone else."""
from __future__ import annotations

import io
import json

import openpyxl
from sqlalchemy import select, update

from bot import file_consent
from bot.sender import OutboxSender
from capabilities.broadcasts import flow
from dialogs.broadcast_cards import CORRECT_MESSAGE, CORRECT_TITLE, Verb, broadcast_report_card
from dialogs.report_cards import FILE_CONSENT
from storage.models import Broadcast, OutboxMessage, TrailEvent
from tests.support import activities as act
from tests.support.broadcasts import NOW, add_people, chat_of
from tests.support.cards import buttons

COUNT = 12  # person 0 is on the QA unit, person 4 a service lead, person 1 a practitioner


async def post(client, activity: dict) -> dict:
    resp = await client.post("/api/messages", json=activity)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def a_broadcast(services, db, fake_connector) -> tuple[dict[int, int], int]:
    people = await add_people(db, fake_connector.url, COUNT)
    services.clock = lambda: NOW
    sent = await flow.send(services.context, people[0], flow.Draft("Practice week", "First words", ["everyone"]),
                           now=NOW, via="test")
    await OutboxSender(services).deliver_due(NOW, wait_retries=0)
    return people, sent.broadcast_id


def press(n: int, verb: str, data: dict, fake) -> dict:
    return act.card_action(str(n), verb, data, service_url=fake.url)


async def test_correct_and_cancel_from_the_report_card(services, db, bot_client, fake_connector):
    people, broadcast_id = await a_broadcast(services, db, fake_connector)
    from capabilities.broadcasts import views

    card = broadcast_report_card(await views.report_view(services.context, broadcast_id, NOW), services.context.calendar.tz)
    assert {verb for _, verb, _ in buttons(card)} >= {Verb.RECIPIENTS, Verb.CORRECT, Verb.REFRESH}
    ids = {"broadcast_id": broadcast_id}

    refused = await post(bot_client, press(1, Verb.CORRECT, {**ids, CORRECT_MESSAGE: "Other words"}, fake_connector))
    assert "Broadcasts are for the QA unit" in json.dumps(refused)
    bad = await post(bot_client, press(0, Verb.CORRECT, {**ids, CORRECT_MESSAGE: "Ring 07700 900123"}, fake_connector))
    assert "Nothing was changed" in json.dumps(bad)
    answer = await post(bot_client, press(0, Verb.CORRECT, {**ids, CORRECT_MESSAGE: "Corrected words",
                                                            CORRECT_TITLE: ""}, fake_connector))
    assert "Broadcast: Practice week" in json.dumps(answer)
    async with db.sessions() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        updates = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "broadcast-update"))).all()
        trail = (await session.execute(select(TrailEvent.action, TrailEvent.actor_id, TrailEvent.via).where(
            TrailEvent.subject_type == "broadcast", TrailEvent.action != "broadcast_queued"))).all()
    assert broadcast.message == "Corrected words" and broadcast.title == "Practice week"
    assert len(updates) == COUNT  # every sent card updated in place
    assert trail == [("broadcast_corrected", people[0], "card:broadcast.correct")]

    answer = await post(bot_client, press(0, Verb.CANCEL, ids, fake_connector))
    assert "(cancelled)" in json.dumps(answer)
    async with db.sessions() as session:
        cancelled = (await session.execute(select(TrailEvent.actor_id).where(
            TrailEvent.action == "broadcast_cancelled"))).scalars().all()
    assert cancelled == [people[0]]


async def accept(bot_client, fake, n: int, consent: dict):
    activity = act._personal("invoke", str(n), fake.url, None, f"Person {n}", act.TENANT)
    activity["name"] = "fileConsent/invoke"
    activity["value"] = fake.consent_answer(consent, "accept")
    activity["replyToId"] = "1:consent-card"
    resp = await bot_client.post("/api/messages", json=activity)
    await file_consent.settled()
    return resp


async def test_recipients_for_the_qa_unit_and_the_author(services, db, bot_client, fake_connector):
    people, broadcast_id = await a_broadcast(services, db, fake_connector)
    async with db.sessions.begin() as session:  # person 4, a service lead, wrote it (the QA unit may too)
        await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(created_by_id=people[4]))
    ids = {"broadcast_id": broadcast_id}
    for n in (0, 4):
        fake_connector.clear()
        fake_connector.uploads.clear()
        answer = await post(bot_client, press(n, Verb.RECIPIENTS, ids, fake_connector))
        assert "sending the workbook" in json.dumps(answer)
        [offer] = fake_connector.delivered(chat_of(n))
        [consent] = [a for a in offer.activity["attachments"] if a["contentType"] == FILE_CONSENT]
        assert consent["name"] == f"broadcast-{broadcast_id}-recipients.xlsx"
        assert (await accept(bot_client, fake_connector, n, consent)).status == 200
        [upload] = fake_connector.uploads.values()
        sheet = openpyxl.load_workbook(io.BytesIO(upload.data))["Recipients"]
        assert sheet.max_row == COUNT + 1
    refused = await post(bot_client, press(1, Verb.RECIPIENTS, ids, fake_connector))
    assert "for its author and the QA unit" in json.dumps(refused)
    fake_connector.uploads.clear()
    assert (await accept(bot_client, fake_connector, 1, consent)).status == 200
    assert not fake_connector.uploads
    async with db.sessions() as session:
        trail = (await session.execute(select(TrailEvent.action, TrailEvent.actor_id).where(
            TrailEvent.action.like("broadcast_recipients%")))).all()
    assert sorted(trail) == sorted([("broadcast_recipients_asked", people[0]), ("broadcast_recipients_exported", people[0]),
                                    ("broadcast_recipients_asked", people[4]), ("broadcast_recipients_exported", people[4])])
