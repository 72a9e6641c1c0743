"""Remedial actions (framework 9.3, "Inadequate or Requires Improvement cases"): once oversight is
confirmed on an audit graded Requires Improvement or Inadequate, the service lead who confirmed it
(or, gone, the area's service leads) gets a card to record the actions: each with a target date
and, optionally, the person responsible from the roster, who is told the moment they are named (what,
by when, who asked; with Done: kinds.REMEDIAL_NAMED). An action not marked done is chased on
its target date to the service lead (and the person responsible), and the next working day to
the service lead and the head of service (duties.py). Marking it done is one press. An audit on a form of
the council's own brings its recommendations as actions when it is submitted (`from_recommendations`: each
owner told then), and its plan goes to the service lead once oversight is confirmed, whatever the grade.

Who may add or mark done: a service lead or head of service for the case's area; the person
responsible may mark their own action done. One transaction each, with its trail row
(subject "remedial_plan"; detail: lengths, counts, the target date, never the typed text); every
other copy of the plan (the request, the chases) is updated in place (capabilities/copies.py).
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.context import Context
from capabilities.copies import update_copies
from capabilities.escalations import kinds
from capabilities.escalations.access import RESPONSIBLE, may_be_responsible, may_manage, reviewers
from capabilities.escalations.by_duty import DutyAct
from capabilities.escalations.flow import NOT_FOUND
from capabilities.kit import NOTHING_CHANGED, Act, Outcome, Status, already, look, refuse, unit, use_case
from capabilities.press import positive_id
from capabilities.registry import OutboxKind
from dialogs import case_holder_cards as ch
from dialogs import remedial_cards as rc
from dialogs.card_kit import format_day, format_moment
from dialogs.payload import Payload
from qa.escalations import REMEDIAL_GRADES, RuleError, check_remedial, parse_day, update_dates
from qa.framework import Role
from qa.identifiers import first_refusal
from storage import follow_ups
from storage.models import Allocation, Audit, Person, RemedialAction, RemedialPlan
from storage.people import active_people, active_person

PLAN_OPENED, ACTION_ADDED, ACTION_DONE = "remedial_plan_opened", "remedial_action_added", "remedial_action_done"
ACTION_CHASED = "remedial_action_chased"
ONLY_AREA = ("Only a service lead or head of service for this case's service area can record remedial actions. "
             + NOTHING_CHANGED)
CHOOSE_RESPONSIBLE = "Please choose the person responsible from the list, or leave it empty."
NOT_A_RESPONSIBLE = ("Responsible: that is not a person from the list (the box sent something I cannot read). "
                     "Please choose the person responsible from the list, or leave it empty.")
LOOK_BACK = timedelta(days=35)
PEOPLE_LIMIT = 100  # names offered as "responsible"


async def responsible_choices(session: AsyncSession, allocation: Allocation,
                              roster: Sequence[Person] | None = None) -> list[tuple[int, str]]:
    """Who may be named responsible (access.may_be_responsible), active, by name: (id, name).
    `roster`: `active_people(session, RESPONSIBLE)` already read (a duty writing many cards reads it once)."""
    if roster is None:
        roster = await active_people(session, RESPONSIBLE)
    chosen = [p for p in roster if may_be_responsible(p, allocation)]
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


async def plan_card(session: AsyncSession, plan: RemedialPlan, tz: tzinfo, note: rc.Note = "current",
                    error: str | None = None) -> dict:
    allocation = await session.get(Allocation, plan.allocation_id)
    return rc.remedial_plan_card(await plan_view(session, plan), tz, await responsible_choices(session, allocation),
                                 note, error)


async def plan_message(session: AsyncSession, kind: OutboxKind, plan: RemedialPlan, tz: tzinfo, note: rc.Note,
                       summary: str, roster: Sequence[Person] | None = None) -> Payload:
    """The plan card as an outbox message of `kind` (the request, a chase); `roster` as
    `responsible_choices` takes it."""
    allocation = await session.get(Allocation, plan.allocation_id)
    return kind.message(await plan_view(session, plan), tz, await responsible_choices(session, allocation, roster),
                        note, summary=summary)


# -- intake: oversight confirmed on RI / Inadequate ------------------------------------------------

async def request_plans(run: DutyAct, tz: tzinfo) -> int:
    """Every audit graded Requires Improvement or Inadequate whose oversight was confirmed in the last
    LOOK_BACK gets a plan, and the service lead who confirmed it the card; so does a plan made at submission
    from the audit form's recommendations (`from_recommendations`), whatever the grade. The number of plans
    sent."""
    session, now = run.session, run.now
    found = (await session.execute(
        select(Allocation, Audit, RemedialPlan).join(Audit, Audit.allocation_id == Allocation.id)
        .outerjoin(RemedialPlan, RemedialPlan.allocation_id == Allocation.id)
        .where(Allocation.oversight_at.is_not(None), Allocation.oversight_at >= now - LOOK_BACK,
               Allocation.oversight_at <= now, Allocation.state.in_(("oversight_confirmed", "complete")),
               or_(and_(Audit.overall_grade.in_(REMEDIAL_GRADES), RemedialPlan.id.is_(None)),
                   and_(RemedialPlan.id.is_not(None), RemedialPlan.requested_at.is_(None))))
        .order_by(Allocation.oversight_at, Allocation.id))).all()
    roster = await active_people(session, RESPONSIBLE) if found else []  # once, not once per plan
    for allocation, audit, kept in found:
        plan = kept or RemedialPlan(allocation_id=allocation.id, grade=audit.overall_grade, created_at=now)
        plan.requested_at = now
        session.add(plan)
        await session.flush()
        lead = await active_person(session, allocation.oversight_by_id)
        people = [lead] if lead is not None and may_manage(lead, allocation) else [
            p for p in await reviewers(session, allocation.service_area) if p.role == Role.SERVICE_LEAD]
        run.trail("remedial_plan", plan.id, PLAN_OPENED, month=allocation.month, allocation_id=allocation.id,
                  grade=audit.overall_grade, recipients=len(people), recommended=kept is not None)
        await run.notify(kinds.REMEDIAL_REQUEST, people, await plan_message(
            session, kinds.REMEDIAL_REQUEST, plan, tz, "new", f"Remedial actions: case {allocation.case_ref}", roster),
            key=f"{kinds.REMEDIAL_REQUEST}:{plan.id}")
    return len(found)


# -- recommendations in an audit form -----------------------------------------------------------

@dataclass(frozen=True)
class Recommended:
    """One recommendation, checked: the action (1..ACTION_MAX characters, screened), its owner (a roster
    id who may be responsible) and its target date."""

    text: str
    owner_id: int
    target_on: date


async def from_recommendations(act: Act, allocation: Allocation, grade: str | None,
                               recommended: Sequence[Recommended]) -> int:
    """The audit's recommendations become remedial actions on the allocation's plan (made now if none, sent
    to the service lead once oversight is confirmed: `request_plans`), each chased as any action is and its
    owner told now (framework 9.3; section 5's recommendations with owner and date). The number added."""
    if not recommended:
        return 0
    session, now = act.session, act.now
    plan = (await session.execute(select(RemedialPlan).where(
        RemedialPlan.allocation_id == allocation.id))).scalar_one_or_none()
    if plan is None:
        plan = RemedialPlan(allocation_id=allocation.id, grade=grade or "Not graded", created_at=now)
        session.add(plan)
        await session.flush()
    for item in recommended:
        action = RemedialAction(plan_id=plan.id, text=item.text, target_on=item.target_on,
                                responsible_id=item.owner_id, created_by_id=act.actor.id, created_at=now)
        session.add(action)
        await session.flush()
        dates = update_dates(item.target_on, act.calendar)
        for kind, due in ((kinds.REMEDIAL_DUE, dates.remind_at), (kinds.REMEDIAL_OVERDUE, dates.chase_at)):
            await follow_ups.owe(session, key=f"{kind}:{action.id}", kind=kind, subject_type="remedial_action",
                                 subject_id=action.id, due_at=due, now=now)
        act.trail("remedial_plan", plan.id, ACTION_ADDED, month=allocation.month, action_id=action.id,
                  length=len(item.text), target_on=item.target_on.isoformat(), responsible=True, recommended=True)
        if item.owner_id != act.actor.id:
            named = ch.NamedAction(action_id=action.id, case_ref=allocation.case_ref, text=item.text,
                                   target_on=item.target_on, asked_by=act.actor.display_name, done_verb=rc.Verb.DONE)
            await act.notify(kinds.REMEDIAL_NAMED, [item.owner_id], kinds.REMEDIAL_NAMED.message(
                named, summary=f"An action for you: case {allocation.case_ref}, by {format_day(item.target_on)}"),
                key=f"{kinds.REMEDIAL_NAMED}:{action.id}")
    return len(recommended)


# -- the service lead's actions --------------------------------------------------------------------

@use_case()
async def add_action(ctx: Context, actor_id: int, plan_id: int, values: Mapping[str, Any], *, now: datetime,
                     via: str, pressed: Collection[int] = ()) -> Outcome:
    """Add an action to the plan (text, target date, optionally who is responsible: empty for
    nobody, else a roster id offered on the card; anything else is refused naming the field, never
    taken as nobody); it owes its chases on and after the target date."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        session, tz = act.session, act.calendar.tz
        plan = await act.lock(RemedialPlan, plan_id, missing=NOT_FOUND)
        allocation = await session.get(Allocation, plan.allocation_id)
        if not await act.may(lambda p: may_manage(p, allocation)):
            refuse(ONLY_AREA)
        target = parse_day(values.get(rc.TARGET))
        try:
            text, dates = check_remedial(values.get(rc.TEXT), target, now, act.calendar)
            problem = first_refusal({"The action": text})
        except RuleError as exc:
            problem = str(exc)
        responsible = values.get(rc.RESPONSIBLE)
        chosen = responsible not in (None, "") and not (isinstance(responsible, str) and not responsible.strip())
        responsible_id = positive_id(responsible.strip() if isinstance(responsible, str) else responsible) \
            if chosen else None
        if not problem and chosen and responsible_id is None:
            problem = NOT_A_RESPONSIBLE
        if not problem and responsible_id is not None and responsible_id not in dict(
                await responsible_choices(session, allocation)):
            problem = CHOOSE_RESPONSIBLE
        if problem:
            return Outcome(Status.INVALID, problem, card=await plan_card(session, plan, tz, error=problem))
        action = RemedialAction(plan_id=plan.id, text=text, target_on=dates.due_on, responsible_id=responsible_id,
                                created_by_id=act.actor.id, created_at=now)
        session.add(action)
        await session.flush()
        for kind, due in ((kinds.REMEDIAL_DUE, dates.remind_at), (kinds.REMEDIAL_OVERDUE, dates.chase_at)):
            await follow_ups.owe(session, key=f"{kind}:{action.id}", kind=kind, subject_type="remedial_action",
                                 subject_id=action.id, due_at=due, now=now)
        act.trail("remedial_plan", plan.id, ACTION_ADDED, month=allocation.month, action_id=action.id,
                  length=len(text), target_on=target.isoformat(), responsible=responsible_id is not None)
        if responsible_id is not None and responsible_id != act.actor.id:  # told when named, not first at the chase
            named = ch.NamedAction(action_id=action.id, case_ref=allocation.case_ref, text=text, target_on=target,
                                   asked_by=act.actor.display_name, done_verb=rc.Verb.DONE)
            await act.notify(kinds.REMEDIAL_NAMED, [responsible_id], kinds.REMEDIAL_NAMED.message(
                named, summary=f"An action for you: case {allocation.case_ref}, by {format_day(target)}"),
                key=f"{kinds.REMEDIAL_NAMED}:{action.id}")
        await update_plan_copies(act, plan, allocation, f"{plan.id}:added:{action.id}", pressed)
        return Outcome(Status.DONE, card=await plan_card(session, plan, tz))


@use_case()
async def mark_done(ctx: Context, actor_id: int, action_id: int, *, now: datetime, via: str,
                    pressed: Collection[int] = ()) -> Outcome:
    """Mark an action done (the area's managers, or the person responsible): its chases are settled."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        session, tz = act.session, act.calendar.tz
        action = await act.lock(RemedialAction, action_id, missing=NOT_FOUND)
        plan = await session.get(RemedialPlan, action.plan_id)
        allocation = await session.get(Allocation, plan.allocation_id)
        if not await act.may(lambda p: may_manage(p, allocation) or p.id == action.responsible_id):
            refuse(ONLY_AREA)
        if action.done_at is not None:
            who = await session.get(Person, action.done_by_id)
            shown = (await plan_card(session, plan, tz) if may_manage(act.actor, allocation)
                     else await _named_done(session, action, allocation, tz))
            already(f"{who.display_name if who else 'Someone'} already marked this action done on "
                    f"{format_moment(action.done_at, tz)}. {NOTHING_CHANGED}", card=shown)
        action.done_by_id, action.done_at = act.actor.id, now
        await follow_ups.cancel_for(session, "remedial_action", [action.id], now, state=follow_ups.DONE)
        act.trail("remedial_plan", plan.id, ACTION_DONE, month=allocation.month, action_id=action.id,
                  late=act.calendar.local_date(now) > action.target_on)
        await session.flush()
        await update_plan_copies(act, plan, allocation, f"{plan.id}:done:{action.id}", pressed)
        if not may_manage(act.actor, allocation):  # the person responsible: their own notice, done (not the plan,
            return Outcome(Status.DONE, card=await _named_done(session, action, allocation, tz))  # theirs to refresh)
        return Outcome(Status.DONE, card=await plan_card(session, plan, tz))


async def _named_done(session: AsyncSession, action: RemedialAction, allocation: Allocation, tz: tzinfo) -> dict:
    """The responsible person's "An action for you" card, showing who marked it done and when."""
    asker, doer = await session.get(Person, action.created_by_id), await session.get(Person, action.done_by_id)
    return ch.action_named_card(ch.NamedAction(
        action_id=action.id, case_ref=allocation.case_ref, text=action.text, target_on=action.target_on,
        asked_by=asker.display_name if asker else "The service lead", done_verb=rc.Verb.DONE,
        done_by=doer.display_name if doer else None, done_at=action.done_at), tz)


async def update_plan_copies(act: Act, plan: RemedialPlan, allocation: Allocation, key: str,
                             skip: Collection[int]) -> None:
    """Every copy of the plan sent so far (the request, each action's due and overdue chases), but
    the outbox rows `skip`, shows it as it now stands (capabilities/copies.py)."""
    action_ids = list((await act.session.execute(select(RemedialAction.id).where(
        RemedialAction.plan_id == plan.id))).scalars())
    prefixes = [f"{kinds.REMEDIAL_REQUEST}:{plan.id}:",
                *(f"{kind}:{a}:" for a in action_ids for kind in (kinds.REMEDIAL_DUE, kinds.REMEDIAL_OVERDUE))]
    await update_copies(act.session, prefixes, await plan_card(act.session, plan, act.calendar.tz),
                        f"Remedial actions: case {allocation.case_ref}", kind=kinds.REMEDIAL_UPDATE,
                        key=f"{kinds.REMEDIAL_UPDATE}:{key}", now=act.now, skip=skip)


@use_case()
async def view_plan(ctx: Context, actor_id: int, plan_id: int, *, now: datetime, via: str) -> Outcome:
    """The plan card as it stands now (a copy's refresh), for the area's managers."""
    async with look(ctx, actor_id, now=now, via=via) as act:
        plan = await act.get(RemedialPlan, plan_id, missing=NOT_FOUND)
        allocation = await act.session.get(Allocation, plan.allocation_id)
        if not await act.may(lambda p: may_manage(p, allocation)):
            refuse(ONLY_AREA)
        return Outcome(Status.UNCHANGED, card=await plan_card(act.session, plan, act.calendar.tz))
