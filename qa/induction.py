"""Induction of new staff and managers (framework 9.2: "All new staff and managers must receive an induction
... the staff member must sign off each element in the Induction Plan as it is completed"; section 8: practice
managers implement it), as plain rules: dates in, dates out. Pure: no database, no Teams, no clock.

- The council's induction plan is a list of elements, each with a target week (the definition file,
  capabilities/workforce/induction_plan.json by default; `plan_problems` is what the schema cannot say).
- A new starter's first day is their start date, or the next working day when it is not one (a start date on a
  Saturday begins on the Monday). Week N runs from the first day for seven days; an element with target week N
  is due by the last working day of it (a week ending on a bank holiday: the working day before), never before
  the first day.
- A person is a new starter, and gets a plan without anyone asking, when the roster's start_date is within the
  last `months` calendar months up to today (QA_INDUCTION_NEW_STARTER_MONTHS; 0: only those their manager
  marks). Someone whose start date is not on the roster, or older, gets one when their manager marks them
  (`induction <email>`), starting on the roster's start date if it has one, else the day marked.
- An element is done when the starter signs it off and confirmed when their manager confirms it. One not
  signed off by its target date is overdue: the starter is nudged on the first working day after it, their
  manager `manager_after` working days later (QA_INDUCTION_MANAGER_AFTER), each once, for 30 days (a morning
  the bot missed sends it late rather than never). An element due before the bot held the person's record
  (go-live) is not nudged, as for ASYE review points.
- The plan is complete when every element is confirmed.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from qa.calendar import WorkingCalendar
from qa.supervision import add_months

MAX_WEEK = 52
NUDGE_FOR_DAYS = 30  # a nudge not sent on its day (the bot was down) is sent on a later morning within this

CONFIRMED = "confirmed"
SIGNED = "signed"  # signed off by the starter, waiting for their manager
OVERDUE = "overdue"
DUE = "due"


@dataclass(frozen=True)
class PlanElement:
    """One element of the council's induction plan: its id (kept with each starter's record), what it is, and
    the week of the induction it is to be done in (1: the first week)."""

    id: str
    title: str
    week: int
    detail: str = ""


@dataclass(frozen=True)
class PlanDefinition:
    """The council's induction plan (the definition file, checked)."""

    name: str
    title: str
    version: int
    elements: tuple[PlanElement, ...]

    def element(self, element_id: str) -> PlanElement | None:
        return next((e for e in self.elements if e.id == element_id), None)


def plan_problems(data: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """What is wrong with a schema-valid plan beyond its shape, each as (where, what): element ids and titles
    each used once. Empty when the plan is sound."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    ids: set[str] = set()
    titles: set[str] = set()
    for i, element in enumerate(data.get("elements") or []):
        if element["id"] in ids:
            found.append((("elements", i, "id"), f"the element id {element['id']!r} is used twice"))
        if element["title"].casefold() in titles:
            found.append((("elements", i, "title"), f"the element title {element['title']!r} is used twice"))
        ids.add(element["id"])
        titles.add(element["title"].casefold())
    return found


def plan_from_data(data: Mapping[str, Any]) -> PlanDefinition:
    """A checked definition (schema-valid, no `plan_problems`) as a PlanDefinition, elements in the file's order."""
    return PlanDefinition(data["name"], data["title"], data["version"], tuple(
        PlanElement(e["id"], e["title"], e["week"], e.get("detail", "")) for e in data["elements"]))


def first_day(start: date, cal: WorkingCalendar) -> date:
    """A starter's first working day: the start date, or the next working day when it is not one."""
    return cal.next_working_day(start, include_self=True)


def target_date(start: date, week: int, cal: WorkingCalendar) -> date:
    """The day an element with target week `week` (1 to MAX_WEEK) is due, for a starter who started on `start`:
    the last working day of that week of their induction, never before their first day."""
    if not 1 <= week <= MAX_WEEK:
        raise ValueError(f"week must be from 1 to {MAX_WEEK}, got {week!r}")
    first = first_day(start, cal)
    return max(first, cal.previous_working_day(first + timedelta(days=7 * week - 1), include_self=True))


def plan_targets(start: date, elements: Iterable[PlanElement], cal: WorkingCalendar) -> dict[str, date]:
    """element id -> target date, for a starter who started on `start`, in the plan's order."""
    return {e.id: target_date(start, e.week, cal) for e in elements}


def is_new_starter(start_date: date | None, today: date, months: int) -> bool:
    """Whether the roster's `start_date` makes someone a new starter on `today`: within the last `months`
    calendar months, up to today (0 months: nobody is, without their manager marking them)."""
    return start_date is not None and months > 0 and add_months(today, -months) <= start_date <= today


@dataclass(frozen=True)
class ElementState:
    """One element of one starter's plan as held: its id, target date, and the local days it was signed off
    and confirmed (None: not yet)."""

    element_id: str
    target: date
    signed_on: date | None = None
    confirmed_on: date | None = None


def standing(e: ElementState, today: date) -> str:
    """CONFIRMED, SIGNED (waiting for the manager), OVERDUE (not signed off after its target date) or DUE."""
    if e.confirmed_on is not None:
        return CONFIRMED
    if e.signed_on is not None:
        return SIGNED
    return OVERDUE if e.target < today else DUE


def starter_nudge_day(target: date, cal: WorkingCalendar) -> date:
    """The day the starter is nudged about an element not signed off: the first working day after its target."""
    return cal.next_working_day(target)


def manager_nudge_day(target: date, cal: WorkingCalendar, manager_after: int) -> date:
    """The day the manager is told: `manager_after` working days after the starter's nudge."""
    return cal.add_working_days(starter_nudge_day(target, cal), manager_after)


def _nudged(day: date, today: date) -> bool:
    return day <= today < day + timedelta(days=NUDGE_FOR_DAYS)


def starter_nudges(elements: Sequence[ElementState], today: date, cal: WorkingCalendar,
                   on_record_from: date | None = None) -> list[ElementState]:
    """The elements to nudge the starter about on `today` (each keyed once by its caller: see the notes)."""
    return [e for e in elements if e.signed_on is None and (on_record_from is None or e.target >= on_record_from)
            and _nudged(starter_nudge_day(e.target, cal), today)]


def manager_nudges(elements: Sequence[ElementState], today: date, cal: WorkingCalendar, manager_after: int,
                   on_record_from: date | None = None) -> list[ElementState]:
    """The elements still not signed off to tell the starter's manager about on `today`."""
    return [e for e in elements if e.signed_on is None and (on_record_from is None or e.target >= on_record_from)
            and _nudged(manager_nudge_day(e.target, cal, manager_after), today)]


def complete_on(elements: Sequence[ElementState]) -> date | None:
    """The day the plan was completed (the last confirmation), or None while any element is not confirmed."""
    if not elements or any(e.confirmed_on is None for e in elements):
        return None
    return max(e.confirmed_on for e in elements if e.confirmed_on is not None)


@dataclass(frozen=True)
class TeamFigures:
    """One team's inductions on a day: starters with a plan in view, elements confirmed of all, signed off
    waiting for the manager, overdue, and plans completed in the month just ended."""

    team: str
    starters: int
    confirmed: int
    elements: int
    waiting: int
    overdue: int
    completed: int


def in_view(elements: Sequence[ElementState], month_start: date) -> bool:
    """Whether a plan counts in the monthly figures: not complete, or completed on or after `month_start`."""
    done = complete_on(elements)
    return done is None or done >= month_start


def team_figures(plans: Iterable[tuple[str, Sequence[ElementState]]], today: date, month_start: date
                 ) -> list[TeamFigures]:
    """Per team (by name, case ignored), from (team, plan) pairs: the figures above, as of `today`, for plans
    `in_view` of `month_start` (the first day of the month just ended, for the monthly figures)."""
    out: dict[str, list[int]] = {}
    for team, elements in plans:
        if not in_view(elements, month_start):
            continue
        row = out.setdefault(team, [0, 0, 0, 0, 0, 0])
        marks = [standing(e, today) for e in elements]
        done = complete_on(elements)
        row[0] += 1
        row[1] += marks.count(CONFIRMED)
        row[2] += len(marks)
        row[3] += marks.count(SIGNED)
        row[4] += marks.count(OVERDUE)
        row[5] += done is not None and month_start <= done < today
    return [TeamFigures(team, *row) for team, row in sorted(out.items(), key=lambda t: t[0].casefold())]
