"""The small service of the case supervision exemption tests (tests/test_exemptions*_http.py): the supervision
roster (tests/support/supervision.py) with every chat installed, Ana's and Ben's 1:1s and Pia's recorded, and Ana's
caseload CR-1001 and CR-1002, last supervised 20 October 2026."""
from __future__ import annotations

import json

from sqlalchemy import select

from bot.clock import fixed_clock
from storage.models import OutboxMessage
from storage.roster import import_roster
from storage.supervision import import_caseload, import_sessions
from tests.support import activities as act
from tests.support.supervision import CASELOAD_COLUMNS, NAMES, SESSION_COLUMNS, aad, at, write_csv, write_roster


def email(key: str) -> str:
    return f"{key}@example.gov.uk"


class Desk:
    def __init__(self, client, fake, services) -> None:
        self.client, self.fake, self.services = client, fake, services

    def at(self, now) -> None:
        self.services.clock = fixed_clock(now)

    async def say(self, key: str, words: str, now) -> tuple[str, dict | None]:
        self.at(now)
        resp = await self.client.post("/api/messages", json=act.message(
            key, words, service_url=self.fake.url, aad=aad(key), name=NAMES[key]))
        assert resp.status in (200, 201), await resp.text()
        answer = self.fake.delivered(act.personal_conversation_id(key))[-1]
        return answer.text, (answer.cards[0] if answer.cards else None)

    async def digest(self) -> OutboxMessage:
        async with self.services.db.sessions() as session:
            return (await session.execute(select(OutboxMessage).where(
                OutboxMessage.kind == "supervision-digest").order_by(OutboxMessage.id.desc()))).scalars().first()


async def set_up(services, fake, client, tmp_path) -> Desk:
    d = Desk(client, fake, services)
    await import_roster(services.db, write_roster(tmp_path / "roster.csv"), at("2026-11-02T09:00"))
    d.at(at("2026-11-30T10:00"))
    for key in NAMES:
        resp = await client.post("/api/messages", json=act.installation_add(key, service_url=fake.url, aad=aad(key),
                                                                            name=NAMES[key]))
        assert resp.status == 201, await resp.text()
    history = [[email("pm"), email("lead"), "one_to_one", "2026-11-30", "90", ""],
               [email("ana"), email("pm"), "one_to_one", "2026-12-10", "90", ""],
               [email("ben"), email("pm"), "one_to_one", "2026-12-14", "90", ""]]
    now = at("2026-12-15T12:00")
    await import_sessions(services.db, write_csv(tmp_path / "h.csv", SESSION_COLUMNS, history), now,
                          services.context.calendar.tz)
    caseload = [["CR-1001", email("ana"), "2026-10-20"], ["CR-1002", email("ana"), "2026-10-20"]]
    await import_caseload(services.db, write_csv(tmp_path / "c.csv", CASELOAD_COLUMNS, caseload), now,
                          services.context.calendar.tz)
    return d


def shown(card: dict | None) -> str:
    return json.dumps(card, ensure_ascii=False)
