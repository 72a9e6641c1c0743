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

from capabilities.context import Context
from capabilities.copies import update_copies
from capabilities.duties import Occurrence
from capabilities.escalations import kinds
from capabilities.escalations.access import learning_for, on_panel, panel_for
from capabilities.escalations.by_duty import DutyAct
from capabilities.escalations.flow import NOT_FOUND, case_facts
from capabilities.kit import NOTHING_CHANGED, Act, Outcome, Status, already, look, refuse, unit, use_case
from dialogs import escalation_cards as ec
from dialogs.card_kit import format_moment
from qa.audit_calendar import month_key, parse_month_key
from qa.cadence import DayOfMonth
from qa.calendar import WorkingCalendar
from qa.escalations import REASON_MAX, draw_dip_sample
from qa.framework import GRADES
from qa.identifiers import first_refusal
from storage.models import Allocation, Audit, DipSample, DipSampleItem, Person

DRAWN, AGREED, DIFFERED = "dip_sample_drawn", "dip_sample_agreed", "dip_sample_differed"
ONLY_PANEL = ("Only the moderation panel (the QA unit and the heads of service for this case's area) can record "
              "this. " + NOTHING_CHANGED)


def previous_month(month: str) -> str:
    year, number = parse_month_key(month)
    return month_key(year - 1, 12) if number == 1 else month_key(year, number - 1)


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

    def __init__(self, cal: WorkingCalendar, day: int, percent: int) -> None:
        self.cal = cal
        self.day = day  # QA_DIP_SAMPLE_DAY (config.py)
        self.percent = percent  # QA_DIP_SAMPLE_PERCENT
        self.cadence = DayOfMonth(cal, self.day)  # qa.escalations.dip_sample_day, at the send time

    def occurrences(self, now: datetime):
        """This month's draw once its moment (send_at on the day) has come (a bot that was down then
        draws it when it is back, within the month)."""
        return self.cadence.this_month(now)

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
        run = DutyAct(session, now, self.cal.send_time_for(occurrence.due_at, now), f"duty:{self.name}", self.cal.tz)
        items = []
        for audit_id in chosen:
            audit = await session.get(Audit, audit_id)
            item = DipSampleItem(sample_id=sample.id, audit_id=audit_id, allocation_id=audit.allocation_id,
                                 state="pending")
            session.add(item)
            items.append(item)
        await session.flush()
        run.trail("dip_sample", sample.id, DRAWN, month=audited, seed=seed, percent=self.percent,
                  population=len(population), sampled=len(items))
        for item in items:
            allocation = await session.get(Allocation, item.allocation_id)
            view = await item_view(session, item)
            await run.notify(kinds.DIP_SAMPLE, await panel_for(session, allocation), kinds.DIP_SAMPLE.message(
                view, self.cal.tz, summary=f"Dip sample: case {allocation.case_ref}"), key=f"{kinds.DIP_SAMPLE}:{item.id}")


async def _pending(act: Act, item_id: int) -> tuple[DipSampleItem, Allocation, ec.DipItemView]:
    """The item, locked, for a panel member to record while it is pending."""
    item = await act.lock(DipSampleItem, item_id, missing=NOT_FOUND)
    allocation = await act.session.get(Allocation, item.allocation_id)
    if not await act.may(lambda p: on_panel(p, allocation)):
        refuse(ONLY_PANEL)
    view = await item_view(act.session, item)
    if item.state != "pending":
        tz = act.calendar.tz
        what = "agreed with the grade" if view.agreed else f"would grade it {view.grade_given}"
        already(f"{view.decided_by} already recorded that the panel {what}, on "
                f"{format_moment(view.decided_at, tz)}. {NOTHING_CHANGED}", card=ec.dip_sample_card(view, tz),
                title=f"Dip sample: case {allocation.case_ref}")
    return item, allocation, view


async def _recorded(act: Act, item: DipSampleItem, allocation: Allocation, pressed: Collection[int]) -> Outcome:
    """The other panel members' copies (all but the outbox rows `pressed`) show what was recorded."""
    view = await item_view(act.session, item)
    decided = ec.dip_sample_card(view, act.calendar.tz)
    await update_copies(act.session, [f"{kinds.DIP_SAMPLE}:{item.id}:"], decided,
                        f"Dip sample recorded: case {allocation.case_ref}", kind=kinds.DIP_SAMPLE_DECIDED,
                        key=f"{kinds.DIP_SAMPLE_DECIDED}:{item.id}", now=act.now, skip=pressed)
    return Outcome(Status.DONE, card=decided)


@use_case()
async def agree(ctx: Context, actor_id: int, item_id: int, *, now: datetime, via: str,
                pressed: Collection[int] = ()) -> Outcome:
    """A panel member records that the panel agrees with the auditor's grade."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        item, allocation, view = await _pending(act, item_id)
        item.decided_by_id, item.decided_at, item.state = act.actor.id, now, "agreed"
        act.trail("dip_sample", item.sample_id, AGREED, month=allocation.month, item_id=item.id,
                  grade=view.case.grade)
        await act.session.flush()
        return await _recorded(act, item, allocation, pressed)


def differ_problem(grade: str, comment: str, auditor_grade: str) -> str | None:
    """What is wrong with a different grade and its comment, or None."""
    if grade not in GRADES or grade == auditor_grade:
        return "Please choose the grade you would give (a different one from the auditor's)."
    if not comment:
        return "Please add a comment for the auditor's learning."
    if len(comment) > REASON_MAX:
        return f"The comment is {len(comment)} characters; please keep it to {REASON_MAX}."
    return first_refusal({"The comment": comment})


@use_case()
async def differ(ctx: Context, actor_id: int, item_id: int, grade: str | None, comment: str | None, *,
                 now: datetime, via: str, pressed: Collection[int] = ()) -> Outcome:
    """A panel member records the grade the panel would give, with a comment; the auditor and their
    service lead(s) learn of it."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        session, tz = act.session, act.calendar.tz
        item, allocation, view = await _pending(act, item_id)
        grade, comment = (grade or "").strip(), (comment or "").strip()
        problem = differ_problem(grade, comment, view.case.grade)
        if problem:
            return Outcome(Status.INVALID, problem, card=ec.dip_sample_card(view, tz, problem))
        item.decided_by_id, item.decided_at = act.actor.id, now
        item.state, item.grade_given, item.comment = "disagreed", grade, comment
        act.trail("dip_sample", item.sample_id, DIFFERED, month=allocation.month, item_id=item.id,
                  grade=view.case.grade, grade_given=grade, comment_length=len(comment))
        await session.flush()
        view = await item_view(session, item)
        told = await learning_for(session, await session.get(Person, allocation.auditor_id))
        await act.notify(kinds.DIP_LEARNING, told, kinds.DIP_LEARNING.message(
            view, tz, summary=f"Moderation learning: case {allocation.case_ref}"), key=f"{kinds.DIP_LEARNING}:{item.id}")
        return await _recorded(act, item, allocation, pressed)


@use_case()
async def view(ctx: Context, actor_id: int, item_id: int, *, now: datetime, via: str) -> Outcome:
    """The item's card as it stands now (a copy's refresh), for the panel."""
    async with look(ctx, actor_id, now=now, via=via) as act:
        item = await act.get(DipSampleItem, item_id, missing=NOT_FOUND)
        allocation = await act.session.get(Allocation, item.allocation_id)
        if not await act.may(lambda p: on_panel(p, allocation)):
            refuse(ONLY_PANEL)
        return Outcome(Status.UNCHANGED, card=ec.dip_sample_card(await item_view(act.session, item), act.calendar.tz))
