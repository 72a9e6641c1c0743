"""The escalations' use cases (framework 9.3). Each is one transaction: it re-checks who may act
(a card carries ids only), checks the record's state, changes it, writes a TrailEvent (detail:
grades, lengths, counts and flags, never typed text) and the outbox rows it causes.

    audit submitted graded Inadequate --(duty: request_moderations)--> Moderation pending
    pending --agree--> agreed: an Escalation opens, owing update 1 (3 working days) and 2 (one week)
    pending --regrade--> regraded: the audit's grade changes (the trail keeps both), the auditor is told
    Escalation open --send update--> the lowest owed update is sent; the QA unit sees it
    Escalation open --ask for more (a date)--> another update owed;  --close--> closed

Owed updates owe two follow-ups (storage.follow_ups): the morning reminder on the due day and the
overdue chase the next working day (duties.py settles them).
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.copies import update_copies
from capabilities.escalations import kinds
from capabilities.escalations.people import may_moderate, may_update, qa_unit, reviewers
from capabilities.registry import OutboxKind
from dialogs import escalation_cards as ec
from dialogs.card_kit import format_moment, format_month
from dialogs.payload import Payload
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
from storage.db import Database
from storage.models import (
    Allocation,
    Audit,
    AuditMonth,
    Escalation,
    EscalationUpdate,
    Moderation,
    Person,
    Reaudit,
    TrailEvent,
)
from storage.outbox import Message, enqueue_many
from storage.people import active_person

DONE, INVALID, REFUSED, ALREADY, UNCHANGED = "done", "invalid", "refused", "already", "unchanged"
NOTHING_CHANGED = "Nothing was changed."
NOT_ON_ROSTER = ("I can't match you to anyone active on the QA roster, so I can't record this. " + NOTHING_CHANGED)
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


@dataclass
class Result:
    """What a press did: `status`, the card to show (the pressed copy's new content), a message."""

    status: str
    card: dict | None = None
    message: str = ""
    title: str = ""  # for a polite card when there is nothing else to show

    @property
    def changed(self) -> bool:
        return self.status == DONE


# -- views ------------------------------------------------------------------------------------------

async def _name(session: AsyncSession, person_id: int | None) -> str:
    person = await session.get(Person, person_id) if person_id is not None else None
    return person.display_name if person else "someone"


async def case_facts(session: AsyncSession, allocation_id: int) -> ec.CaseFacts:
    allocation = await session.get(Allocation, allocation_id)
    audit = (await session.execute(select(Audit).where(Audit.allocation_id == allocation_id))).scalar_one()
    return ec.CaseFacts(case_ref=allocation.case_ref, month=allocation.month, service_area=allocation.service_area,
                        team=allocation.team, auditor_name=await _name(session, allocation.auditor_id),
                        grade=audit.overall_grade or "Not graded", key_areas=dict(audit.key_areas or {}),
                        strengths=audit.strengths or "", improvements=audit.improvements or "")


async def moderation_view(session: AsyncSession, moderation: Moderation) -> ec.ModerationView:
    decided = None
    if moderation.state != "pending" and moderation.decided_at is not None:
        decided = ec.Decided(by=await _name(session, moderation.decided_by_id), at=moderation.decided_at,
                             agreed=moderation.state == "agreed", grade=moderation.decided_grade or INADEQUATE,
                             reason=moderation.reason or "")
    return ec.ModerationView(moderation_id=moderation.id, case=await case_facts(session, moderation.allocation_id),
                             decided=decided)


async def escalation_view(session: AsyncSession, escalation: Escalation) -> ec.EscalationView:
    updates = (await session.execute(select(EscalationUpdate).where(
        EscalationUpdate.escalation_id == escalation.id).order_by(EscalationUpdate.number))).scalars()
    lines = [ec.UpdateLine(number=u.number, due_on=u.due_on, state=u.state,
                           sent_by=await _name(session, u.sent_by_id) if u.sent_by_id else None,
                           sent_at=u.sent_at, text=u.text or "") for u in updates]
    return ec.EscalationView(
        escalation_id=escalation.id, case=await case_facts(session, escalation.allocation_id),
        opened_at=escalation.opened_at, updates=tuple(lines),
        closed_by=await _name(session, escalation.closed_by_id) if escalation.closed_by_id else None,
        closed_at=escalation.closed_at)


# -- writing ---------------------------------------------------------------------------------------

def event(session: AsyncSession, subject_type: str, subject_id: int, month: str | None, actor_id: int | None,
           action: str, via: str, now: datetime, **detail: Any) -> None:
    session.add(TrailEvent(subject_type=subject_type, subject_id=subject_id, month=month, actor_id=actor_id,
                           action=action, via=via, detail=detail, at=now))


async def send(session: AsyncSession, kind: OutboxKind, key: str, people: Sequence[Person], card: dict,
                summary: str, due_at: datetime, now: datetime) -> int:
    """One row per person (`key` + person id), due at `due_at`."""
    payload = Payload.of(card, summary)  # a card with a refresh goes alone (dialogs/digest.py)
    return await enqueue_many(session, [Message(key=f"{kind}:{key}:{p.id}", kind=kind, person_id=p.id,
                                                payload=payload, due_at=due_at) for p in people], now=now)


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

async def request_moderations(session: AsyncSession, now: datetime, due_at: datetime, cal: WorkingCalendar,
                              via: str) -> int:
    """Every audit submitted graded Inadequate in the last LOOK_BACK without a moderation gets one,
    and each QA-unit member its request card, due at `due_at`. The number of new moderations."""
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
        event(session, "moderation", moderation.id, allocation.month, None, MODERATION_REQUESTED, via, now,
               audit_id=audit.id, allocation_id=allocation.id, qa_unit=len(team))
        view = await moderation_view(session, moderation)
        await send(session, kinds.MODERATION_REQUEST, str(moderation.id), team,
                    kinds.MODERATION_REQUEST.card(view, cal.tz), f"Moderation needed: case {allocation.case_ref}",
                    due_at, now)
    return len(found)


# -- the QA unit moderates ---------------------------------------------------------------------------


async def _moderation(session: AsyncSession, moderation_id: int) -> Moderation | None:
    return (await session.execute(select(Moderation).where(Moderation.id == moderation_id)
                                  .with_for_update())).scalar_one_or_none()


async def _already_decided(session: AsyncSession, moderation: Moderation, cal: WorkingCalendar) -> Result:
    view = await moderation_view(session, moderation)
    assert view.decided is not None
    what = "agreed this Inadequate grade" if view.decided.agreed else f"regraded this audit to {view.decided.grade}"
    message = f"{view.decided.by} already {what} on {format_moment(view.decided.at, cal.tz)}. {NOTHING_CHANGED}"
    return Result(ALREADY, ec.moderation_decided_card(view, cal.tz), message, f"Moderation: case {view.case.case_ref}")


async def decide(db: Database, actor_id: int, moderation_id: int, *, agree: bool, grade: str | None = None,
                 reason: str | None = None, now: datetime, cal: WorkingCalendar, via: str,
                 pressed: Collection[int] = ()) -> Result:
    """Agree the Inadequate grade (opening the urgent review) or regrade it (grade + reason). The
    other QA-unit members' copies of the request (all but the outbox rows `pressed`) are updated in
    place to show who decided."""
    async with db.sessions.begin() as session:
        actor = await active_person(session, actor_id)
        if actor is None:
            return Result(REFUSED, message=NOT_ON_ROSTER)
        if not may_moderate(actor):
            return Result(REFUSED, message=ONLY_QA)
        moderation = await _moderation(session, moderation_id)
        if moderation is None:
            return Result(REFUSED, message=NOT_FOUND)
        if moderation.state != "pending":
            return await _already_decided(session, moderation, cal)
        allocation = await session.get(Allocation, moderation.allocation_id)
        if not agree:
            try:
                grade, reason = check_regrade(grade, reason)
            except RuleError as exc:
                view = await moderation_view(session, moderation)
                return Result(INVALID, ec.moderation_request_card(view, cal.tz, str(exc)), str(exc))
            refusal = first_refusal({"The reason": reason})
            if refusal:
                view = await moderation_view(session, moderation)
                return Result(INVALID, ec.moderation_request_card(view, cal.tz, refusal), refusal)
        moderation.decided_by_id, moderation.decided_at = actor.id, now
        due = cal.next_send_moment(now)
        if agree:
            moderation.state, moderation.decided_grade = "agreed", INADEQUATE
            event(session, "moderation", moderation.id, allocation.month, actor.id, MODERATION_AGREED, via, now,
                   grade=INADEQUATE)
            await _open_escalation(session, moderation, allocation, actor, now, cal, via)
            await plan_reaudit(session, moderation, allocation, actor, now, cal, via)
        else:
            audit = await session.get(Audit, moderation.audit_id)
            moderation.state, moderation.decided_grade, moderation.reason = "regraded", grade, reason
            audit.overall_grade, audit.updated_at = grade, now
            event(session, "moderation", moderation.id, allocation.month, actor.id, MODERATION_REGRADED, via, now,
                   original_grade=moderation.original_grade, grade=grade, reason_length=len(reason or ""))
            event(session, "allocation", allocation.id, allocation.month, actor.id, "audit_regraded", via, now,
                   original_grade=moderation.original_grade, grade=grade, moderation_id=moderation.id)
            auditor = await session.get(Person, allocation.auditor_id)
            await session.flush()
            view = await moderation_view(session, moderation)
            if auditor is not None and auditor.active:
                await send(session, kinds.REGRADE_NOTICE, str(moderation.id), [auditor],
                            kinds.REGRADE_NOTICE.card(view, cal.tz),
                            f"Your audit was regraded: case {allocation.case_ref}", due, now)
        await session.flush()
        view = await moderation_view(session, moderation)
        decided = ec.moderation_decided_card(view, cal.tz)
        await update_copies(session, [f"{kinds.MODERATION_REQUEST}:{moderation.id}:"], decided,
                            f"Moderation decided: case {allocation.case_ref}", kind=kinds.MODERATION_DECIDED,
                            key=f"{kinds.MODERATION_DECIDED}:{moderation.id}", now=now, skip=pressed)
        return Result(DONE, decided)


async def _open_escalation(session: AsyncSession, moderation: Moderation, allocation: Allocation, actor: Person,
                           now: datetime, cal: WorkingCalendar, via: str) -> Escalation:
    escalation = Escalation(moderation_id=moderation.id, allocation_id=allocation.id, state="open", opened_at=now)
    session.add(escalation)
    await session.flush()
    await owe_update(session, escalation, 1, first_update_due(now, cal), now)
    await owe_update(session, escalation, 2, second_update_due(now, cal), now)
    people = await reviewers(session, allocation.service_area)
    event(session, "escalation", escalation.id, allocation.month, actor.id, ESCALATION_OPENED, via, now,
           moderation_id=moderation.id, allocation_id=allocation.id, reviewers=len(people))
    view = await escalation_view(session, escalation)
    await send(session, kinds.ESCALATION_NOTICE, str(escalation.id), people,
                kinds.ESCALATION_NOTICE.card(view, cal.tz, "new"), f"Urgent review: case {allocation.case_ref}",
                cal.next_send_moment(now), now)
    return escalation


def following_month(month: str) -> str:
    """"2026-12" -> "2027-01"."""
    year, number = parse_month_key(month)
    return month_key(year + 1, 1) if number == 12 else month_key(year, number + 1)


def reaudit_theme(month: str) -> str:
    """What the re-audit's allocation notice shows as its theme."""
    return f"Re-audit of {format_month(month)} (graded Inadequate)"


async def plan_reaudit(session: AsyncSession, moderation: Moderation, allocation: Allocation, actor: Person,
                       now: datetime, cal: WorkingCalendar, via: str) -> Reaudit:
    """The case goes on the following month's allocation list, by default with the same auditor: a
    new allocation, or the one the QA unit's list already has for it (merged: one allocation,
    marked re-audit). Its notice goes on that month's allocation day, or as a late notice when the
    day has passed. A closed month takes none: the trail says so and the QA unit allocates it."""
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
        event(session, "allocation", allocation.id, allocation.month, actor.id, REAUDIT_MONTH_CLOSED, via, now,
              reaudit_month=month)
        return reaudit
    existing = (await session.execute(select(Allocation).where(
        Allocation.month == month, func.upper(Allocation.case_ref) == allocation.case_ref.upper()))).scalar_one_or_none()
    if existing is not None:
        reaudit.allocation_id = existing.id
        await session.flush()
        event(session, "allocation", existing.id, month, actor.id, REAUDIT_MERGED, via, now,
              reaudit_of=allocation.id, original_month=allocation.month)
        return reaudit
    again = Allocation(month=month, case_ref=allocation.case_ref, annex_a_list=allocation.annex_a_list,
                       service_area=allocation.service_area, team=allocation.team,
                       theme=reaudit_theme(allocation.month), auditor_id=allocation.auditor_id,
                       case_holder_id=allocation.case_holder_id, state="allocated", created_at=now, updated_at=now)
    session.add(again)
    await session.flush()
    reaudit.allocation_id = again.id
    await session.flush()
    event(session, "allocation", again.id, month, actor.id, REAUDIT_ALLOCATED, via, now, reaudit_of=allocation.id,
          original_month=allocation.month, auditor_id=again.auditor_id)
    await owe_late_notices(session, [again], now, cal)
    return reaudit


async def view_moderation(db: Database, actor_id: int, moderation_id: int, cal: WorkingCalendar) -> Result:
    """The moderation card as it stands now (a copy's refresh): for the QA unit only."""
    async with db.sessions() as session:
        actor = await active_person(session, actor_id)
        if actor is None or not may_moderate(actor):
            return Result(REFUSED, message=ONLY_QA)
        moderation = await session.get(Moderation, moderation_id)
        if moderation is None:
            return Result(REFUSED, message=NOT_FOUND)
        return Result(UNCHANGED, ec.moderation_request_card(await moderation_view(session, moderation), cal.tz))


# -- the urgent review ----------------------------------------------------------------------------------

async def _escalation(session: AsyncSession, escalation_id: int) -> Escalation | None:
    return (await session.execute(select(Escalation).where(Escalation.id == escalation_id)
                                  .with_for_update())).scalar_one_or_none()


async def _area(session: AsyncSession, escalation: Escalation) -> Allocation:
    return await session.get(Allocation, escalation.allocation_id)


async def send_update(db: Database, actor_id: int, escalation_id: int, text: str | None, *, now: datetime,
                      cal: WorkingCalendar, via: str, pressed: Collection[int] = ()) -> Result:
    """The service lead or head of service sends the lowest-numbered owed update; the QA unit sees it;
    every other copy of the escalation (all but the outbox rows `pressed`) is updated in place."""
    async with db.sessions.begin() as session:
        actor = await active_person(session, actor_id)
        if actor is None:
            return Result(REFUSED, message=NOT_ON_ROSTER)
        escalation = await _escalation(session, escalation_id)
        if escalation is None:
            return Result(REFUSED, message=NOT_FOUND)
        allocation = await _area(session, escalation)
        if not may_update(actor, allocation.service_area):
            return Result(REFUSED, message=ONLY_REVIEWERS)
        view = await escalation_view(session, escalation)
        owed = view.next_owed
        if not view.open or owed is None:
            why = (f"This escalation was closed by {view.closed_by} on {format_moment(view.closed_at, cal.tz)}."
                   if not view.open and view.closed_at else "Every update asked for has already been sent.")
            return Result(ALREADY, ec.escalation_card(view, cal.tz), f"{why} {NOTHING_CHANGED}",
                          f"Urgent review: case {allocation.case_ref}")
        try:
            cleaned = check_update(text)
        except RuleError as exc:
            return Result(INVALID, ec.escalation_card(view, cal.tz, error=str(exc)), str(exc))
        refusal = first_refusal({"The update": cleaned})
        if refusal:
            return Result(INVALID, ec.escalation_card(view, cal.tz, error=refusal), refusal)
        update = (await session.execute(select(EscalationUpdate).where(
            EscalationUpdate.escalation_id == escalation.id, EscalationUpdate.number == owed.number))).scalar_one()
        update.state, update.text, update.sent_by_id, update.sent_at = "sent", cleaned, actor.id, now
        await follow_ups.cancel_for(session, "escalation_update", [update.id], now, state=follow_ups.DONE)
        event(session, "escalation", escalation.id, allocation.month, actor.id, UPDATE_SENT, via, now,
               number=update.number, length=len(cleaned), late=now > update.due_at)
        await session.flush()
        view = await escalation_view(session, escalation)
        await update_escalation_copies(session, escalation, view, allocation, f"{escalation.id}:update:{update.number}",
                                       now, cal, pressed)
        await send(session, kinds.UPDATE_RECEIVED, str(update.id), await qa_unit(session),
                    kinds.UPDATE_RECEIVED.card(view, cal.tz, "update", update.number),
                    f"Update {update.number} received: case {allocation.case_ref}", cal.next_send_moment(now), now)
        return Result(DONE, ec.escalation_card(view, cal.tz))


async def update_escalation_copies(session: AsyncSession, escalation: Escalation, view: ec.EscalationView,
                                   allocation: Allocation, key: str, now: datetime, cal: WorkingCalendar,
                                   skip: Collection[int]) -> None:
    """Every copy of the escalation sent so far, but the outbox rows `skip`, shows it as it now
    stands (capabilities/copies.py): the service leads' and heads of service's (the notice, further
    updates asked for, reminders, overdue chases) and the QA unit's (updates received, overdue
    reports). Called before the change's own new messages are written, so they keep their notes."""
    update_ids = list((await session.execute(select(EscalationUpdate.id).where(
        EscalationUpdate.escalation_id == escalation.id))).scalars())
    leads = [f"{kinds.ESCALATION_NOTICE}:{escalation.id}:", f"{kinds.FURTHER_UPDATE}:{escalation.id}:",
             *(f"{kind}:{u}:" for u in update_ids for kind in (kinds.UPDATE_REMINDER, kinds.UPDATE_OVERDUE))]
    qa = [f"{kind}:{u}:" for u in update_ids for kind in (kinds.UPDATE_RECEIVED, kinds.OVERDUE_REPORT)]
    await update_copies(session, leads, ec.escalation_card(view, cal.tz), f"Urgent review: case {allocation.case_ref}",
                        kind=kinds.ESCALATION_UPDATE, key=f"{kinds.ESCALATION_UPDATE}:{key}", now=now, skip=skip)
    await update_copies(session, qa, ec.escalation_qa_card(view, cal.tz), f"Escalation: case {allocation.case_ref}",
                        kind=kinds.ESCALATION_QA_UPDATE, key=f"{kinds.ESCALATION_QA_UPDATE}:{key}", now=now,
                        skip=skip)


async def view_escalation(db: Database, actor_id: int, escalation_id: int, cal: WorkingCalendar, *,
                          for_qa: bool) -> Result:
    """An escalation card as it stands now (a copy's refresh)."""
    async with db.sessions() as session:
        actor = await active_person(session, actor_id)
        escalation = await session.get(Escalation, escalation_id)
        if actor is None or escalation is None:
            return Result(REFUSED, message=NOT_FOUND if actor else NOT_ON_ROSTER)
        allocation = await _area(session, escalation)
        allowed = may_moderate(actor) if for_qa else may_update(actor, allocation.service_area)
        if not allowed:
            return Result(REFUSED, message=ONLY_QA if for_qa else ONLY_REVIEWERS)
        view = await escalation_view(session, escalation)
        card = ec.escalation_qa_card(view, cal.tz) if for_qa else ec.escalation_card(view, cal.tz)
        return Result(UNCHANGED, card)


async def _qa_begin(session: AsyncSession, actor_id: int, escalation_id: int,
                    cal: WorkingCalendar) -> tuple[Person, Escalation, Allocation, ec.EscalationView] | Result:
    actor = await active_person(session, actor_id)
    if actor is None:
        return Result(REFUSED, message=NOT_ON_ROSTER)
    if not may_moderate(actor):
        return Result(REFUSED, message=ONLY_QA)
    escalation = await _escalation(session, escalation_id)
    if escalation is None:
        return Result(REFUSED, message=NOT_FOUND)
    allocation = await _area(session, escalation)
    view = await escalation_view(session, escalation)
    if not view.open:
        return Result(ALREADY, ec.escalation_qa_card(view, cal.tz),
                      f"This escalation was already closed by {view.closed_by} on "
                      f"{format_moment(view.closed_at, cal.tz)}. {NOTHING_CHANGED}",
                      f"Escalation: case {allocation.case_ref}")
    return actor, escalation, allocation, view


async def close(db: Database, actor_id: int, escalation_id: int, *, now: datetime, cal: WorkingCalendar,
                via: str, pressed: Collection[int] = ()) -> Result:
    """The QA unit closes the escalation: updates still owed are withdrawn, their chasers cancelled;
    every other copy of the escalation is updated in place to show who closed it."""
    async with db.sessions.begin() as session:
        begun = await _qa_begin(session, actor_id, escalation_id, cal)
        if isinstance(begun, Result):
            return begun
        actor, escalation, allocation, _ = begun
        owed = list((await session.execute(select(EscalationUpdate).where(
            EscalationUpdate.escalation_id == escalation.id, EscalationUpdate.state == "owed"))).scalars())
        for update in owed:
            update.state = "withdrawn"
        await follow_ups.cancel_for(session, "escalation_update", [u.id for u in owed], now)
        escalation.state, escalation.closed_at, escalation.closed_by_id = "closed", now, actor.id
        event(session, "escalation", escalation.id, allocation.month, actor.id, ESCALATION_CLOSED, via, now,
               withdrawn=len(owed))
        await session.flush()
        view = await escalation_view(session, escalation)
        await update_escalation_copies(session, escalation, view, allocation, f"{escalation.id}:closed", now, cal,
                                       pressed)
        return Result(DONE, ec.escalation_qa_card(view, cal.tz))


async def ask_more(db: Database, actor_id: int, escalation_id: int, due: str | None, *, now: datetime,
                   cal: WorkingCalendar, via: str, pressed: Collection[int] = ()) -> Result:
    """The QA unit asks for a further update by a date it sets (moved to a working day); every other
    copy of the escalation is updated in place to show it."""
    async with db.sessions.begin() as session:
        begun = await _qa_begin(session, actor_id, escalation_id, cal)
        if isinstance(begun, Result):
            return begun
        actor, escalation, allocation, view = begun
        try:
            dates = further_update_due(parse_day(due), now, cal)
        except RuleError as exc:
            return Result(INVALID, ec.escalation_qa_card(view, cal.tz, error=str(exc)), str(exc))
        number = max((u.number for u in view.updates), default=0) + 1
        await owe_update(session, escalation, number, dates, now)
        event(session, "escalation", escalation.id, allocation.month, actor.id, FURTHER_ASKED, via, now,
               number=number, due_on=dates.due_on.isoformat())
        view = await escalation_view(session, escalation)
        await update_escalation_copies(session, escalation, view, allocation, f"{escalation.id}:more:{number}", now,
                                       cal, pressed)
        await send(session, kinds.FURTHER_UPDATE, f"{escalation.id}:{number}",
                    await reviewers(session, allocation.service_area),
                    kinds.FURTHER_UPDATE.card(view, cal.tz, "more"),
                    f"Further update asked for: case {allocation.case_ref}", cal.next_send_moment(now), now)
        return Result(DONE, ec.escalation_qa_card(view, cal.tz))
