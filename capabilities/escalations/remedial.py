"""Remedial actions (framework 9.3, "Inadequate or Requires Improvement cases"): once oversight is
confirmed on an audit graded Requires Improvement or Inadequate, the service lead who confirmed it
(or, gone, the area's service leads) gets a card to record the actions: each with a target date
and, optionally, the person responsible from the roster. An action not marked done is chased on
its target date to the service lead (and the person responsible), and the next working day to
the service lead and the head of service. Marking it done is one press.

Who may add or mark done: a service lead or head of service for the case's area; the person
responsible may mark their own action done. One transaction each, with its TrailEvent
(subject "remedial_plan"; detail: lengths, counts, the target date, never the typed text); every
other copy of the plan (the request, the chases) is updated in place (capabilities/copies.py).
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.copies import pressed as pressed_rows
from capabilities.copies import update_copies
from capabilities.escalations import kinds
from capabilities.escalations.actions import card_name, with_message
from capabilities.escalations.flow import (
    DONE,
    INVALID,
    NOT_FOUND,
    NOT_ON_ROSTER,
    NOTHING_CHANGED,
    REFUSED,
    UNCHANGED,
    Result,
    event,
    send,
)
from capabilities.escalations.people import covers, reviewers
from capabilities.press import UNREADABLE, Press, Reply, positive_id
from dialogs import remedial_cards as rc
from dialogs.card_kit import format_moment
from dialogs.card_update import polite_card
from qa.calendar import WorkingCalendar
from qa.escalations import REMEDIAL_GRADES, RuleError, check_remedial, parse_day
from qa.identifiers import first_refusal
from storage import follow_ups
from storage.cycle import area_key
from storage.db import Database
from storage.models import Allocation, Audit, Person, RemedialAction, RemedialPlan
from storage.people import active

PLAN_OPENED, ACTION_ADDED, ACTION_DONE = "remedial_plan_opened", "remedial_action_added", "remedial_action_done"
ACTION_CHASED = "remedial_action_chased"
ONLY_AREA = ("Only a service lead or head of service for this case's service area can record remedial actions. "
             + NOTHING_CHANGED)
LOOK_BACK = timedelta(days=35)
PEOPLE_LIMIT = 100  # names offered as "responsible"


def may_manage(person: Person, allocation: Allocation) -> bool:
    return person.active and person.role in ("service_lead", "head_of_service") and covers(
        person, allocation.service_area)


async def responsible_choices(session: AsyncSession, allocation: Allocation) -> list[tuple[int, str]]:
    """Who may be named responsible: active people of the case's team or its area's managers."""
    chosen = [p for p in await active(session, ["practitioner", "practice_manager", "service_lead"])
              if area_key(p.team) == area_key(allocation.team) or (p.role != "practitioner" and covers(
                  p, allocation.service_area))]
    chosen.sort(key=lambda p: p.display_name.casefold())
    return [(p.id, p.display_name) for p in chosen[:PEOPLE_LIMIT]]


async def plan_view(session: AsyncSession, plan: RemedialPlan) -> rc.PlanView:
    allocation = await session.get(Allocation, plan.allocation_id)
    rows = (await session.execute(select(RemedialAction).where(RemedialAction.plan_id == plan.id)
                                  .order_by(RemedialAction.target_on, RemedialAction.id))).scalars()

    async def name(person_id: int | None) -> str | None:
        person = await session.get(Person, person_id) if person_id else None
        return person.display_name if person else None

    lines = [rc.ActionLine(action_id=a.id, text=a.text, target_on=a.target_on, responsible=await name(a.responsible_id),
                           done_by=await name(a.done_by_id), done_at=a.done_at) for a in rows]
    return rc.PlanView(plan_id=plan.id, case_ref=allocation.case_ref, month=allocation.month, team=allocation.team,
                       service_area=allocation.service_area, grade=plan.grade, actions=tuple(lines))


async def plan_card(session: AsyncSession, plan: RemedialPlan, cal: WorkingCalendar, note: rc.Note = "current",
                    error: str | None = None) -> dict:
    allocation = await session.get(Allocation, plan.allocation_id)
    return rc.remedial_plan_card(await plan_view(session, plan), cal.tz,
                                 await responsible_choices(session, allocation), note, error)


# -- intake: oversight confirmed on RI / Inadequate ------------------------------------------------

async def request_plans(session: AsyncSession, now: datetime, due_at: datetime, cal: WorkingCalendar,
                        via: str) -> int:
    """Every audit graded Requires Improvement or Inadequate whose oversight was confirmed in the last
    LOOK_BACK gets a plan, and the service lead who confirmed it the card. The number of new plans."""
    found = (await session.execute(
        select(Allocation, Audit).join(Audit, Audit.allocation_id == Allocation.id)
        .outerjoin(RemedialPlan, RemedialPlan.allocation_id == Allocation.id)
        .where(Allocation.oversight_at.is_not(None), Allocation.oversight_at >= now - LOOK_BACK,
               Allocation.oversight_at <= now, Allocation.state.in_(("oversight_confirmed", "complete")),
               Audit.overall_grade.in_(REMEDIAL_GRADES), RemedialPlan.id.is_(None))
        .order_by(Allocation.oversight_at, Allocation.id))).all()
    for allocation, audit in found:
        plan = RemedialPlan(allocation_id=allocation.id, grade=audit.overall_grade, created_at=now)
        session.add(plan)
        await session.flush()
        lead = await session.get(Person, allocation.oversight_by_id) if allocation.oversight_by_id else None
        people = [lead] if lead is not None and lead.active and may_manage(lead, allocation) else [
            p for p in await reviewers(session, allocation.service_area) if p.role == "service_lead"]
        event(session, "remedial_plan", plan.id, allocation.month, None, PLAN_OPENED, via, now,
              allocation_id=allocation.id, grade=audit.overall_grade, recipients=len(people))
        await send(session, kinds.REMEDIAL_REQUEST, str(plan.id), people, await plan_card(session, plan, cal, "new"),
                   f"Remedial actions: case {allocation.case_ref}", due_at, now)
    return len(found)


# -- presses ---------------------------------------------------------------------------------------

async def add_action(db: Database, actor_id: int, plan_id: int, values: dict[str, str | None], *, now: datetime,
                     cal: WorkingCalendar, via: str, pressed: Collection[int] = ()) -> Result:
    async with db.sessions.begin() as session:
        actor = await session.get(Person, actor_id)
        if actor is None or not actor.active:
            return Result(REFUSED, message=NOT_ON_ROSTER)
        plan = (await session.execute(select(RemedialPlan).where(RemedialPlan.id == plan_id)
                                      .with_for_update())).scalar_one_or_none()
        if plan is None:
            return Result(REFUSED, message=NOT_FOUND)
        allocation = await session.get(Allocation, plan.allocation_id)
        if not may_manage(actor, allocation):
            return Result(REFUSED, message=ONLY_AREA)
        target = parse_day(values.get(rc.TARGET))
        try:
            text, dates = check_remedial(values.get(rc.TEXT), target, now, cal)
        except RuleError as exc:
            return Result(INVALID, await plan_card(session, plan, cal, error=str(exc)), str(exc))
        refusal = first_refusal({"The action": text})
        if refusal:
            return Result(INVALID, await plan_card(session, plan, cal, error=refusal), refusal)
        responsible_id = positive_id(values.get(rc.RESPONSIBLE)) if values.get(rc.RESPONSIBLE) else None
        if responsible_id is not None and responsible_id not in dict(await responsible_choices(session, allocation)):
            message = "Please choose the person responsible from the list, or leave it empty."
            return Result(INVALID, await plan_card(session, plan, cal, error=message), message)
        action = RemedialAction(plan_id=plan.id, text=text, target_on=target, responsible_id=responsible_id,
                                created_by_id=actor.id, created_at=now)
        session.add(action)
        await session.flush()
        for kind, due in ((kinds.REMEDIAL_DUE, dates.remind_at), (kinds.REMEDIAL_OVERDUE, dates.chase_at)):
            await follow_ups.owe(session, key=f"{kind}:{action.id}", kind=kind, subject_type="remedial_action",
                                 subject_id=action.id, due_at=due, now=now)
        event(session, "remedial_plan", plan.id, allocation.month, actor.id, ACTION_ADDED, via, now,
              action_id=action.id, length=len(text), target_on=target.isoformat(),
              responsible=responsible_id is not None)
        await update_plan_copies(session, plan, allocation, f"{plan.id}:added:{action.id}", now, cal, pressed)
        return Result(DONE, await plan_card(session, plan, cal))


async def mark_done(db: Database, actor_id: int, action_id: int, *, now: datetime, cal: WorkingCalendar,
                    via: str, pressed: Collection[int] = ()) -> Result:
    async with db.sessions.begin() as session:
        actor = await session.get(Person, actor_id)
        if actor is None or not actor.active:
            return Result(REFUSED, message=NOT_ON_ROSTER)
        action = (await session.execute(select(RemedialAction).where(RemedialAction.id == action_id)
                                        .with_for_update())).scalar_one_or_none()
        if action is None:
            return Result(REFUSED, message=NOT_FOUND)
        plan = await session.get(RemedialPlan, action.plan_id)
        allocation = await session.get(Allocation, plan.allocation_id)
        if not (may_manage(actor, allocation) or actor.id == action.responsible_id):
            return Result(REFUSED, message=ONLY_AREA)
        if action.done_at is not None:
            who = await session.get(Person, action.done_by_id)
            message = (f"{who.display_name if who else 'Someone'} already marked this action done on "
                       f"{format_moment(action.done_at, cal.tz)}. {NOTHING_CHANGED}")
            return Result("already", await plan_card(session, plan, cal), message)
        action.done_by_id, action.done_at = actor.id, now
        await follow_ups.cancel_for(session, "remedial_action", [action.id], now, state=follow_ups.DONE)
        event(session, "remedial_plan", plan.id, allocation.month, actor.id, ACTION_DONE, via, now,
              action_id=action.id, late=cal.local_date(now) > action.target_on)
        await session.flush()
        await update_plan_copies(session, plan, allocation, f"{plan.id}:done:{action.id}", now, cal, pressed)
        return Result(DONE, await plan_card(session, plan, cal))


async def update_plan_copies(session: AsyncSession, plan: RemedialPlan, allocation: Allocation, key: str,
                             now: datetime, cal: WorkingCalendar, skip: Collection[int]) -> None:
    """Every copy of the plan sent so far (the request, each action's due and overdue chases), but
    the outbox rows `skip`, shows it as it now stands (capabilities/copies.py)."""
    action_ids = list((await session.execute(select(RemedialAction.id).where(
        RemedialAction.plan_id == plan.id))).scalars())
    prefixes = [f"{kinds.REMEDIAL_REQUEST}:{plan.id}:",
                *(f"{kind}:{a}:" for a in action_ids for kind in (kinds.REMEDIAL_DUE, kinds.REMEDIAL_OVERDUE))]
    await update_copies(session, prefixes, await plan_card(session, plan, cal),
                        f"Remedial actions: case {allocation.case_ref}", kind=kinds.REMEDIAL_UPDATE,
                        key=f"{kinds.REMEDIAL_UPDATE}:{key}", now=now, skip=skip)


async def view_plan(db: Database, actor_id: int, plan_id: int, cal: WorkingCalendar) -> Result:
    async with db.sessions() as session:
        actor = await session.get(Person, actor_id)
        plan = await session.get(RemedialPlan, plan_id)
        if actor is None or plan is None:
            return Result(REFUSED, message=NOT_FOUND)
        allocation = await session.get(Allocation, plan.allocation_id)
        if not may_manage(actor, allocation):
            return Result(REFUSED, message=ONLY_AREA)
        return Result(UNCHANGED, await plan_card(session, plan, cal))


async def press(p: Press) -> Reply:
    key = "action_id" if p.verb == rc.Verb.DONE else "plan_id"
    ident = positive_id(p.data.get(key))
    if ident is None or p.verb not in rc.Verb.ALL:
        return Reply(text=UNREADABLE)
    ids = {key: ident}
    if p.actor is None:
        return Reply(card=polite_card(p.rows, ids, NOT_ON_ROSTER, "Nothing was changed"))
    via = f"card:{card_name(p, ids, 'remedial_actions_request')}"
    if p.verb == rc.Verb.ADD:
        values = {k: v if isinstance(v, str) else None for k in (rc.TEXT, rc.TARGET, rc.RESPONSIBLE)
                  for v in [p.data.get(k)]}
        result = await add_action(p.ctx.db, p.actor.id, ident, values, now=p.now, cal=p.ctx.calendar, via=via,
                                  pressed=pressed_rows(p.rows))
    elif p.verb == rc.Verb.DONE:
        result = await mark_done(p.ctx.db, p.actor.id, ident, now=p.now, cal=p.ctx.calendar, via=via,
                                 pressed=pressed_rows(p.rows))
    else:
        result = await view_plan(p.ctx.db, p.actor.id, ident, p.ctx.calendar)
    if result.status == DONE:
        return Reply(card=result.card, update=True)
    if result.status in (UNCHANGED, INVALID) and result.card is not None:
        return Reply(card=result.card)
    if result.status == "already" and result.card is not None:
        return Reply(card=with_message(result.card, result.message), update=True)
    return Reply(card=polite_card(p.rows, ids, result.message, "Nothing was changed"))
