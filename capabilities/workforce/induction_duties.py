"""Induction's scheduled work (framework 9.2; rules qa/induction.py), each on a named cadence:

- `InductionMorningDuty`, each working morning at the send time (EachWorkingMorning):
  1. a plan for each new starter by the roster's start_date (within QA_INDUCTION_NEW_STARTER_MONTHS) who has
     none from that start, sent to them (`induction-plan:<person>:<start>`);
  2. the starter is nudged about each element not signed off, the first working day after its target date
     (`induction-overdue:<person>:<element>:<target>`), with Done;
  3. their manager (the supervisor the roster names) is told QA_INDUCTION_MANAGER_AFTER working days later if it
     is still not signed off (`induction-overdue-manager:<person>:<element>:<target>`);
  4. their manager gets the card to confirm what the starter signed off since the working day before
     (`induction-confirm:<person>:<day>`), with Confirm on each element and Confirm all signed off;
- `InductionFiguresDuty`, on the first working day of each month: completion per team for the month just ended
  to each service lead (the teams of their service areas) and the QA unit (every team); nothing when no plan is in
  view (`induction-figures:<month>:<recipient>`).

`run` computes for the occurrence's day, never `now`'s. Exactly once: each occurrence runs once
(scheduler/sweep.py) and every row's idempotency key names what it is about, so a later morning never repeats a
notice; a nudge not sent on its day (the bot was down) is sent on a later morning within 30 days.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.duties import Occurrence
from capabilities.workforce import induction_kinds as kinds
from capabilities.workforce.induction import plan_payload, plan_view, starter_lines
from dialogs.card_kit import format_month
from dialogs.induction_cards import ConfirmView, FiguresRow, FiguresView, ManagerOverdueView, OverdueView
from dialogs.payload import Payload
from qa.cadence import EachWorkingMorning, FirstWorkingDayOfMonth
from qa.calendar import WorkingCalendar
from qa.framework import Role
from qa.induction import (
    SIGNED,
    PlanDefinition,
    is_new_starter,
    manager_nudges,
    plan_targets,
    standing,
    starter_nudge_day,
    starter_nudges,
    team_figures,
)
from storage import induction as store
from storage.models import TrailEvent
from storage.outbox import Message, enqueue_many
from storage.workforce import StaffMember, workforce

log = logging.getLogger(__name__)
VIA = "duty:induction"


class InductionMorningDuty:
    name = "induction-morning"

    def __init__(self, cal: WorkingCalendar, plan: PlanDefinition, months: int, manager_after: int) -> None:
        self.cal, self.plan = cal, plan
        self.months = months  # QA_INDUCTION_NEW_STARTER_MONTHS
        self.manager_after = manager_after  # QA_INDUCTION_MANAGER_AFTER (working days)
        self.cadence = EachWorkingMorning(self.cal)

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        return self.cadence.today(now)

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        today = self.cal.local_date(occurrence.due_at)
        due_at = self.cal.send_time_for(occurrence.due_at, now)
        staff = await workforce(session, self.cal.tz)
        made: set[int] = set()
        before = await store.plans(session, self.cal.tz)
        for s in staff.values():
            if s.start_date is None or not is_new_starter(s.start_date, today, self.months):
                continue
            if s.id in before and before[s.id].started_on >= s.start_date:
                continue  # their plan from this start, or a later one their manager began by marking them
            if await store.make_plan(session, s.id, s.start_date,
                                     plan_targets(s.start_date, self.plan.elements, self.cal), now):
                made.add(s.id)
        plans = {pid: p for pid, p in (await store.plans(session, self.cal.tz)).items() if pid in staff}
        since = self.cal.previous_working_day(today)
        messages = []
        for pid, stored in sorted(plans.items()):
            s = staff[pid]
            if pid in made:  # sent once, when made (the key would outlive the outbox's retention)
                messages.append(Message(f"{kinds.PLAN}:{pid}:{stored.started_on}", kinds.PLAN, pid,
                                        plan_payload(plan_view(staff, stored, self.plan, today)), due_at))
            messages += self._nudges(staff, s, stored, today, due_at)
            manager = s.supervisor_id if s.supervisor_id in staff and s.supervisor_id != pid else None
            fresh = [e for e in stored.elements if standing(e, today) == SIGNED and e.signed_on is not None
                     and since <= e.signed_on < today]
            if manager is not None and fresh:
                view = ConfirmView(today, (starter_lines(staff, stored, self.plan, today),))
                messages.append(Message(f"{kinds.CONFIRM}:{pid}:{today}", kinds.CONFIRM, manager, Payload.of(
                    kinds.CONFIRM.card(view), f"Induction to confirm: {s.name}"), due_at))
        added = await enqueue_many(session, messages, now=now)
        if made or messages:
            session.add(TrailEvent(subject_type="workforce", action="induction_morning", via=VIA, at=now,
                                   detail={"plans_made": len(made), "messages": len(messages), "written": added}))
        log.info("induction morning %s: %d plans made, %d messages, %d new rows", today, len(made), len(messages), added)

    def _nudges(self, staff: dict[int, StaffMember], s: StaffMember, stored: store.StoredPlan, today: date,
                due_at: datetime) -> list[Message]:
        out = []
        manager = staff.get(s.supervisor_id) if s.supervisor_id is not None and s.supervisor_id != s.id else None
        for e in starter_nudges(stored.elements, today, self.cal, s.on_record_from):
            element = self.plan.element(e.element_id)
            title = element.title if element else e.element_id.replace("_", " ")
            view = OverdueView(s.id, e.element_id, title, e.target, manager.name if manager else "")
            out.append(Message(f"{kinds.STARTER_OVERDUE}:{s.id}:{e.element_id}:{e.target}", kinds.STARTER_OVERDUE,
                               s.id, Payload.of(kinds.STARTER_OVERDUE.card(view), f"Induction: {title} overdue"),
                               due_at))
        if manager is None:
            return out
        for e in manager_nudges(stored.elements, today, self.cal, self.manager_after, s.on_record_from):
            element = self.plan.element(e.element_id)
            title = element.title if element else e.element_id.replace("_", " ")
            view = ManagerOverdueView(s.name, title, e.target, starter_nudge_day(e.target, self.cal))
            out.append(Message(f"{kinds.MANAGER_OVERDUE}:{s.id}:{e.element_id}:{e.target}", kinds.MANAGER_OVERDUE,
                               manager.id, Payload.of(kinds.MANAGER_OVERDUE.card(view),
                                                      f"Induction overdue: {s.name}"), due_at))
        return out


async def figures(session: AsyncSession, cal: WorkingCalendar, today: date, month_start: date,
                  staff: dict[int, StaffMember] | None = None) -> list[tuple[FiguresRow, frozenset[str]]]:
    """Each team's induction figures as of `today` for plans in view of `month_start` (qa.induction.team_figures),
    with the service areas of the team's starters (who the service leads are)."""
    staff = staff if staff is not None else await workforce(session, cal.tz)
    plans = [(staff[pid], p) for pid, p in (await store.plans(session, cal.tz)).items() if pid in staff]
    areas: dict[str, set[str]] = {}
    for s, _p in plans:
        areas.setdefault(s.team, set()).update(a.casefold() for a in s.areas)
    rows = team_figures(((s.team, p.elements) for s, p in plans), today, month_start)
    return [(FiguresRow(r.team, r.starters, r.confirmed, r.elements, r.waiting, r.overdue, r.completed),
             frozenset(areas.get(r.team, ()))) for r in rows]


def status_lines(found: list[tuple[FiguresRow, frozenset[str]]], teams: set[str]) -> list[str]:
    """`workforce status`'s induction table for `teams` (none when no plan is in view)."""
    rows = [r for r, _areas in found if r.team in teams]
    if not rows:
        return []
    return ["", "Induction: team | starters | elements confirmed | signed off, to confirm | overdue | "
                "completed this month",
            *(f"{r.team} | {r.starters} | {r.confirmed} of {r.elements} | {r.waiting} | {r.overdue} | {r.completed}"
              for r in rows)]


class InductionFiguresDuty:
    name = "induction-figures"

    def __init__(self, cal: WorkingCalendar) -> None:
        self.cal = cal
        self.cadence = FirstWorkingDayOfMonth(self.cal, key_month=-1)  # keyed by the month just ended

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        return self.cadence.this_month(now)

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        today = self.cal.local_date(occurrence.due_at)
        month_start = date.fromisoformat(f"{occurrence.key}-01")
        staff = await workforce(session, self.cal.tz)
        found = await figures(session, self.cal, today, month_start, staff)
        if not found:
            return
        due_at = self.cal.send_time_for(occurrence.due_at, now)
        month = format_month(occurrence.key)
        messages = []
        for person in sorted(staff.values(), key=lambda p: p.id):
            if person.role == Role.QA_UNIT:
                rows = [r for r, _areas in found]
            elif person.role == Role.SERVICE_LEAD:
                mine = {a.casefold() for a in person.areas}
                rows = [r for r, areas in found if areas & mine]
            else:
                continue
            if rows:
                view = FiguresView(month, today, tuple(rows))
                messages.append(Message(f"{kinds.FIGURES}:{occurrence.key}:{person.id}", kinds.FIGURES, person.id,
                                        Payload.of(kinds.FIGURES.card(view), f"Induction: {month}"), due_at))
        added = await enqueue_many(session, messages, now=now)
        session.add(TrailEvent(subject_type="workforce", action="induction_figures", via=VIA, at=now,
                               detail={"teams": len(found), "recipients": len(messages), "written": added}))
