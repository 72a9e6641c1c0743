"""The served bot with tests/support/supervision.py's roster, for the workforce duties' HTTP tests (the ASYE year,
appraisals, renewals, personal development plans): everyone installed the app and came on record on Monday 2
November 2026; the supervision register has started. `service` is a fixture (import it into the test module)."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from bot.clock import fixed_clock
from bot.tick import tick
from dialogs import card_tree
from dialogs.workforce_cards import Verb
from qa.calendar import WorkingCalendar
from storage.models import OutboxMessage, Person
from storage.roster import import_roster
from storage.supervision import import_sessions
from tests.support import activities as act
from tests.support.supervision import KEYS, NAMES, SESSION_COLUMNS, aad, at, write_csv, write_roster

CAL = WorkingCalendar()


def headings(call) -> list[str]:
    return [node["text"] for node in card_tree.nodes(call.cards)
            if node.get("type") == "TextBlock" and node.get("style") == "heading"] or [call.text]


class Service:
    def __init__(self, client, fake, services) -> None:
        self.client, self.fake, self.services = client, fake, services
        self.ids: dict[str, int] = {}
        self.mark = 0

    def received(self) -> dict[str, list[str]]:
        calls, self.mark = self.fake.calls[self.mark:], len(self.fake.calls)
        owners = {act.personal_conversation_id(k): k for k in KEYS}
        seen: dict[str, list[str]] = {}
        for call in calls:
            if call.method == "POST" and "/activities" in call.path and call.status < 300:
                seen.setdefault(owners[call.conversation_id], []).extend(headings(call))
        return seen

    async def tick(self, now: datetime) -> dict[str, list[str]]:
        self.services.clock = fixed_clock(now)
        report = await tick(self.services, now, wait_retries=0)
        assert report.sweep.failed == []
        return self.received()

    def last_card(self, key: str) -> dict:
        return self.fake.delivered(act.personal_conversation_id(key))[-1].cards[0]

    async def press(self, key: str, data: dict, reply_to: str, now: datetime, verb: str = Verb.ASYE_HELD) -> dict:
        self.services.clock = fixed_clock(now)
        activity = act.card_action(key, verb, data, service_url=self.fake.url, aad=aad(key), name=NAMES[key])
        activity["replyToId"] = reply_to
        resp = await self.client.post("/api/messages", json=activity)
        assert resp.status == 200, await resp.text()
        body = await resp.json()
        assert body["statusCode"] == 200, body
        return body["value"]

    async def sent_id(self, kind: str, key: str) -> str:
        async with self.services.db.sessions() as session:
            row = (await session.execute(select(OutboxMessage).where(
                OutboxMessage.kind == kind, OutboxMessage.person_id == self.ids[key], OutboxMessage.state == "sent")
                .order_by(OutboxMessage.id.desc()))).scalars().first()
        assert row is not None and row.activity_id
        return row.activity_id


@pytest.fixture
async def service(services, fake_connector, bot_client, tmp_path) -> Service:
    s = Service(bot_client, fake_connector, services)
    await import_roster(services.db, write_roster(tmp_path / "roster.csv"), at("2026-11-02T09:00"))
    async with services.db.sessions() as session:
        s.ids = {p.email.split("@")[0]: p.id for p in (await session.execute(select(Person))).scalars()}
    services.clock = fixed_clock(at("2026-11-30T10:00"))
    for key in KEYS:
        resp = await bot_client.post("/api/messages", json=act.installation_add(
            key, service_url=fake_connector.url, aad=aad(key), name=NAMES[key]))
        assert resp.status == 201
    s.received()
    # The supervision register has started (the digest waits for it).
    history = [["ben@example.gov.uk", "pm@example.gov.uk", "one_to_one", "2026-11-30", "90", ""]]
    await import_sessions(services.db, write_csv(tmp_path / "h.csv", SESSION_COLUMNS, history), at("2026-11-30T12:00"),
                          CAL.tz)
    return s
