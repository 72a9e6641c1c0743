"""The sample's scheduled work: `ExtractReminderDuty`, each working morning at the send time (09:00),
asks the QA unit for the coming month's Annex A extract on the day QA_SAMPLE_REMINDER_DAYS working
days before the month's allocation day, when that month has no allocations and no sample used
(qa/sample_reminder.py; framework 9.3 "Selection and distribution").

`run` computes for the occurrence's day, never `now`'s: a morning run late (the bot was down) asks for
the month that morning was about, if it still has no allocations. Each occurrence runs once
(scheduler/sweep.py); the rows' keys name the month and the person
(`annex-a-extract-reminder:<month>:<person>`), so the QA unit is asked once a month even if the setting
changes in between.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.duties import Occurrence
from capabilities.sampling.kinds import EXTRACT_REMINDER
from dialogs.payload import Payload
from dialogs.sample_reminder_cards import ExtractReminderView, extract_reminder_summary
from qa.audit_calendar import cycle_dates, parse_month_key
from qa.cadence import EachWorkingMorning
from qa.calendar import WorkingCalendar
from qa.sample_reminder import DEFAULT_DAYS_BEFORE, month_to_ask_for, should_ask
from storage.models import TrailEvent
from storage.outbox import Message, enqueue_many
from storage.people import qa_unit
from storage.sampling import allocations_in, sample_confirmed, sample_proposed

log = logging.getLogger(__name__)
VIA = "duty:sample-reminder"
LOOK_BACK = timedelta(days=4)  # a reminder morning missed over a long weekend is still asked for


class ExtractReminderDuty:
    name = "annex-a-extract-reminder"

    def __init__(self, cal: WorkingCalendar | None = None, days_before: int = DEFAULT_DAYS_BEFORE) -> None:
        self.cal = cal or WorkingCalendar()
        self.days_before = days_before
        self.cadence = EachWorkingMorning(self.cal)

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        return self.cadence.between(now - LOOK_BACK, now)

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        day = self.cal.local_date(occurrence.due_at)
        month = month_to_ask_for(day, self.days_before, self.cal)
        if month is None:
            return
        if not should_ask(await allocations_in(session, month), await sample_confirmed(session, month)):
            return
        recipients = [p.id for p in await qa_unit(session)]
        if not recipients:
            log.warning("no one in the QA unit on the roster to ask for %s's Annex A extract", month)
            return
        view = ExtractReminderView(month, cycle_dates(*parse_month_key(month), self.cal).allocation_notice_day,
                                   proposed=await sample_proposed(session, month))
        payload = Payload.of(EXTRACT_REMINDER.card(view), extract_reminder_summary(view))
        due_at = self.cal.send_time_for(occurrence.due_at, now)
        messages = [Message(f"{EXTRACT_REMINDER}:{month}:{r}", EXTRACT_REMINDER, r, payload, due_at) for r in recipients]
        added = await enqueue_many(session, messages, now=now)
        session.add(TrailEvent(subject_type="month", month=month, action="annex_a_extract_asked", via=VIA, at=now,
                               detail={"recipients": len(recipients), "written": added}))
        log.info("asked the QA unit (%d) for %s's Annex A extract: %d new rows", len(recipients), month, added)
