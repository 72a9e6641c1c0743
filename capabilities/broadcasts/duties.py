"""Broadcasts' duties: the practice-week notices from the QA calendar (5 working days before and on
the first morning, once each), and the one chaser to those who neither read nor acknowledged a
notice that asked for an acknowledgement (a follow-up owed when the broadcast was queued)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.broadcasts import kinds
from capabilities.broadcasts.flow import (
    CHASER_KIND,
    CORRECTION_KIND,
    Checked,
    Draft,
    notice_view,
    queue_broadcast,
    queue_updates,
)
from capabilities.duties import Occurrence
from capabilities.follow_ups import FollowUpDuty, Settled
from capabilities.kit import Act
from dialogs.card_kit import format_day
from qa.audience import AudienceError, parse_audience_cell
from qa.cadence import EachWorkingMorning
from qa.calendar import WorkingCalendar
from qa.qa_calendar import NOTICE_DAYS_BEFORE, due_notices
from storage import follow_ups
from storage.models import Broadcast, BroadcastRecipient, FollowUp, OutboxMessage
from storage.outbox import Message, enqueue_many
from storage.qa_calendar import events_between

DEFAULT_WORDS = "Practice week is a chance for us all to look at our practice together. Thank you for taking part."


class PracticeWeekNoticeDuty:
    """Each working morning, the practice weeks whose notices were due that morning (qa.qa_calendar.
    due_notices) get them: a broadcast to the event's audience in the calendar row's words, keyed
    "practice-week:<event id>:<before|first-morning>" so each goes once."""

    name = "practice-week-notices"

    def __init__(self, cal: WorkingCalendar, days_before: int = NOTICE_DAYS_BEFORE) -> None:
        self.cal = cal
        self.days_before = days_before
        self.cadence = EachWorkingMorning(cal)

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        return self.cadence.today(now)

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        day = self.cal.local_date(occurrence.due_at)  # the morning's, when run late
        # Weeks starting from that day to a generous span past the notice (working days are fewer than days).
        events = await events_between(session, (day, day + timedelta(days=self.days_before * 3 + 14)),
                                      kind="practice_week")
        send_at = self.cal.send_time_for(occurrence.due_at, now)
        for event in events:
            for moment in due_notices(event.starts_on, occurrence.due_at, self.cal, self.days_before):
                try:
                    audience = parse_audience_cell(event.audience)
                except AudienceError:
                    continue
                first = moment.key == "first-morning"
                title = (f"{event.title} starts today" if first
                         else f"{event.title}: {format_day(event.starts_on)} to {format_day(event.ends_on)}")
                draft = Draft(title[:200], event.details or DEFAULT_WORDS, audience.describe().split("; "))
                await queue_broadcast(Act(session, None, now, self.cal, f"duty:{self.name}"),
                                      Checked(draft, audience, send_at), key=f"practice-week:{event.id}:{moment.key}")


class BroadcastChaserDuty(FollowUpDuty):
    """The one chaser, N working days after a broadcast that asked for an acknowledgement, to each
    recipient it reached who has neither read nor acknowledged it. A cancelled broadcast's is cancelled."""

    name = "broadcast-chasers"
    kinds = (CHASER_KIND,)

    async def settle(self, session: AsyncSession, owed: Sequence[FollowUp], slot: datetime, due_at: datetime,
                     now: datetime) -> Settled:
        settled: Settled = {follow_ups.DONE: [], follow_ups.CANCELLED: []}
        for follow_up in owed:
            broadcast = await session.get(Broadcast, follow_up.subject_id)
            if broadcast is None or broadcast.state == "cancelled":
                settled[follow_ups.CANCELLED].append(follow_up.id)
                continue
            r, o = BroadcastRecipient, OutboxMessage
            people = (await session.execute(
                select(r.person_id).join(o, o.id == r.outbox_id)
                .where(r.broadcast_id == broadcast.id, r.person_id.is_not(None), o.state == "sent",
                       r.read_at.is_(None), r.acknowledged_at.is_(None), r.withdrawn_at.is_(None)))).scalars().all()
            payload = kinds.BROADCAST_CHASER.message(notice_view(broadcast), summary=f"Reminder: {broadcast.title}",
                                                     alone=True)
            await enqueue_many(session, [Message(key=f"broadcast-chaser:{broadcast.id}:{person_id}",
                                                 kind=kinds.BROADCAST_CHASER, person_id=person_id, payload=payload,
                                                 due_at=due_at) for person_id in people], now=now)
            await session.execute(update(Broadcast).where(Broadcast.id == broadcast.id).values(chased_at=now))
            settled[follow_ups.DONE].append(follow_up.id)
        return settled


class BroadcastCorrectionDuty(FollowUpDuty):
    """Messages that were being sent when the QA unit corrected a broadcast went out with the old
    words: a few minutes later (a follow-up owed by the correction) their cards are updated too."""

    name = "broadcast-corrections"
    kinds = (CORRECTION_KIND,)

    async def settle(self, session: AsyncSession, owed: Sequence[FollowUp], slot: datetime, due_at: datetime,
                     now: datetime) -> Settled:
        settled: Settled = {follow_ups.DONE: [], follow_ups.CANCELLED: []}
        for follow_up in owed:
            broadcast = await session.get(Broadcast, follow_up.subject_id)
            if broadcast is None or broadcast.state == "cancelled":
                settled[follow_ups.CANCELLED].append(follow_up.id)
                continue
            await queue_updates(session, broadcast, self.cal.tz, now)
            settled[follow_ups.DONE].append(follow_up.id)
        return settled
