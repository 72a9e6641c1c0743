"""The monthly audit analysis duty (framework 9.3 "Moderation and Management oversight"): on the
7th of each month (the working day after the oversight deadline of the 6th; moved on to the next
working day), at the send time, for the month whose cycle has just closed: the monthly analysis,
and the quarterly report in the schedule's quarter months (March, June, September by
default) and the annual report in its month (November by default) (capabilities/reports/config.py).

Each goes as one message per person: the QA unit and the deputy director get the whole service,
each service lead their own areas: a card with the headline figures and the workbook offered by
a file consent card. A report of months with no allocations at all is not sent.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from capabilities.duties import Occurrence
from capabilities.reports import access, build, delivery
from capabilities.reports.build import Request
from capabilities.reports.config import Schedule
from qa.audit_calendar import parse_month_key
from qa.cadence import DayOfMonth
from qa.calendar import WorkingCalendar
from qa.reports import ANNUAL, MONTHLY, QUARTERLY, WHOLE_SERVICE, area_key
from storage import reports as stored
from storage.outbox import Message, enqueue_many

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

REPORT_DAY = 7  # of the month after the analysed one, as qa.reports.report_day has it
LOOK_BACK = timedelta(days=20)  # a bot that was down sends the analysis it missed, not last month's again


class AuditReportDuty:
    name = "audit-report"

    def __init__(self, cal: WorkingCalendar, schedule: Schedule) -> None:
        self.cal = cal
        self.schedule = schedule
        self.cadence = DayOfMonth(cal, REPORT_DAY, key_month=-1)  # keyed by the analysed month ("2026-11")

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        """The analyses whose day came within the look-back (qa.reports.report_day)."""
        return self.cadence.between(now - LOOK_BACK, now)

    def requests(self, month: str) -> list[Request]:
        """The reports whose last month is `month`."""
        mon = parse_month_key(month)[1]
        out = [Request.ending(MONTHLY, month, self.schedule)]
        if mon in self.schedule.quarter_months:
            out.append(Request.ending(QUARTERLY, month, self.schedule))
        if mon == self.schedule.annual_month:
            out.append(Request.ending(ANNUAL, month, self.schedule))
        return out

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        today = self.cal.local_date(occurrence.due_at)  # the report's day: as of then, when run late
        due = self.cal.send_time_for(occurrence.due_at, now)
        people = await stored.recipients(session, (*access.MONTHLY_WHOLE, access.MONTHLY_AREA))
        messages = []
        for request in self.requests(occurrence.key):
            # One read of the register for the whole service and every service lead's areas (each
            # report picks its areas' rows from it), not one per area.
            rows = await build.register_rows(session, request, self.cal)
            whole, data = await delivery.report_payload(session, request, self.cal, today, (), rows=rows)
            if not data.analysis.total(WHOLE_SERVICE).allocated:
                log.info("%s %s: no allocations, nothing sent", request.kind, request.period)
                continue
            by_areas: dict[tuple[str, ...], dict] = {}
            for person in people:
                if person.role in access.MONTHLY_WHOLE:
                    payload = whole
                elif person.service_areas:
                    key = tuple(sorted(area_key(a) for a in person.service_areas))
                    if key not in by_areas:
                        by_areas[key] = (await delivery.report_payload(session, request, self.cal, today,
                                                                       person.service_areas, rows=rows))[0]
                    payload = by_areas[key]
                else:
                    continue
                messages.append(Message(key=f"audit-report:{request.kind}:{request.period}:{person.person_id}",
                                        kind=delivery.REPORT, person_id=person.person_id, payload=payload,
                                        due_at=due))
        await enqueue_many(session, messages, now=now)
