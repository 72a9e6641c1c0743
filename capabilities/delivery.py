"""Delivery health: the QA unit hears once when messages are stuck on their way to Teams.

The outbox retries transient failures for a day (bot/sender.py), so an outage of the Bot
Connector or of the council's network loses nothing; but nobody would know that allocations and
alerts are late. `DeliveryBacklogDuty` looks every SLOT: when the oldest due, undelivered message
has waited THRESHOLD (30 minutes), every active QA unit member is sent one card (if anything gets
through) and the log says so, once per backlog: a backlog is named by its oldest row's due time,
recorded in the trail, so a new backlog after this one clears is told again.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.duties import Occurrence
from capabilities.registry import Capability, OutboxKind
from dialogs import samples
from dialogs.card_kit import format_moment
from dialogs.delivery_cards import delivery_backlog_card
from qa.cadence import Every
from qa.calendar import WorkingCalendar
from qa.framework import Role
from storage import cycle, outbox
from storage.models import TrailEvent

log = logging.getLogger(__name__)

DELIVERY_BACKLOG = OutboxKind("delivery-backlog", delivery_backlog_card,
                              lambda: samples.delivery_card_samples()["delivery_backlog"])
ALERTED = "delivery_backlog_alerted"


def _age(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} minutes" if minutes < 120 else f"{minutes // 60} hours {minutes % 60} minutes"


class DeliveryBacklogDuty:
    name = "delivery-backlog"
    SLOT = timedelta(minutes=5)
    THRESHOLD = timedelta(minutes=30)

    def __init__(self, cal: WorkingCalendar | None = None, threshold: timedelta = THRESHOLD) -> None:
        self.cal = cal or WorkingCalendar()
        self.threshold = threshold
        self.cadence = Every(self.SLOT)

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        """One look every SLOT, day and night (an outage does not wait for working hours): the latest."""
        return [self.cadence.latest(now)]

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        waiting, oldest = await outbox.backlog(session, now, except_kinds=[DELIVERY_BACKLOG])
        if oldest is None or now - oldest < self.threshold:
            return
        named = oldest.astimezone(UTC).isoformat()
        told = (await session.execute(select(TrailEvent.id).where(
            TrailEvent.subject_type == "outbox", TrailEvent.action == ALERTED,
            TrailEvent.detail["oldest_due"].as_string() == named).limit(1))).scalar_one_or_none()
        if told is not None:
            return
        log.warning("outbox backlog: %d messages due and not delivered, the oldest due %s", waiting, named)
        qa_unit = await cycle.active_people(session, Role.QA_UNIT)
        payload = DELIVERY_BACKLOG.message(waiting, oldest, self.cal.tz, age=_age(now - oldest), alone=True,
                                           summary=f"{waiting:,} messages are waiting to reach Teams")
        await outbox.enqueue_many(session, [
            outbox.Message(f"{DELIVERY_BACKLOG}:{named}:{person.id}", DELIVERY_BACKLOG, person.id, due_at=now,
                           payload=payload)
            for person in qa_unit], now=now)
        session.add(TrailEvent(subject_type="outbox", action=ALERTED, via=f"duty:{self.name}", at=now,
                               detail={"oldest_due": named, "waiting": waiting, "told": len(qa_unit),
                                       "since": format_moment(oldest, self.cal.tz)}))


CAPABILITY = Capability(
    name="delivery",
    duties=lambda cal: [DeliveryBacklogDuty(cal)],
    outbox_kinds=(DELIVERY_BACKLOG,),
    help={Role.QA_UNIT: ("Tell you once when messages have waited more than 30 minutes to reach Teams (an outage), "
                      "while they keep being retried for a day.",)},
)
