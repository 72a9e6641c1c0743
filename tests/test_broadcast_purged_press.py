""""I've read this" pressed on a notice whose broadcast the retention purge has since deleted, over
HTTP through the served app and the fake Bot Connector, on both databases.

This is what broke the Playground's broadcast test (tests/e2e/test_broadcast.py): the notice went by
the real clock, the next tick ran in the demo's December 2099, and that tick's chaser duty sent a
chaser and its retention duty then purged the 73-year-old broadcast (400 days), its recipients and
its outbox rows. The press found no broadcast and answered "This notice wasn't sent to you" (untrue),
with nothing in the log. Now the answer says the bot no longer keeps the notice, the card stays as
it is, nothing is recorded, and the log has a line for the press."""
from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import func, select

from bot.tick import tick
from capabilities.broadcasts import flow
from capabilities.catalogue import registry
from capabilities.context import Context
from qa.calendar import WorkingCalendar
from storage.models import Broadcast, OutboxMessage, TrailEvent
from tests.support import activities as act
from tests.support.broadcasts import NOW, add_people

PRACTICE_MANAGER = 3  # tests.support.broadcasts: person n has ROLES[n % 5]


async def test_a_press_on_a_notice_the_retention_purge_deleted(services, fake_connector, bot_client, caplog):
    services.clock = lambda: NOW
    db, cal = services.db, WorkingCalendar()
    people = await add_people(db, fake_connector.url, 5)
    ctx = Context(db, cal, lambda: NOW)
    sent = await flow.send(ctx, None, flow.Draft("Practice week", "It starts **Monday**.", ["role=practice_manager"],
                                           ask_ack=True), now=NOW, via="test")
    assert sent.recipients == 1
    duties = [d for d in registry().duties(cal) if d.name in ("broadcast-chasers", "retention")]
    assert len(duties) == 2
    await tick(services, NOW, wait_retries=0, duties=duties)

    # The next tick, by another clock, long past the broadcasts' retention period: the e2e's demo
    # moment (Thursday 3 December 2099 at the send time).
    later = cal.at_send_time(date(2099, 12, 3))
    report = await tick(services, later, wait_retries=0, duties=duties)
    assert {d for d, _ in report.sweep.ran} == {"broadcast-chasers", "retention"}
    async with db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Broadcast))).scalar_one() == 0
        chaser = (await s.execute(select(OutboxMessage).where(
            OutboxMessage.kind == "broadcast-chaser", OutboxMessage.person_id == people[PRACTICE_MANAGER]))).scalar_one()
    assert chaser.state == "sent" and chaser.activity_id

    before = len(fake_connector.calls)
    press = act.card_action(str(PRACTICE_MANAGER), "broadcast.ack", {"broadcast_id": sent.broadcast_id},
                            service_url=fake_connector.url)
    press["replyToId"] = chaser.activity_id
    with caplog.at_level(logging.INFO, logger="bot.card_actions"):
        resp = await bot_client.post("/api/messages", json=press)
    assert resp.status == 200, await resp.text()
    answer = await resp.json()
    assert answer["type"] == "application/vnd.microsoft.activity.message", answer
    assert answer["value"] == flow.GONE
    assert "Acknowledged on" not in str(answer)
    assert not [c for c in fake_connector.calls[before:] if c.method == "PUT"]  # the card stays as it is
    async with db.sessions() as s:
        acked = (await s.execute(select(func.count()).select_from(TrailEvent)
                                 .where(TrailEvent.action == "broadcast_acknowledged"))).scalar_one()
    assert acked == 0
    assert any(r.name == "bot.card_actions" and "broadcast.ack" in r.getMessage() and "a message" in r.getMessage()
               for r in caplog.records)
