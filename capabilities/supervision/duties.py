"""Supervision's duties: the 09:00 morning on each working day (digests, supervisee notes, notices to a
supervisor's supervisor) and the monthly compliance figures on the first working day of each month (worked
out at 07:00, sent at 09:00).

Both wait until the register has started (a session imported or recorded): before that the bot knows
nothing of what was held and would call everyone overdue on its first morning.

Exactly once: each occurrence runs once (scheduler/sweep.py), and every row has an idempotency key
naming what it is about (`supervision-digest:<day>:<recipient>:<supervisor>`,
`supervision-reminder:<supervisee>:<due>`, `supervision-overdue:<supervisee>:<kind>:<due>`,
`supervision-compliance:<month>:<recipient>`), so a later morning never repeats an escalation.
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.duties import Occurrence
from capabilities.supervision import compliance, kinds
from capabilities.supervision.plan import morning
from dialogs.payload import Payload
from dialogs.supervision_cards import Line
from qa.cadence import EachWorkingMorning, FirstWorkingDayOfMonth
from qa.calendar import WorkingCalendar
from qa.supervision import Cadences
from storage.models import TrailEvent
from storage.outbox import Message, enqueue_many
from storage.supervision import Board, load_board, register_started

log = logging.getLogger(__name__)
VIA = "duty:supervision"

# Extra digest lines per supervisee, from other capabilities (observation action plans to review):
# given the session, the board and the day, {supervisee id: lines}.
ExtraLines = Callable[[AsyncSession, Board, date], Awaitable[Mapping[int, Sequence[Line]]]]


class SupervisionMorningDuty:
    name = "supervision-morning"

    def __init__(self, cal: WorkingCalendar | None = None, cadences: Cadences | None = None,
                 extra: Sequence[ExtraLines] = ()) -> None:
        self.cal = cal or WorkingCalendar()
        self.cadences = cadences or Cadences()
        self.extra = tuple(extra)
        self.cadence = EachWorkingMorning(self.cal)

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        return self.cadence.today(now)  # a missed morning is not sent the next day: that day has its own

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        today = self.cal.local_date(occurrence.due_at)
        if not await register_started(session):
            return
        board = await load_board(session, today, self.cal.tz)
        extra: dict[int, list[Line]] = {}
        for provider in self.extra:
            for person_id, lines in (await provider(session, board, today)).items():
                extra.setdefault(person_id, []).extend(lines)
        plan = morning(board, today, self.cal, self.cadences, extra)
        due_at = self.cal.send_time_for(occurrence.due_at, now)
        messages = []
        for d in plan.digests:
            count = sum(len(b.lines) for b in d.view.blocks)
            messages.append(Message(f"{kinds.DIGEST}:{today}:{d.recipient_id}:{d.supervisor_id}", kinds.DIGEST,
                                    d.recipient_id, Payload.of(kinds.DIGEST.card(d.view),
                                                             f"Supervision: {count} due or overdue"), due_at))
        for r in plan.reminders:
            messages.append(Message(f"{kinds.REMINDER}:{r.supervisee_id}:{r.view.due}", kinds.REMINDER,
                                    r.supervisee_id, Payload.of(kinds.REMINDER.card(r.view),
                                                              "Your supervision is due"), due_at))
        for e in plan.escalations:
            messages.append(Message(f"{kinds.ESCALATION}:{e.supervisee_id}:{e.kind}:{e.due}", kinds.ESCALATION,
                                    e.recipient_id, Payload.of(kinds.ESCALATION.card(e.view),
                                                             f"Supervision overdue: {e.view.supervisee}"), due_at))
        added = await enqueue_many(session, messages, now=now)
        session.add(TrailEvent(subject_type="supervision", action="supervision_morning", via=VIA, at=now,
                               detail={"digests": len(plan.digests), "reminders": len(plan.reminders),
                                       "escalations": len(plan.escalations), "written": added}))
        log.info("supervision morning %s: %d digests, %d reminders, %d escalations, %d new rows", today,
                 len(plan.digests), len(plan.reminders), len(plan.escalations), added)


class SupervisionComplianceDuty:
    """On the first working day of each month: the previous month's figures, worked out at 07:00 local (before
    the 09:00 morning, so the two do not share one sweep) and sent at 09:00 with the day's other messages."""

    name = "supervision-compliance"
    at = time(7, 0)

    def __init__(self, cal: WorkingCalendar | None = None, cadences: Cadences | None = None,
                 practice_development_team: str = "") -> None:
        self.cal = cal or WorkingCalendar()
        self.cadences = cadences or Cadences()
        self.practice_development_team = practice_development_team  # its members get the group figures
        self.cadence = FirstWorkingDayOfMonth(self.cal, at=self.at, key_month=-1)  # keyed by the month reported

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        return self.cadence.this_month(now)

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        year, month = (int(p) for p in occurrence.key.split("-"))
        if not await register_started(session):
            return
        reports = await compliance.monthly_reports(session, year, month, self.cal, self.cadences,
                                                   self.practice_development_team)
        due_at = self.cal.send_time_for(self.cal.at_send_time(self.cal.local_date(occurrence.due_at)), now)
        messages = [Message(f"{kinds.COMPLIANCE}:{occurrence.key}:{recipient}", kinds.COMPLIANCE, recipient,
                            Payload.of(kinds.COMPLIANCE.card(view), (
                                "Group supervision" if view.group_only else "Supervision compliance")
                                + f": {view.month_words}"),
                            due_at) for recipient, view in reports]
        added = await enqueue_many(session, messages, now=now)
        session.add(TrailEvent(subject_type="supervision", action="supervision_compliance", via=VIA, at=now,
                               detail={"recipients": len(reports), "written": added}))
