"""File consent over a slow upload link: how long the Allow press (`fileConsent/invoke`) waits
for its answer while the workbook's upload to OneDrive takes --upload-seconds (12 by default, the
link that made Teams show "Something went wrong" at about 10 s), and when the file card follows.

In this process, on a migrated SQLite database: a QA-unit member with a personal chat, the
served app (bot/app.py, no scheduler) over HTTP, the fake Bot Connector whose upload URL takes
--upload-seconds to answer. The bot signs the consent card's context as it does when it sends it;
Allow is pressed --presses times on the same card (a person who saw the spinner and pressed again).
Reported: each answer's status and time, the uploads made and the file cards sent.
Run: python -m bench.consent [--upload-seconds 12] [--presses 2]
"""
from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import insert

from bench.common import machine, today
from devtools.fake_connector import FakeConnector

TENANT = "tenant-1"
NOW = datetime(2026, 12, 7, 10, tzinfo=timezone.utc)
CHAT = "a:personal-qa"
CONTEXT = {"offer": "report", "report": "register", "period": "2025-12..2026-11"}
NAME = "audit-register-2025-12-to-2026-11.xlsx"


def allow(service_url: str, value: dict, n: int) -> dict:
    return {"type": "invoke", "name": "fileConsent/invoke", "id": f"invoke-{n}", "channelId": "msteams",
            "serviceUrl": service_url, "timestamp": "2026-12-07T10:00:00.000Z", "locale": "en-GB",
            "from": {"id": "29:user-qa", "name": "Quinn Example"}, "recipient": {"id": "28:bot-id", "name": "QA"},
            "conversation": {"id": CHAT, "conversationType": "personal", "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}}, "replyToId": "1:consent-card", "value": value}


async def run(upload_seconds: float, presses: int) -> dict:
    from bot import file_consent
    from bot.app import create_app
    from bot.clock import fixed_clock
    from bot.services import Services
    from bot.settings import Settings
    from dialogs.report_cards import FILE_INFO, file_consent_attachment
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.models import Conversation, Person

    fake = await FakeConnector().start()
    fake.upload_delay = upload_seconds
    with tempfile.TemporaryDirectory() as work:
        db = Database(f"sqlite:///{Path(work) / 'bench.sqlite3'}")
        await upgrade(db.engine)
        async with db.sessions.begin() as s:
            person_id = (await s.execute(insert(Person.__table__).returning(Person.__table__.c.id), [
                {"email": "quinn@bench.example", "display_name": "Quinn Example", "role": "qa_unit", "team": "QA",
                 "service_area": "", "registered": True, "created_at": NOW, "updated_at": NOW}])).scalar_one()
            await s.execute(insert(Conversation.__table__), [
                {"conversation_id": CHAT, "tenant_id": TENANT, "service_url": fake.url, "bot_id": "28:bot-id",
                 "user_id": "29:user-qa", "person_id": person_id, "reference": {},
                 "installed_at": NOW - timedelta(days=7)}])
        services = Services.create(Settings(database_url=db.url), db=db, clock=fixed_clock(NOW))
        signed = services.signer.sign(file_consent_attachment(NAME, "Audit register", 10_000, CONTEXT)["content"])
        consent = {"contentType": "application/vnd.microsoft.teams.card.file.consent", "name": NAME, "content": signed}
        client = TestClient(TestServer(create_app(services.settings, services, run_scheduler=False)))
        await client.start_server()
        answers = []
        began = time.perf_counter()
        try:
            for n in range(presses):
                started = time.perf_counter()
                resp = await client.post("/api/messages", json=allow(fake.url, fake.consent_answer(consent), n))
                answers.append((resp.status, time.perf_counter() - started))
            await file_consent.settled()
            done = time.perf_counter() - began
        finally:
            await client.close()
            await fake.stop()
            await db.dispose()
    cards = [a for c in fake.delivered(CHAT) for a in c.activity.get("attachments") or [] if a["contentType"] == FILE_INFO]
    return {"answers": answers, "uploads": len(fake.uploads), "file_cards": len(cards), "done": done}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--upload-seconds", type=float, default=12.0)
    parser.add_argument("--presses", type=int, default=2)
    args = parser.parse_args()
    result = asyncio.run(run(args.upload_seconds, args.presses))
    print(f"file consent, upload taking {args.upload_seconds:g} s ({machine()}, {today()}):")
    for n, (status, seconds) in enumerate(result["answers"], start=1):
        print(f"  Allow press {n}: answered {status} in {seconds * 1000:.0f} ms")
    print(f"  uploads: {result['uploads']}, file cards sent: {result['file_cards']}, "
          f"file card sent {result['done']:.1f} s after the first press")


if __name__ == "__main__":
    main()
