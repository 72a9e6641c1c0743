"""The QA unit hears once when messages are stuck on their way to Teams (capabilities/delivery.py),
on both databases: not before 30 minutes, once per backlog, again for a new one, and the log says so."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from capabilities.delivery import ALERTED, DeliveryBacklogDuty
from dialogs.payload import Payload
from qa.calendar import WorkingCalendar
from scheduler.sweep import sweep
from storage.models import OutboxMessage, TrailEvent
from storage.outbox import enqueue, mark_sent
from tests.support.audit_cycle import add_roster, utc

T0 = utc(2026, 12, 12, 2, 0)  # a Saturday night: an outage does not wait for working hours


async def alerts(db) -> list[OutboxMessage]:
    async with db.sessions() as s:
        return list((await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "delivery-backlog")
                                     .order_by(OutboxMessage.id))).all())


async def test_the_qa_unit_is_told_once_per_backlog(services, caplog):
    db = services.db
    people = await add_roster(db)
    async with db.sessions.begin() as s:
        for n in range(3):
            await enqueue(s, key=f"stuck:{n}", kind="allocation-notice", person_id=people["Mo"], payload=Payload("stuck"),
                          due_at=T0, now=T0)
    duty = [DeliveryBacklogDuty(WorkingCalendar())]
    await sweep(services, T0 + timedelta(minutes=29), duty)
    assert await alerts(db) == []  # not yet 30 minutes
    with caplog.at_level(logging.WARNING, logger="capabilities.delivery"):
        await sweep(services, T0 + timedelta(minutes=31), duty)
    [alert] = await alerts(db)
    assert alert.person_id == people["Quinn"] and alert.payload["alone"] is True
    assert "3 messages" in alert.payload["summary"] and "31 minutes" in str(alert.payload["card"])
    assert "outbox backlog: 3 messages" in caplog.text
    for later in (40, 90, 600):  # the same backlog: told once
        await sweep(services, T0 + timedelta(minutes=later), duty)
    assert len(await alerts(db)) == 1
    async with db.sessions() as s:
        [event] = (await s.scalars(select(TrailEvent).where(TrailEvent.action == ALERTED))).all()
    assert event.detail["waiting"] == 3 and event.detail["told"] == 1

    # Delivered at last; a new backlog a day later is told again.
    async with db.sessions() as s:
        ids = list((await s.scalars(select(OutboxMessage.id))).all())
    await mark_sent(db, ids, activity_id="a", now=T0 + timedelta(hours=11))
    later = T0 + timedelta(days=1)
    async with db.sessions.begin() as s:
        await enqueue(s, key="stuck:again", kind="dispute", person_id=people["Mo"], payload=Payload("stuck"), due_at=later, now=later)
    await sweep(services, later + timedelta(minutes=45), duty)
    assert len(await alerts(db)) == 2
