"""The escalations' use cases (framework 9.3), on the use-case kit (capabilities/kit.py). Each is
one transaction: it re-checks who may act (a card carries ids only), checks the record's state,
changes it, writes a trail row (detail: grades, lengths, counts and flags, never typed text) and
the outbox rows it causes.

    audit submitted graded Inadequate --(duty: request_moderations)--> Moderation pending
    pending --agree--> agreed: an Escalation opens, owing update 1 (3 working days) and 2 (one week)
    pending --regrade--> regraded: the audit's grade changes (the trail keeps both), the auditor is told
    Escalation open --send update--> the lowest owed update is sent; the QA unit sees it
    Escalation open --ask for more (a date)--> another update owed;  --close--> closed

Owed updates owe two follow-ups (storage.follow_ups): the morning reminder on the due day and the
overdue chase the next working day (duties.py settles them).
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.context import Context
from capabilities.copies import update_copies
from capabilities.escalations import kinds
from capabilities.escalations.access import may_moderate, may_update, reviewers
from capabilities.escalations.by_duty import DutyAct
from capabilities.kit import NOTHING_CHANGED, Act, Outcome, Status, already, look, refuse, unit, use_case
from dialogs import escalation_cards as ec
from dialogs.card_kit import format_moment, format_month
from qa.allocations import REAUDIT as REAUDIT_CHOSEN
from qa.audit_calendar import month_key, parse_month_key
from qa.calendar import WorkingCalendar
from qa.escalations import (
    INADEQUATE,
    RuleError,
    UpdateDates,
    check_regrade,
    check_update,
    first_update_due,
    further_update_due,
    parse_day,
    second_update_due,
)
from qa.identifiers import first_refusal
from storage import follow_ups
from storage.allocations import owe_late_notices
from storage.models import (
    Allocation,
    Audit,
    AuditMonth,
    Escalation,
    EscalationUpdate,
    Moderation,
    Person,
    Reaudit,
)
from storage.people import active_person, qa_unit

ONLY_QA = f"Only the QA unit can moderate audits and close escalations. {NOTHING_CHANGED}"
ONLY_REVIEWERS = ("Only the service lead or head of service for this case's service area can send its updates. "
                  + NOTHING_CHANGED)
NOT_FOUND = f"I can't find this record any more. {NOTHING_CHANGED}"

# TrailEvent.action
MODERATION_REQUESTED = "moderation_requested"
MODERATION_AGREED = "moderation_agreed"
MODERATION_REGRADED = "moderation_regraded"
ESCALATION_OPENED = "escalation_opened"
UPDATE_SENT = "escalation_update_sent"
FURTHER_ASKED = "escalation_further_update_asked"
ESCALATION_CLOSED = "escalation_closed"
REAUDIT_ALLOCATED = "reaudit_allocated"
REAUDIT_MERGED = "reaudit_merged"
REAUDIT_MONTH_CLOSED = "reaudit_month_closed"
UPDATE_REMINDED = "escalation_update_reminded"
UPDATE_CHASED = "escalation_update_chased"

LOOK_BACK = timedelta(days=35)  # audits submitted longer ago than this are not brought to moderation


# -- views ------------------------------------------------------------------------------------------

async def name_of(session: AsyncSession, person_id: int | None) -> str:
    """A roster person's display name, or "someone" (gone, or no one)."""
    person = await session.get(Person, person_id) if person_id is not None else None
    return person.display_name if person else "someone"


async def case_facts(session: AsyncSession, allocation_id: int) -> ec.CaseFacts:
    allocation = await session.get(Allocation, allocation_id)
    audit = (await session.execute(select(Audit).where(Audit.allocation_id == allocation_id))).scalar_one()
    return ec.CaseFacts(case_ref=allocation.case_ref, month=allocation.month, service_area=allocation.service_area,
                        team=allocation.team, auditor_name=await name_of(session, allocation.auditor_id),
                        grade=audit.overall_grade or "Not graded", key_areas=dict(audit.key_areas or {}),
                        strengths=audit.strengths or "", improvements=audit.improvements or "")


async def moderation_view(session: AsyncSession, moderation: Moderation) -> ec.ModerationView:
    decided = None
    if moderation.state != "pending" and moderation.decided_at is not None:
        decided = ec.Decided(by=await name_of(session, moderation.decided_by_id), at=moderation.decided_at,
                             agreed=moderation.state == "agreed", grade=moderation.decided_grade or INADEQUATE,
                             reason=moderation.reason or "")
    return ec.ModerationView(moderation_id=moderation.id, case=await case_facts(session, moderation.allocation_id),
                             decided=decided)


async def escalation_view(session: AsyncSession, escalation: Escalation) -> ec.EscalationView:
    updates = (await session.execute(select(EscalationUpdate).where(
        EscalationUpdate.escalation_id == escalation.id).order_by(EscalationUpdate.number))).scalars()
    lines = [ec.UpdateLine(number=u.number, due_on=u.due_on, state=u.state,
                           sent_by=await name_of(session, u.sent_by_id) if u.sent_by_id else None,
                           sent_at=u.sent_at, text=u.text or "") for u in updates]
    return ec.EscalationView(
        escalation_id=escalation.id, case=await case_facts(session, escalation.allocation_id),
        opened_at=escalation.opened_at, updates=tuple(lines),
        closed_by=await name_of(session, escalation.closed_by_id) if escalation.closed_by_id else None,
        closed_at=escalation.closed_at)


# -- writing ---------------------------------------------------------------------------------------

async def owe_update(session: AsyncSession, escalation: Escalation, number: int, dates: UpdateDates,
                     now: datetime) -> EscalationUpdate:
    """An update owed by `dates.due_at`, with its morning reminder and its overdue chase."""
    update = EscalationUpdate(escalation_id=escalation.id, number=number, due_on=dates.due_on, due_at=dates.due_at,
                              state="owed", created_at=now)
    session.add(update)
    await session.flush()
    for kind, due in ((kinds.UPDATE_REMINDER, dates.remind_at), (kinds.UPDATE_OVERDUE, dates.chase_at)):
        await follow_ups.owe(session, key=f"{kind}:{update.id}", kind=kind, subject_type="escalation_update",
                             subject_id=update.id, due_at=due, now=now)
    return update


# -- intake: an Inadequate audit comes to the QA unit -------------------------------------------------

async def request_moderations(run: DutyAct, cal: WorkingCalendar) -> int:
    """Every audit submitted graded Inadequate in the last LOOK_BACK without a moderation gets one,
    and each QA-unit member its request card, due at the run's send moment. The number of new
    moderations."""
    session, now = run.session, run.now
    found = (await session.execute(
        select(Audit, Allocation).join(Allocation, Allocation.id == Audit.allocation_id)
        .outerjoin(Moderation, Moderation.audit_id == Audit.id)
        .where(Audit.overall_grade == INADEQUATE, Audit.submitted_at.is_not(None),
               Audit.submitted_at >= now - LOOK_BACK,
               Audit.submitted_at <= now, Moderation.id.is_(None))
        .order_by(Audit.submitted_at, Audit.id))).all()
    if not found:
        return 0
    team = await qa_unit(session)
    for audit, allocation in found:
        moderation = Moderation(audit_id=audit.id, allocation_id=allocation.id, state="pending",
                                original_grade=INADEQUATE, created_at=now)
        session.add(moderation)
        await session.flush()
        run.trail("moderation", moderation.id, MODERATION_REQUESTED, month=allocation.month,
                  audit_id=audit.id, allocation_id=allocation.id, qa_unit=len(team))
        view = await moderation_view(session, moderation)
        await run.notify(kinds.MODERATION_REQUEST, team, kinds.MODERATION_REQUEST.message(
            view, cal.tz, summary=f"Moderation needed: case {allocation.case_ref}"),
            key=f"{kinds.MODERATION_REQUEST}:{moderation.id}")
    return len(found)


# -- the QA unit moderates ---------------------------------------------------------------------------

async def _pending(act: Act, moderation_id: int) -> tuple[Moderation, Allocation]:
    """The moderation, locked, for a QA-unit member to decide; refused or already decided otherwise."""
    if not await act.may(may_moderate):
        refuse(ONLY_QA)
    moderation = await act.lock(Moderation, moderation_id, missing=NOT_FOUND)
    if moderation.state != "pending":
        view = await moderation_view(act.session, moderation)
        assert view.decided is not None
        tz = act.calendar.tz
        what = ("agreed this Inadequate grade" if view.decided.agreed
                else f"regraded this audit to {view.decided.grade}")
        already(f"{view.decided.by} already {what} on {format_moment(view.decided.at, tz)}. {NOTHING_CHANGED}",
                card=ec.moderation_decided_card(view, tz), title=f"Moderation: case {view.case.case_ref}")
    return moderation, await act.session.get(Allocation, moderation.allocation_id)


async def _decided(act: Act, moderation: Moderation, allocation: Allocation, pressed: Collection[int]) -> Outcome:
    """The other QA-unit members' copies of the request (all but the outbox rows `pressed`) show who
    decided; the pressed copy shows the same card."""
    await act.session.flush()
    view = await moderation_view(act.session, moderation)
    decided = ec.moderation_decided_card(view, act.calendar.tz)
    await update_copies(act.session, [f"{kinds.MODERATION_REQUEST}:{moderation.id}:"], decided,
                        f"Moderation decided: case {allocation.case_ref}", kind=kinds.MODERATION_DECIDED,
                        key=f"{kinds.MODERATION_DECIDED}:{moderation.id}", now=act.now, skip=pressed)
    return Outcome(Status.DONE, card=decided)


@use_case()
async def agree(ctx: Context, actor_id: int, moderation_id: int, *, now: datetime, via: str,
                pressed: Collection[int] = ()) -> Outcome:
    """Agree the Inadequate grade: the urgent review opens and the case is planned for re-audit."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        moderation, allocation = await _pending(act, moderation_id)
        moderation.decided_by_id, moderation.decided_at = act.actor.id, now
        moderation.state, moderation.decided_grade = "agreed", INADEQUATE
        act.trail("moderation", moderation.id, MODERATION_AGREED, month=allocation.month, grade=INADEQUATE)
        await _open_escalation(act, moderation, allocation)
        await plan_reaudit(act, moderation, allocation)
        return await _decided(act, moderation, allocation, pressed)


@use_case()
async def regrade(ctx: Context, actor_id: int, moderation_id: int, grade: str | None, reason: str | None, *,
                  now: datetime, via: str, pressed: Collection[int] = ()) -> Outcome:
    """Regrade the audit (grade + reason): the trail keeps both grades, the auditor is told."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        moderation, allocation = await _pending(act, moderation_id)
        tz = act.calendar.tz
        try:
            grade, reason = check_regrade(grade, reason)
            problem = first_refusal({"The reason": reason})
        except RuleError as exc:
            problem = str(exc)
        if problem:
            view = await moderation_view(act.session, moderation)
            return Outcome(Status.INVALID, problem, card=ec.moderation_request_card(view, tz, problem))
        audit = await act.session.get(Audit, moderation.audit_id)
        moderation.decided_by_id, moderation.decided_at = act.actor.id, now
        moderation.state, moderation.decided_grade, moderation.reason = "regraded", grade, reason
        audit.overall_grade, audit.updated_at = grade, now
        act.trail("moderation", moderation.id, MODERATION_REGRADED, month=allocation.month,
                  original_grade=moderation.original_grade, grade=grade, reason_length=len(reason or ""))
        act.trail("allocation", allocation.id, "audit_regraded", month=allocation.month,
                  original_grade=moderation.original_grade, grade=grade, moderation_id=moderation.id)
        auditor = await active_person(act.session, allocation.auditor_id)
        await act.session.flush()
        if auditor is not None:
            view = await moderation_view(act.session, moderation)
            await act.notify(kinds.REGRADE_NOTICE, [auditor], kinds.REGRADE_NOTICE.message(
                view, tz, summary=f"Your audit was regraded: case {allocation.case_ref}"),
                key=f"{kinds.REGRADE_NOTICE}:{moderation.id}")
        return await _decided(act, moderation, allocation, pressed)


async def _open_escalation(act: Act, moderation: Moderation, allocation: Allocation) -> Escalation:
    session, now, cal = act.session, act.now, act.calendar
    escalation = Escalation(moderation_id=moderation.id, allocation_id=allocation.id, state="open", opened_at=now)
    session.add(escalation)
    await session.flush()
    await owe_update(session, escalation, 1, first_update_due(now, cal), now)
    await owe_update(session, escalation, 2, second_update_due(now, cal), now)
    people = await reviewers(session, allocation.service_area)
    act.trail("escalation", escalation.id, ESCALATION_OPENED, month=allocation.month,
              moderation_id=moderation.id, allocation_id=allocation.id, reviewers=len(people))
    view = await escalation_view(session, escalation)
    await act.notify(kinds.ESCALATION_NOTICE, people, kinds.ESCALATION_NOTICE.message(
        view, cal.tz, "new", asked_by=act.actor.display_name, summary=f"Urgent review: case {allocation.case_ref}"),
        key=f"{kinds.ESCALATION_NOTICE}:{escalation.id}")
    return escalation


def following_month(month: str) -> str:
    """"2026-12" -> "2027-01"."""
    year, number = parse_month_key(month)
    return month_key(year + 1, 1) if number == 12 else month_key(year, number + 1)


def reaudit_theme(month: str) -> str:
    """What the re-audit's allocation notice shows as its theme."""
    return f"Re-audit of {format_month(month)} (graded Inadequate)"


async def plan_reaudit(act: Act, moderation: Moderation, allocation: Allocation) -> Reaudit:
    """The case goes on the following month's allocation list, by default with the same auditor: a
    new allocation, or the one the QA unit's list already has for it (merged: one allocation,
    marked re-audit). Its notice goes on that month's allocation day, or as a late notice when the
    day has passed. A closed month takes none: the trail says so and the QA unit allocates it."""
    session, now = act.session, act.now
    month = following_month(allocation.month)
    reaudit = Reaudit(moderation_id=moderation.id, original_allocation_id=allocation.id, month=month,
                      created_at=now)
    session.add(reaudit)
    audit_month = await session.get(AuditMonth, month)
    if audit_month is None:
        audit_month = AuditMonth(month=month, imported_at=now)
        session.add(audit_month)
        await session.flush()
    if audit_month.closed_at is not None:
        await session.flush()
        act.trail("allocation", allocation.id, REAUDIT_MONTH_CLOSED, month=allocation.month, reaudit_month=month)
        return reaudit
    existing = (await session.execute(select(Allocation).where(
        Allocation.month == month, func.upper(Allocation.case_ref) == allocation.case_ref.upper()))).scalar_one_or_none()
    if existing is not None:
        reaudit.allocation_id = existing.id
        await session.flush()
        act.trail("allocation", existing.id, REAUDIT_MERGED, month=month, reaudit_of=allocation.id,
                  original_month=allocation.month)
        return reaudit
    again = Allocation(month=month, case_ref=allocation.case_ref, annex_a_list=allocation.annex_a_list,
                       service_area=allocation.service_area, team=allocation.team,
                       theme=reaudit_theme(allocation.month), auditor_id=allocation.auditor_id,
                       case_holder_id=allocation.case_holder_id, state="allocated", how_chosen=REAUDIT_CHOSEN,
                       created_at=now, updated_at=now)
    session.add(again)
    await session.flush()
    reaudit.allocation_id = again.id
    await session.flush()
    act.trail("allocation", again.id, REAUDIT_ALLOCATED, month=month, reaudit_of=allocation.id,
              original_month=allocation.month, auditor_id=again.auditor_id)
    await owe_late_notices(session, [again], now, act.calendar)
    return reaudit


@use_case()
async def view_moderation(ctx: Context, actor_id: int, moderation_id: int, *, now: datetime, via: str) -> Outcome:
    """The moderation card as it stands now (a copy's refresh): for the QA unit only."""
    async with look(ctx, actor_id, now=now, via=via) as act:
        if not await act.may(may_moderate):
            refuse(ONLY_QA)
        moderation = await act.get(Moderation, moderation_id, missing=NOT_FOUND)
        view = await moderation_view(act.session, moderation)
        return Outcome(Status.UNCHANGED, card=ec.moderation_request_card(view, act.calendar.tz))


# -- the urgent review ----------------------------------------------------------------------------------

@use_case()
async def send_update(ctx: Context, actor_id: int, escalation_id: int, text: str | None, *, now: datetime,
                      via: str, pressed: Collection[int] = ()) -> Outcome:
    """The service lead or head of service sends the lowest-numbered owed update; the QA unit sees it;
    every other copy of the escalation (all but the outbox rows `pressed`) is updated in place."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        session, tz = act.session, act.calendar.tz
        escalation = await act.lock(Escalation, escalation_id, missing=NOT_FOUND)
        allocation = await session.get(Allocation, escalation.allocation_id)
        if not await act.may(lambda p: may_update(p, allocation.service_area)):
            refuse(ONLY_REVIEWERS)
        view = await escalation_view(session, escalation)
        owed = view.next_owed
        if not view.open or owed is None:
            why = (f"This escalation was closed by {view.closed_by} on {format_moment(view.closed_at, tz)}."
                   if not view.open and view.closed_at else "Every update asked for has already been sent.")
            already(f"{why} {NOTHING_CHANGED}", card=ec.escalation_card(view, tz),
                    title=f"Urgent review: case {allocation.case_ref}")
        try:
            cleaned = check_update(text)
            problem = first_refusal({"The update": cleaned})
        except RuleError as exc:
            problem = str(exc)
        if problem:
            return Outcome(Status.INVALID, problem, card=ec.escalation_card(view, tz, error=problem))
        update = (await session.execute(select(EscalationUpdate).where(
            EscalationUpdate.escalation_id == escalation.id, EscalationUpdate.number == owed.number))).scalar_one()
        update.state, update.text, update.sent_by_id, update.sent_at = "sent", cleaned, act.actor.id, now
        await follow_ups.cancel_for(session, "escalation_update", [update.id], now, state=follow_ups.DONE)
        act.trail("escalation", escalation.id, UPDATE_SENT, month=allocation.month, number=update.number,
                  length=len(cleaned), late=now > update.due_at)
        await session.flush()
        view = await escalation_view(session, escalation)
        await update_escalation_copies(act, escalation, view, allocation, f"{escalation.id}:update:{update.number}",
                                       pressed)
        await act.notify(kinds.UPDATE_RECEIVED, await qa_unit(session), kinds.UPDATE_RECEIVED.message(
            view, tz, "update", update.number, summary=f"Update {update.number} received: case {allocation.case_ref}"),
            key=f"{kinds.UPDATE_RECEIVED}:{update.id}")
        return Outcome(Status.DONE, card=ec.escalation_card(view, tz))


async def update_escalation_copies(act: Act, escalation: Escalation, view: ec.EscalationView,
                                   allocation: Allocation, key: str, skip: Collection[int]) -> None:
    """Every copy of the escalation sent so far, but the outbox rows `skip`, shows it as it now
    stands (capabilities/copies.py): the service leads' and heads of service's (the notice, further
    updates asked for, reminders, overdue chases) and the QA unit's (updates received, overdue
    reports). Called before the change's own new messages are written, so they keep their notes."""
    session, tz, now = act.session, act.calendar.tz, act.now
    update_ids = list((await session.execute(select(EscalationUpdate.id).where(
        EscalationUpdate.escalation_id == escalation.id))).scalars())
    leads = [f"{kinds.ESCALATION_NOTICE}:{escalation.id}:", f"{kinds.FURTHER_UPDATE}:{escalation.id}:",
             *(f"{kind}:{u}:" for u in update_ids for kind in (kinds.UPDATE_REMINDER, kinds.UPDATE_OVERDUE))]
    qa = [f"{kind}:{u}:" for u in update_ids for kind in (kinds.UPDATE_RECEIVED, kinds.OVERDUE_REPORT)]
    await update_copies(session, leads, ec.escalation_card(view, tz), f"Urgent review: case {allocation.case_ref}",
                        kind=kinds.ESCALATION_UPDATE, key=f"{kinds.ESCALATION_UPDATE}:{key}", now=now, skip=skip)
    await update_copies(session, qa, ec.escalation_qa_card(view, tz), f"Escalation: case {allocation.case_ref}",
                        kind=kinds.ESCALATION_QA_UPDATE, key=f"{kinds.ESCALATION_QA_UPDATE}:{key}", now=now,
                        skip=skip)


@use_case()
async def view_escalation(ctx: Context, actor_id: int, escalation_id: int, for_qa: bool, *, now: datetime,
                          via: str) -> Outcome:
    """An escalation card as it stands now (a copy's refresh): the QA unit's, or the area's."""
    async with look(ctx, actor_id, now=now, via=via) as act:
        escalation = await act.get(Escalation, escalation_id, missing=NOT_FOUND)
        allocation = await act.session.get(Allocation, escalation.allocation_id)
        allowed = await act.may(may_moderate if for_qa else (lambda p: may_update(p, allocation.service_area)))
        if not allowed:
            refuse(ONLY_QA if for_qa else ONLY_REVIEWERS)
        view = await escalation_view(act.session, escalation)
        tz = act.calendar.tz
        return Outcome(Status.UNCHANGED, card=ec.escalation_qa_card(view, tz) if for_qa else ec.escalation_card(view, tz))


async def _open_for_qa(act: Act, escalation_id: int) -> tuple[Escalation, Allocation, ec.EscalationView]:
    """The escalation, locked, for the QA unit to act on while it is open."""
    if not await act.may(may_moderate):
        refuse(ONLY_QA)
    escalation = await act.lock(Escalation, escalation_id, missing=NOT_FOUND)
    allocation = await act.session.get(Allocation, escalation.allocation_id)
    view = await escalation_view(act.session, escalation)
    if not view.open:
        tz = act.calendar.tz
        already(f"This escalation was already closed by {view.closed_by} on {format_moment(view.closed_at, tz)}. "
                f"{NOTHING_CHANGED}", card=ec.escalation_qa_card(view, tz), title=f"Escalation: case {allocation.case_ref}")
    return escalation, allocation, view


@use_case()
async def close(ctx: Context, actor_id: int, escalation_id: int, *, now: datetime, via: str,
                pressed: Collection[int] = ()) -> Outcome:
    """The QA unit closes the escalation: updates still owed are withdrawn, their chasers cancelled;
    every other copy of the escalation is updated in place to show who closed it."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        session = act.session
        escalation, allocation, _ = await _open_for_qa(act, escalation_id)
        owed = list((await session.execute(select(EscalationUpdate).where(
            EscalationUpdate.escalation_id == escalation.id, EscalationUpdate.state == "owed"))).scalars())
        for update in owed:
            update.state = "withdrawn"
        await follow_ups.cancel_for(session, "escalation_update", [u.id for u in owed], now)
        escalation.state, escalation.closed_at, escalation.closed_by_id = "closed", now, act.actor.id
        act.trail("escalation", escalation.id, ESCALATION_CLOSED, month=allocation.month, withdrawn=len(owed))
        await session.flush()
        view = await escalation_view(session, escalation)
        await update_escalation_copies(act, escalation, view, allocation, f"{escalation.id}:closed", pressed)
        return Outcome(Status.DONE, card=ec.escalation_qa_card(view, act.calendar.tz))


@use_case()
async def ask_more(ctx: Context, actor_id: int, escalation_id: int, due: str | None, *, now: datetime, via: str,
                   pressed: Collection[int] = ()) -> Outcome:
    """The QA unit asks for a further update by a date it sets (moved to a working day); every other
    copy of the escalation is updated in place to show it."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        session, tz = act.session, act.calendar.tz
        escalation, allocation, view = await _open_for_qa(act, escalation_id)
        try:
            dates = further_update_due(parse_day(due), now, act.calendar)
        except RuleError as exc:
            return Outcome(Status.INVALID, str(exc), card=ec.escalation_qa_card(view, tz, error=str(exc)))
        number = max((u.number for u in view.updates), default=0) + 1
        await owe_update(session, escalation, number, dates, now)
        act.trail("escalation", escalation.id, FURTHER_ASKED, month=allocation.month, number=number,
                  due_on=dates.due_on.isoformat())
        view = await escalation_view(session, escalation)
        await update_escalation_copies(act, escalation, view, allocation, f"{escalation.id}:more:{number}", pressed)
        await act.notify(kinds.FURTHER_UPDATE, await reviewers(session, allocation.service_area),
                         kinds.FURTHER_UPDATE.message(
                             view, tz, "more", asked_by=act.actor.display_name,
                             summary=f"Further update asked for: case {allocation.case_ref}"),
                         key=f"{kinds.FURTHER_UPDATE}:{escalation.id}:{number}")
        return Outcome(Status.DONE, card=ec.escalation_qa_card(view, tz))
