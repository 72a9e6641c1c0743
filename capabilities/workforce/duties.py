"""The workforce duties' scheduled work (framework 9.2; 9.1's ASYE year), each on a named cadence:

- `WorkforceMorningDuty`, each working morning at 09:00: an ASYE review point still not held five working
  days after its due day goes to the ASYE's supervisor's own supervisor (the supervisor sees it daily in their
  supervision digest meanwhile: capabilities/workforce/asye.py `digest_lines`);
- `RenewalDuty`, each working morning at 09:00 on the Social Work England renewal's reminder days
  (qa.workforce.renewal_moments): registered staff not yet confirmed are reminded, with "Renewed, CPD recorded";
  on the manager days, each manager gets their supervisees not yet confirmed and the principal social worker
  the compliance by team (`swe-renewal-reminder:<year>:<moment>:<person>`, `swe-renewal-not-confirmed:...`,
  `swe-renewal-compliance:...`);
- `AsyeCohortDuty`, on the first working day of each month (09:00): the ASYE cohort's status to each principal
  social worker (nothing when there are no ASYEs).

`run` computes for the occurrence's day, never `now`'s. Exactly once: each occurrence runs once
(scheduler/sweep.py) and every row's idempotency key names what it is about
(`asye-review-overdue:<person>:<point>:<due>`, `asye-cohort:<month>:<recipient>`), so a later morning never
repeats a notice.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.duties import Occurrence
from capabilities.workforce import kinds
from capabilities.workforce.access import up_the_line
from capabilities.workforce.asye import cohort, held_points
from dialogs.payload import Payload
from dialogs.workforce_cards import (
    AsyeOverdueView,
    CohortRow,
    CohortView,
    RenewalComplianceView,
    RenewalManagerView,
    RenewalReminderView,
)
from qa.cadence import EachWorkingMorning, FirstWorkingDayOfMonth
from qa.calendar import WorkingCalendar
from qa.framework import Role
from qa.supervision import OVERDUE
from qa.workforce import (
    DEFAULT_RENEWAL,
    MANAGER,
    SWE_RENEWAL,
    asye_escalations,
    asye_in_cohort,
    confirm_by,
    point_words,
    renewal_moments,
    renewal_window,
)
from storage.models import TrailEvent
from storage.outbox import Message, enqueue_many
from storage.workforce import StaffMember, held, workforce

log = logging.getLogger(__name__)
VIA = "duty:workforce"


class WorkforceMorningDuty:
    name = "workforce-morning"

    def __init__(self, cal: WorkingCalendar | None = None) -> None:
        self.cal = cal or WorkingCalendar()
        self.cadence = EachWorkingMorning(self.cal)

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        return self.cadence.today(now)  # escalations look back 30 days, so a missed morning is caught up

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        today = self.cal.local_date(occurrence.due_at)
        staff = await workforce(session, self.cal.tz)
        asyes = [s for s in staff.values() if s.asye_start is not None]
        done = await held_points(session, asyes)
        due_at = self.cal.send_time_for(occurrence.due_at, now)
        messages = []
        for s in asyes:
            line = up_the_line(staff, s.id)
            if len(line) < 2 or s.asye_start is None:
                continue  # no supervisor's supervisor on the roster: the supervisor's digest is all there is
            for p in asye_escalations(s.asye_start, done[s.id], today, self.cal, on_record_from=s.on_record_from):
                view = AsyeOverdueView(s.name, staff[line[0]].name, p.point, p.due)
                messages.append(Message(f"{kinds.ASYE_OVERDUE}:{s.id}:{p.point}:{p.due}", kinds.ASYE_OVERDUE, line[1],
                                        Payload.of(kinds.ASYE_OVERDUE.card(view), f"ASYE review overdue: {s.name}"),
                                        due_at))
        added = await enqueue_many(session, messages, now=now)
        if messages:
            session.add(TrailEvent(subject_type="workforce", action="asye_overdue_notices", via=VIA, at=now,
                                   detail={"notices": len(messages), "written": added}))
        log.info("workforce morning %s: %d ASYE overdue notices, %d new rows", today, len(messages), added)


def cohort_view(statuses, staff, today) -> CohortView:
    rows = tuple(CohortRow(a.person.name, a.person.team, a.person.asye_start,
                           staff[a.person.supervisor_id].name if a.person.supervisor_id in staff else "",
                           tuple((p.point, point_words(p)) for p in a.points))
                 for a in statuses)
    return CohortView(today, rows, sum(p.standing == OVERDUE for a in statuses for p in a.points))


class AsyeCohortDuty:
    name = "asye-cohort"

    def __init__(self, cal: WorkingCalendar | None = None) -> None:
        self.cal = cal or WorkingCalendar()
        self.cadence = FirstWorkingDayOfMonth(self.cal)  # keyed by the month it is sent in

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        return self.cadence.this_month(now)

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        today = self.cal.local_date(occurrence.due_at)
        staff = await workforce(session, self.cal.tz)
        statuses = [a for a in await cohort(session, today, self.cal, staff)
                    if a.person.asye_start is not None and asye_in_cohort(a.points, a.person.asye_start, today)]
        recipients = sorted(s.id for s in staff.values() if s.role == Role.PRINCIPAL_SOCIAL_WORKER)
        if not statuses or not recipients:
            return
        view = cohort_view(statuses, staff, today)
        due_at = self.cal.send_time_for(occurrence.due_at, now)
        summary = f"ASYE cohort: {len(statuses)} in their year, {view.overdue} overdue"
        messages = [Message(f"{kinds.ASYE_COHORT}:{occurrence.key}:{r}", kinds.ASYE_COHORT, r,
                            Payload.of(kinds.ASYE_COHORT.card(view), summary), due_at) for r in recipients]
        added = await enqueue_many(session, messages, now=now)
        session.add(TrailEvent(subject_type="workforce", action="asye_cohort", via=VIA, at=now,
                               detail={"asyes": len(statuses), "recipients": len(recipients), "written": added}))


async def renewal_figures(session: AsyncSession, staff: dict[int, StaffMember], year: int
                          ) -> tuple[set[int], list[tuple[str, int, int]]]:
    """The registered staff who confirmed `year`'s renewal, and (team, confirmed, registered) by team."""
    registered = [s for s in staff.values() if s.registered]
    found = await held(session, [s.id for s in registered], [SWE_RENEWAL])
    confirmed = {pid for pid, days in found.items() if (SWE_RENEWAL, str(year)) in days}
    teams: dict[str, list[int]] = {}
    for s in registered:
        pair = teams.setdefault(s.team, [0, 0])
        pair[0] += s.id in confirmed
        pair[1] += 1
    return confirmed, sorted(((t, a, b) for t, (a, b) in teams.items()), key=lambda r: r[0].casefold())


class RenewalDuty:
    name = "swe-renewal"

    def __init__(self, cal: WorkingCalendar | None = None,
                 window: tuple[tuple[int, int], tuple[int, int]] = DEFAULT_RENEWAL) -> None:
        self.cal = cal or WorkingCalendar()
        self.window = window  # Social Work England's renewal period (QA_WORKFORCE_SWE_RENEWAL)
        self.cadence = EachWorkingMorning(self.cal)

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        return self.cadence.today(now)

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        today = self.cal.local_date(occurrence.due_at)
        moments = [m for m in renewal_moments(today.year, self.cal, self.window) if m.day == today]
        if not moments:
            return
        year, by = today.year, confirm_by(today.year, self.cal, self.window)
        closes = renewal_window(year, self.window)[1]
        staff = await workforce(session, self.cal.tz)
        confirmed, teams = await renewal_figures(session, staff, year)
        waiting = [s for s in staff.values() if s.registered and s.id not in confirmed]
        due_at = self.cal.send_time_for(occurrence.due_at, now)
        messages = []
        for m in moments:
            if m.audience != MANAGER:
                view = RenewalReminderView(year, by, closes)
                messages += [Message(f"{kinds.SWE_REMINDER}:{year}:{m.name}:{s.id}", kinds.SWE_REMINDER, s.id,
                                     Payload.of(kinds.SWE_REMINDER.card(view), f"Social Work England renewal {year}"),
                                     due_at) for s in waiting]
                continue
            by_manager: dict[int, list[str]] = {}
            for s in waiting:
                if s.supervisor_id is not None:
                    by_manager.setdefault(s.supervisor_id, []).append(s.name)
            for manager, names in sorted(by_manager.items()):
                view = RenewalManagerView(year, by, m.name == "closed", tuple(sorted(names, key=str.casefold)))
                messages.append(Message(f"{kinds.SWE_MANAGER}:{year}:{m.name}:{manager}", kinds.SWE_MANAGER, manager,
                                        Payload.of(kinds.SWE_MANAGER.card(view),
                                                   f"Social Work England renewal {year}: not yet confirmed"), due_at))
            compliance = RenewalComplianceView(year, today, tuple(teams))
            messages += [Message(f"{kinds.SWE_COMPLIANCE}:{year}:{m.name}:{s.id}", kinds.SWE_COMPLIANCE, s.id,
                                 Payload.of(kinds.SWE_COMPLIANCE.card(compliance),
                                            f"Social Work England renewal {year}: by team"), due_at)
                         for s in staff.values() if s.role == Role.PRINCIPAL_SOCIAL_WORKER]
        added = await enqueue_many(session, messages, now=now)
        session.add(TrailEvent(subject_type="workforce", action="swe_renewal_reminders", via=VIA, at=now,
                               detail={"moments": [m.name for m in moments], "messages": len(messages),
                                       "written": added}))
