"""File consent that is slow, pressed twice, replayed, failing or forged, over HTTP against the
fake Bot Connector, on both databases. The Allow press (`fileConsent/invoke`) is answered before
the upload completes (the fake holds the upload: no sleeps); the consent card's message is changed
in place at once, so a second Allow uploads nothing more and sends no second file card; a replay
after the upload changes nothing; a failing upload is retried, then the person is told; a context
the bot did not sign is refused with 400 and nothing is uploaded."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot import file_consent
from bot.clock import fixed_clock
from bot.tick import tick
from capabilities.catalogue import default_duties
from dialogs.report_cards import FILE_CONSENT, FILE_INFO
from storage.models import OutboxMessage
from tests.support import activities as act
from tests.support.reports import add_history, add_people

SEVENTH = datetime(2026, 10, 7, 8, 5, tzinfo=timezone.utc)  # the monthly analysis goes out


@pytest.fixture
async def offer(db, services, fake_connector):
    """Nora's (a service lead's) monthly analysis, offered through a file consent card: the consent
    attachment as Teams shows it (signed by the bot) and the activity id of its message."""
    people = await add_people(db, service_url=fake_connector.url)
    await add_history(db, people)
    services.clock = fixed_clock(SEVENTH)
    await tick(services, SEVENTH, wait_retries=0, duties=default_duties(services.settings))
    [call, *_] = [c for c in fake_connector.delivered(chat()) if consent_of(c)]
    async with db.sessions() as session:
        activity_id = await session.scalar(select(OutboxMessage.activity_id).where(
            OutboxMessage.person_id == people["Nora"], OutboxMessage.kind == "audit-report")
            .order_by(OutboxMessage.id).limit(1))
    fake_connector.clear()
    yield consent_of(call), activity_id
    await file_consent.settled()  # no upload left running past the test


def chat() -> str:
    return act.personal_conversation_id("Nora")


def consent_of(call) -> dict | None:
    return next((a for a in call.activity.get("attachments") or [] if a["contentType"] == FILE_CONSENT), None)


def allow(fake, consent: dict, reply_to: str | None, *, context: dict | None = None) -> dict:
    """The invoke Teams posts when Nora presses Allow on `consent` (a new upload URL each time)."""
    activity = act._personal("invoke", "Nora", fake.url, None, "Nora Example", act.TENANT)
    activity["name"] = "fileConsent/invoke"
    activity["value"] = fake.consent_answer(consent)
    if context is not None:
        activity["value"]["context"] = context
    if reply_to:
        activity["replyToId"] = reply_to
    return activity


def file_cards(fake) -> list[dict]:
    return [a for c in fake.delivered(chat()) for a in c.activity.get("attachments") or []
            if a["contentType"] == FILE_INFO]


async def test_allow_is_answered_before_the_upload_and_a_second_press_or_a_replay_changes_nothing(
        offer, bot_client, fake_connector):
    consent, activity_id = offer
    assert consent["content"]["acceptContext"]["_sig"]  # the context is signed like card data
    release = fake_connector.hold_uploads()  # OneDrive is slow: the upload waits until released
    first = allow(fake_connector, consent, activity_id)
    resp = await bot_client.post("/api/messages", json=first)
    assert resp.status == 200
    assert not fake_connector.uploads and not file_cards(fake_connector)  # answered before the upload
    # The upload arrives (and waits); the consent card's message was changed in place first.
    await fake_connector.wait_for(lambda f: f.upload_attempts and f.updates(chat()))
    [update] = fake_connector.updates(chat())
    assert update.activity_id == activity_id
    assert [a["contentType"] for a in update.activity["attachments"]] == ["application/vnd.microsoft.card.adaptive"]
    shown = json.dumps(update.activity["attachments"][0]["content"])
    assert "Saving audit-analysis-2026-09-north.xlsx to your OneDrive" in shown and "Allocated" in shown

    # Allow pressed again while the upload runs (Teams gave up waiting on the first): nothing more.
    resp = await bot_client.post("/api/messages", json=allow(fake_connector, consent, activity_id))
    assert resp.status == 200
    release.set()
    await file_consent.settled()
    assert len(fake_connector.upload_attempts) == 1 and len(fake_connector.uploads) == 1
    [info] = file_cards(fake_connector)
    [upload] = fake_connector.uploads.values()
    assert info["content"]["uniqueId"] == upload.name and info["name"] == "audit-analysis-2026-09-north.xlsx"
    assert len(fake_connector.updates(chat())) == 1

    # Teams replays the first invoke after the upload finished: done already, nothing changes.
    calls = len(fake_connector.calls)
    resp = await bot_client.post("/api/messages", json=first)
    assert resp.status == 200
    await file_consent.settled()
    assert len(fake_connector.calls) == calls and len(fake_connector.uploads) == 1 and len(file_cards(fake_connector)) == 1


async def test_a_failing_upload_is_retried_then_the_person_is_told(offer, bot_client, fake_connector, monkeypatch):
    monkeypatch.setattr(file_consent, "RETRY_DELAYS", (0.0, 0.0))
    consent, activity_id = offer
    fake_connector.fail_uploads(503, times=3)
    resp = await bot_client.post("/api/messages", json=allow(fake_connector, consent, activity_id))
    assert resp.status == 200
    await file_consent.settled()
    assert len(fake_connector.upload_attempts) == 3 and not fake_connector.uploads and not file_cards(fake_connector)
    [told] = fake_connector.delivered(chat())
    assert "couldn't save the file to your OneDrive: it failed 3 times" in told.all_text()
    assert "audit-analysis-2026-09-north.xlsx" in told.all_text()


async def test_an_upload_that_fails_once_is_retried_and_sent(offer, bot_client, fake_connector, monkeypatch):
    monkeypatch.setattr(file_consent, "RETRY_DELAYS", (0.0, 0.0))
    consent, activity_id = offer
    fake_connector.fail_uploads(500)
    resp = await bot_client.post("/api/messages", json=allow(fake_connector, consent, activity_id))
    assert resp.status == 200
    await file_consent.settled()
    assert len(fake_connector.upload_attempts) == 2 and len(fake_connector.uploads) == 1
    assert len(file_cards(fake_connector)) == 1
    assert "couldn't save" not in json.dumps([c.activity for c in fake_connector.delivered(chat())])


def forged(context: dict) -> list[dict]:
    unsigned = {k: v for k, v in context.items() if k not in ("_s", "_sig")}
    return [unsigned,
            {**context, "period": "2026-08"},  # another month under the same signature
            {**context, "report": "annual"},
            {**context, "_sig": "é" * 32},  # not ASCII: refused, not a crash
            {**context, "_sig": "0" * 32}]


@pytest.mark.parametrize("case", range(5))
async def test_a_forged_or_unsigned_consent_context_is_refused(offer, bot_client, fake_connector, case):
    consent, activity_id = offer
    context = forged(consent["content"]["acceptContext"])[case]
    resp = await bot_client.post("/api/messages", json=allow(fake_connector, consent, activity_id, context=context))
    assert resp.status == 400
    assert "not signed" in json.dumps(await resp.json())
    await file_consent.settled()
    assert not fake_connector.upload_attempts and not fake_connector.delivered(chat())
    assert not fake_connector.updates(chat())
