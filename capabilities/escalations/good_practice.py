"""Good and Outstanding practice for learning (framework 9.3, "Good or Outstanding cases"): the
audits graded Good or Outstanding go on a learning list for practice forums and learning workshops.

- `good practice`: the last three audit months' list (this month and the two before), by service
  area, with strengths; every area for the QA unit and the principal social worker, their own
  service areas for heads of service, service leads and practice managers (access.py);
- a case whose case holder agreed to its use in a practice forum (capabilities/audit_cycle/case_holder.py
  `agree_forum`) is marked so on the list;
- once a month, on the first working day, the principal social worker(s) and the QA unit receive
  the previous audit month's list ("good-practice-list").
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.duties import Occurrence
from capabilities.escalations import kinds
from capabilities.escalations.access import GOOD_PRACTICE_LIST
from capabilities.escalations.by_duty import DutyAct
from capabilities.escalations.dip_sample import previous_month
from dialogs import good_practice_cards as gp
from dialogs.card_kit import format_month
from qa.audit_calendar import month_key
from qa.cadence import FirstWorkingDayOfMonth
from qa.calendar import WorkingCalendar
from storage.cycle import area_key
from storage.models import Allocation, Audit, Person
from storage.people import active_people

GOOD_GRADES = ("Outstanding", "Good")
SHOWN = 30  # audits on one card (it stays under Teams' size limit)
SENT = "good_practice_list_sent"


async def good_practice(session: AsyncSession, months: list[str], areas: Sequence[str] | None = None
                        ) -> list[gp.GoodPracticeItem]:
    """Submitted audits of `months` graded Good or Outstanding, by service area, Outstanding first,
    then the latest month first; of the service `areas` only (as people type them: case and
    spacing aside) unless None (every area)."""
    rows = (await session.execute(
        select(Allocation, Audit, Person.display_name).join(Audit, Audit.allocation_id == Allocation.id)
        .join(Person, Person.id == Allocation.auditor_id)
        .where(Allocation.month.in_(months), Audit.submitted_at.is_not(None), Audit.overall_grade.in_(GOOD_GRADES))
    )).all()
    if areas is not None:
        keys = {area_key(area) for area in areas}
        rows = [r for r in rows if area_key(r[0].service_area) in keys]
    rows.sort(key=lambda r: (r[0].service_area.casefold(), GOOD_GRADES.index(r[1].overall_grade),
                             [-int(p) for p in r[0].month.split("-")], r[0].case_ref))
    return [gp.GoodPracticeItem(case_ref=a.case_ref, month_label=format_month(a.month), service_area=a.service_area,
                                team=a.team, grade=audit.overall_grade, auditor_name=name,
                                strengths=audit.strengths or "", forum_agreed=audit.forum_agreed_at is not None)
            for a, audit, name in rows]


def last_three(today: date) -> list[str]:
    this = month_key(today.year, today.month)
    return [previous_month(previous_month(this)), previous_month(this), this]


def period(months: list[str]) -> str:
    first, last = format_month(months[0]), format_month(months[-1])
    if len(months) == 1:
        return last
    return f"{first.rsplit(' ', 1)[0] if first[-4:] == last[-4:] else first} to {last}"


class GoodPracticeListDuty:
    """The first working day of each month: the previous audit month's list to the principal social
    worker(s) and the QA unit, when it lists any audit (a bot that was down that day sends it when it
    is back, once, within the month)."""

    name = "good-practice-list"

    def __init__(self, cal: WorkingCalendar) -> None:
        self.cal = cal
        self.cadence = FirstWorkingDayOfMonth(cal)

    def occurrences(self, now: datetime):
        return self.cadence.this_month(now)

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        audited = previous_month(occurrence.key)
        items = await good_practice(session, [audited])
        people = await active_people(session, GOOD_PRACTICE_LIST) if items else []
        label = format_month(audited)
        run = DutyAct(session, now, self.cal.send_time_for(occurrence.due_at, now), f"duty:{self.name}", self.cal.tz)
        await run.notify(kinds.GOOD_PRACTICE_LIST, people, kinds.GOOD_PRACTICE_LIST.message(
            label, items[:SHOWN], len(items),
            summary=f"Good practice: {label} ({len(items)} audit{'s' if len(items) != 1 else ''})"),
            key=f"{kinds.GOOD_PRACTICE_LIST}:{audited}")
        run.trail("month", None, SENT, month=audited, audits=len(items), recipients=len(people))
