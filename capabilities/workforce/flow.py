"""The workforce duties' use cases (framework 9.2; 9.1's ASYE year), on the kit (capabilities/kit.py): one
transaction each, who may act re-checked against the sender, one trail row.

- `asye_held`: an ASYE review point recorded as held today, with one press on the supervisor's digest line
  (date only: there is no field for what was said; the review itself is kept in the council's records).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from capabilities.context import Context
from capabilities.kit import Outcome, Status, already, refuse, unit, use_case
from capabilities.workforce.access import may_record_asye
from capabilities.workforce.asye import held_points, period
from dialogs.card_kit import format_day
from dialogs.workforce_cards import ASYE_TITLES
from qa.workforce import ASYE_POINTS
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
