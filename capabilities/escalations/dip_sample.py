"""The monthly dip-sample moderation (framework 9.3, "Moderation and Management oversight").

On QA_DIP_SAMPLE_DAY each month (default the 10th, the next working day when it is not one) the
duty draws QA_DIP_SAMPLE_PERCENT (default 10%, at least one per service area) of the previous
month's submitted audits at random, records the seed (qa.escalations.draw_dip_sample redraws the
same sample from it) and sends each sampled audit to the moderation panel: the QA unit and the
heads of service for its area. One panel member records agree, or the grade they would give with
a comment; the other copies are updated in place to show it (capabilities/copies.py). A different
grade goes to the auditor and their service lead as learning, not blame.
"""
from __future__ import annotations

import random
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.copies import update_copies
from capabilities.duties import Occurrence
from capabilities.escalations import kinds
from capabilities.escalations.config import dip_sample_day, dip_sample_percent
from capabilities.escalations.flow import (
    ALREADY,
    DONE,
    INVALID,
    NOT_FOUND,
    NOT_ON_ROSTER,
    NOTHING_CHANGED,
    REFUSED,
    UNCHANGED,
    Result,
    case_facts,
    event,
    send,
)
from capabilities.escalations.people import covers
from dialogs import escalation_cards as ec
from dialogs.card_kit import format_moment
from qa.audit_calendar import month_key, parse_month_key
from qa.calendar import WorkingCalendar
from qa.escalations import REASON_MAX, draw_dip_sample
from qa.escalations import dip_sample_day as sample_day
from qa.framework import GRADES
from qa.identifiers import first_refusal
from storage.db import Database
from storage.models import Allocation, Audit, DipSample, DipSampleItem, Person
from storage.people import active

DRAWN, AGREED, DIFFERED = "dip_sample_drawn", "dip_sample_agreed", "dip_sample_differed"
ONLY_PANEL = ("Only the moderation panel (the QA unit and the heads of service for this case's area) can record "
              "this. " + NOTHING_CHANGED)


def previous_month(month: str) -> str:
    year, number = parse_month_key(month)
    return month_key(year - 1, 12) if number == 1 else month_key(year, number - 1)


def on_panel(person: Person, allocation: Allocation) -> bool:
    return person.active and (person.role == "qa_unit" or (
        person.role == "head_of_service" and covers(person, allocation.service_area)))


async def panel_for(session: AsyncSession, allocation: Allocation) -> list[Person]:
    return [p for p in await active(session, ["qa_unit", "head_of_service"]) if on_panel(p, allocation)]


async def item_view(session: AsyncSession, item: DipSampleItem) -> ec.DipItemView:
    sample = await session.get(DipSample, item.sample_id)
    ids = list((await session.execute(select(DipSampleItem.id).where(DipSampleItem.sample_id == sample.id)
                                      .order_by(DipSampleItem.id))).scalars())
    who = await session.get(Person, item.decided_by_id) if item.decided_by_id else None
    return ec.DipItemView(item_id=item.id, case=await case_facts(session, item.allocation_id),
                          sample_month=sample.month, position=ids.index(item.id) + 1, of=len(ids),
                          decided_by=who.display_name if who else None, decided_at=item.decided_at,
                          agreed=item.state != "disagreed", grade_given=item.grade_given or "",
                          comment=item.comment or "")


class DipSampleDuty:
    """Draws each month's dip sample on its day (see the module notes)."""

    name = "dip-sample"

    def __init__(self, cal: WorkingCalendar, day: int | None = None, percent: int | None = None) -> None:
        self.cal = cal
        self.day = dip_sample_day() if day is None else day
        self.percent = dip_sample_percent() if percent is None else percent

    def occurrences(self, now: datetime):
        """This month's draw once its moment (send_at on the day) has come (a bot that was down then
        draws it when it is back, within the month)."""
        today = self.cal.local_date(now)
        at = self.cal.at_send_time(sample_day(today.year, today.month, self.cal, self.day))
        if at <= now:
            yield Occurrence(month_key(today.year, today.month), at)

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        audited = previous_month(occurrence.key)
        if (await session.execute(select(DipSample.id).where(DipSample.month == audited))).first() is not None:
            return
        population = (await session.execute(
            select(Audit.id, Allocation.service_area).join(Allocation, Allocation.id == Audit.allocation_id)
            .where(Allocation.month == audited, Audit.submitted_at.is_not(None)))).all()
        if not population:
            return
        seed = random.SystemRandom().randrange(1, 2**31 - 1)
        chosen = draw_dip_sample([(a, area) for a, area in population], self.percent, seed)
        sample = DipSample(month=audited, seed=seed, percent=self.percent, population=len(population), drawn_at=now)
        session.add(sample)
        await session.flush()
        due_at = self.cal.send_time_for(occurrence.due_at, now)
        items = []
        for audit_id in chosen:
            audit = await session.get(Audit, audit_id)
            item = DipSampleItem(sample_id=sample.id, audit_id=audit_id, allocation_id=audit.allocation_id,
                                 state="pending")
            session.add(item)
            items.append(item)
        await session.flush()
        event(session, "dip_sample", sample.id, audited, None, DRAWN, f"duty:{self.name}", now,
              seed=seed, percent=self.percent, population=len(population), sampled=len(items))
        for item in items:
            allocation = await session.get(Allocation, item.allocation_id)
            view = await item_view(session, item)
            await send(session, kinds.DIP_SAMPLE, str(item.id), await panel_for(session, allocation),
                       kinds.DIP_SAMPLE.card(view, self.cal.tz), f"Dip sample: case {allocation.case_ref}", due_at,
                       now)


async def decide(db: Database, actor_id: int, item_id: int, *, agree: bool, grade: str | None = None,
                 comment: str | None = None, now: datetime, cal: WorkingCalendar, via: str,
                 pressed: Collection[int] = ()) -> Result:
    """One panel member records agree, or the grade they would give with a comment; the other panel
    members' copies (all but the outbox rows `pressed`) are updated in place to show it."""
    async with db.sessions.begin() as session:
        actor = await session.get(Person, actor_id)
        if actor is None or not actor.active:
            return Result(REFUSED, message=NOT_ON_ROSTER)
        item = (await session.execute(select(DipSampleItem).where(DipSampleItem.id == item_id)
                                      .with_for_update())).scalar_one_or_none()
        if item is None:
            return Result(REFUSED, message=NOT_FOUND)
        allocation = await session.get(Allocation, item.allocation_id)
        if not on_panel(actor, allocation):
            return Result(REFUSED, message=ONLY_PANEL)
        view = await item_view(session, item)
        if item.state != "pending":
            what = "agreed with the grade" if view.agreed else f"would grade it {view.grade_given}"
            return Result(ALREADY, ec.dip_sample_card(view, cal.tz),
                          f"{view.decided_by} already recorded that the panel {what}, on "
                          f"{format_moment(view.decided_at, cal.tz)}. {NOTHING_CHANGED}",
                          f"Dip sample: case {allocation.case_ref}")
        if not agree:
            grade, comment = (grade or "").strip(), (comment or "").strip()
            problem = None
            if grade not in GRADES or grade == view.case.grade:
                problem = "Please choose the grade you would give (a different one from the auditor's)."
            elif not comment:
                problem = "Please add a comment for the auditor's learning."
            elif len(comment) > REASON_MAX:
                problem = f"The comment is {len(comment)} characters; please keep it to {REASON_MAX}."
            else:
                problem = first_refusal({"The comment": comment})
            if problem:
                return Result(INVALID, ec.dip_sample_card(view, cal.tz, problem), problem)
        item.decided_by_id, item.decided_at = actor.id, now
        if agree:
            item.state = "agreed"
            event(session, "dip_sample", item.sample_id, allocation.month, actor.id, AGREED, via, now,
                  item_id=item.id, grade=view.case.grade)
        else:
            item.state, item.grade_given, item.comment = "disagreed", grade, comment
            event(session, "dip_sample", item.sample_id, allocation.month, actor.id, DIFFERED, via, now,
                  item_id=item.id, grade=view.case.grade, grade_given=grade, comment_length=len(comment))
        await session.flush()
        view = await item_view(session, item)
        if not agree:
            auditor = await session.get(Person, allocation.auditor_id)
            told = [auditor] if auditor is not None and auditor.active else []
            if auditor is not None:
                told += [p for p in await active(session, ["service_lead"])
                         if any(covers(p, area) for area in auditor.service_areas) and p.id != auditor.id]
            await send(session, kinds.DIP_LEARNING, str(item.id), told, kinds.DIP_LEARNING.card(view, cal.tz),
                       f"Moderation learning: case {allocation.case_ref}", cal.next_send_moment(now), now)
        decided = ec.dip_sample_card(view, cal.tz)
        await update_copies(session, [f"{kinds.DIP_SAMPLE}:{item.id}:"], decided,
                            f"Dip sample recorded: case {allocation.case_ref}", kind=kinds.DIP_SAMPLE_DECIDED,
                            key=f"{kinds.DIP_SAMPLE_DECIDED}:{item.id}", now=now, skip=pressed)
        return Result(DONE, decided)


async def view(db: Database, actor_id: int, item_id: int, cal: WorkingCalendar) -> Result:
    async with db.sessions() as session:
        actor = await session.get(Person, actor_id)
        item = await session.get(DipSampleItem, item_id)
        if actor is None or item is None:
            return Result(REFUSED, message=NOT_FOUND)
        allocation = await session.get(Allocation, item.allocation_id)
        if not on_panel(actor, allocation):
            return Result(REFUSED, message=ONLY_PANEL)
        return Result(UNCHANGED, ec.dip_sample_card(await item_view(session, item), cal.tz))


__all__ = ["DipSampleDuty", "decide", "previous_month", "view"]
