"""The workforce duties' use cases (framework 9.2; 9.1's ASYE year), on the kit (capabilities/kit.py): one
transaction each, who may act re-checked against the sender, one trail row.

- `asye_held`: an ASYE review point recorded as held today, with one press on the supervisor's digest line
  (date only: there is no field for what was said; the review itself is kept in the council's records);
- `appraisal_held`: a supervisee's annual appraisal recorded as held today, the same way (no appraisal content,
  no personal development plan: date only);
- `swe_confirmed`: a registered social worker confirms, with one press, that they renewed with Social Work
  England and recorded their CPD for the year's renewal period.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from capabilities.context import Context
from capabilities.kit import Outcome, Status, already, refuse, unit, use_case
from capabilities.workforce.access import may_record_asye
from capabilities.workforce.appraisal import due_for, last_appraisals
from capabilities.workforce.asye import held_points, period
from capabilities.workforce.managed import managed_person
from dialogs.card_kit import format_day
from dialogs.workforce_cards import ASYE_TITLES
from qa.workforce import APPRAISAL, ASYE_POINTS, SWE_RENEWAL, renewal_window
from storage.workforce import record_held, workforce

NOTHING_CHANGED = "Nothing was changed."


@dataclass
class WorkforceOutcome(Outcome):
    held_on: date | None = None


@use_case(WorkforceOutcome)
async def asye_held(ctx: Context, actor_id: int | None, person_id: int, point: str, *, now: datetime,
                    via: str) -> WorkforceOutcome:
    """Record `point` (one of qa.workforce.ASYE_POINTS) of the ASYE `person_id` as held today (the council's
    local day). Refused for anyone but their supervisor, those above them, or the QA unit; for someone who is
    not an ASYE; before their ASYE start. Already: the point is recorded (the first record stands)."""
    today = ctx.calendar.local_date(now)
    async with unit(ctx, actor_id, now=now, via=via) as act:
        staff = await workforce(act.session, ctx.calendar.tz)
        about = staff.get(person_id)
        if about is None or about.asye_start is None or point not in ASYE_POINTS:
            refuse("The roster no longer shows this person in their ASYE year. " + NOTHING_CHANGED)
        if not await act.may(lambda actor: may_record_asye(staff, about, actor)):
            refuse(f"Only {about.name}'s supervisor (or someone above them) can record their ASYE reviews. "
                   + NOTHING_CHANGED)
        if today < about.asye_start:
            refuse(f"{about.name}'s ASYE starts on {format_day(about.asye_start)}. " + NOTHING_CHANGED)
        before = (await held_points(act.session, [about]))[about.id].get(point)
        if before is not None or not await record_held(act.session, about.id, point, period(about.asye_start),
                                                       today, act.actor.id if act.actor else None, now):
            already(f"{ASYE_TITLES[point]} for {about.name} is already recorded as held"
                    + (f" on {format_day(before)}." if before else ".") + " " + NOTHING_CHANGED)
        act.trail("person", about.id, "asye_review_held", point=point, held_on=today.isoformat())
    return WorkforceOutcome(Status.DONE, f"{ASYE_TITLES[point]} for {about.name} recorded as held on "
                                         f"{format_day(today)}.", held_on=today)


@use_case(WorkforceOutcome)
async def appraisal_held(ctx: Context, actor_id: int | None, person_id: int, *, now: datetime, via: str,
                         window: tuple[int, int] | None = None) -> WorkforceOutcome:
    """Record the annual appraisal of `person_id` as held today (the council's local day), against the appraisal
    now due (`window`: the council's appraisal window end, or None). Refused for anyone but their supervisor,
    those above them, or the QA unit. Already: an appraisal is recorded today."""
    today = ctx.calendar.local_date(now)
    async with unit(ctx, actor_id, now=now, via=via) as act:
        about, _staff = await managed_person(act, ctx.calendar.tz, person_id, "record their appraisal", NOTHING_CHANGED)
        last = await last_appraisals(act.session, [about.id])
        if last.get(about.id) == today:
            already(f"{about.name}'s appraisal is already recorded as held today. " + NOTHING_CHANGED)
        due = due_for(about, last, ctx.calendar, window)
        if not await record_held(act.session, about.id, APPRAISAL, due.isoformat(), today,
                                 act.actor.id if act.actor else None, now):
            already(f"{about.name}'s appraisal due {format_day(due)} is already recorded as held. " + NOTHING_CHANGED)
        act.trail("person", about.id, "appraisal_held", due=due.isoformat(), held_on=today.isoformat())
    return WorkforceOutcome(Status.DONE, f"Annual appraisal for {about.name} recorded as held on {format_day(today)}.",
                            held_on=today)


@use_case(WorkforceOutcome)
async def swe_confirmed(ctx: Context, actor_id: int | None, year: int, *, now: datetime, via: str,
                        window=None) -> WorkforceOutcome:
    """The sender confirms their Social Work England renewal and CPD for `year` (today, the council's local day).
    Refused for someone the roster does not mark registered, and before the year's renewal period opens.
    Already: confirmed before (the first confirmation stands)."""
    today = ctx.calendar.local_date(now)
    async with unit(ctx, actor_id, now=now, via=via) as act:
        assert act.actor is not None
        if not act.actor.registered:
            refuse("The roster does not show you as a registered social worker, so there is no renewal to confirm. "
                   + NOTHING_CHANGED)
        opens, _closes = renewal_window(year, window) if window else renewal_window(year)  # default period
        if today < opens:
            refuse(f"The {year} renewal period opens on {format_day(opens)}. " + NOTHING_CHANGED)
        if not await record_held(act.session, act.actor.id, SWE_RENEWAL, str(year), today, act.actor.id, now):
            already(f"Your {year} renewal is already confirmed. " + NOTHING_CHANGED)
        act.trail("person", act.actor.id, "swe_renewal_confirmed", year=year)
    return WorkforceOutcome(Status.DONE, f"Renewal {year} and CPD confirmed.", held_on=today)
