"""Cover's morning duty (framework section 21): on each working morning, before the day's notices go,
the work of people whose absence begins is handed to their cover, the people back from one get their
work back with a one-card summary, and the work of people the roster marked as left since the last
morning goes to their manager, with one card to the QA unit listing what moved."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.cover import handover, kinds
from capabilities.duties import Occurrence
from dialogs import cover_cards as cc
from qa.cadence import EachWorkingMorning
from qa.calendar import WorkingCalendar
from qa.cover import Absence, receiver, returning, starting
from storage import cover as store
from storage.outbox import Message, enqueue_many
from storage.people import qa_unit

log = logging.getLogger(__name__)
MORNING = time(7, 30)  # before the 08:00 send time, so the day's first notices already find the cover


class CoverMorningDuty:
    """See the module notes. Computed for its occurrence's day; keyed by day and person, so a second
    run adds nothing."""

    name = "cover-morning"

    def __init__(self, cal: WorkingCalendar | None = None) -> None:
        self.cal = cal or WorkingCalendar()
        self.cadence = EachWorkingMorning(self.cal, at=MORNING)

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        return self.cadence.today(now)

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        day = self.cal.local_date(occurrence.due_at)
        before = self.cal.previous_working_day(day)
        via = f"duty:{self.name}"
        rows = await store.absences_around(session, before, day + timedelta(days=1))
        absences = [(pid, Absence(r.first_day, r.last_day, r.cover_id)) for pid, r in rows]
        for pid, _a in starting(absences, day, before):
            await handover.hand_over(session, pid, now=now, day=day, via=via)
        for pid, a in returning(absences, day, before):
            since = datetime.combine(a.first, time(0), tzinfo=self.cal.tz)
            await handover.give_back(session, pid, a.first, a.last, since=since, now=now, via=via,
                                     done_words=handover.done_words)
        await self._leavers(session, occurrence, day, now, via)

    async def _leavers(self, session: AsyncSession, occurrence: Occurrence, day, now: datetime, via: str) -> None:
        since = datetime.combine(self.cal.previous_working_day(day), MORNING, tzinfo=self.cal.tz)
        leavers = await store.leavers_since(session, since, occurrence.due_at)
        if not leavers:
            return
        people = await store.directory(session, day)
        lines = []
        for person in leavers:
            moved = await handover.hand_over(session, person.id, now=now, day=day, via=via)
            to = receiver(person.id, day, people)
            names = await store.names(session, {to.to})
            lines.append(cc.LeaverLine(person.display_name,
                                       names.get(to.to, "") if to.moved else "nobody: no manager on the roster",
                                       cc.kinds_counted(moved)))
        summary = f"Leavers' work moved: {len(lines)} people"
        await enqueue_many(session, [Message(f"{kinds.LEAVER_WORK}:{day.isoformat()}:{p.id}", kinds.LEAVER_WORK, p.id,
                                             payload=kinds.LEAVER_WORK.message(day, lines, summary=summary),
                                             due_at=self.cal.send_time_for(occurrence.due_at, now))
                                     for p in await qa_unit(session)], now=now)
        log.info("leavers: %d people's work moved", len(lines))
