"""The case holder's side of an audit (framework 9.3: audits are done "working alongside the case
holder"; auditors "hold discussions with the practitioner/manager", which "will support the
practitioner/manager to reflect and improve"; section 3's restorative "working with").

- On allocation day, with the auditor's notice (same duty, same occurrence; a late allocation the
  same way), the case holder is told their case is in the month's audit, who audits it, what the
  audit looks at and that the auditor will talk with them first (`notices`).
- The auditor presses Conversation arranged (a day) or Conversation held: the case holder's notice
  shows it, updated in place (capabilities/copies.py); held fills the audit form's "discussion held".
- Once oversight is confirmed (flow.confirm_oversight calls `send_findings`), the case holder gets
  the findings in the audit's own words, with Add my reflection and Talk about this in supervision.
- A supervision audit (framework 9.1; the allocation's form is of kind "supervision", its case holder the
  supervisee and its case reference the file's, qa/supervision_audit.py): the supervisee is told their
  supervision file is in the audit, and the findings go to the supervisee and to their supervisor (a copy
  without buttons, in words for supervision); no practice forum, no separate thank-you.
- Graded Good or Outstanding, the findings open with a thank-you naming what was strong, the case holder's
  manager (their supervisor) is thanked too, and the case holder may agree to the case's use in a practice
  forum (`agree_forum`; the good-practice list, capabilities/escalations/good_practice.py, marks it).
- The reflection (screened by qa/identifiers.py) is kept with the audit and reaches the auditor and
  the case holder's supervisor; either press puts "Discuss the audit of case <ref>" on the
  supervisor's digest (capabilities/supervision/audit_discussions.py) until the next 1:1 is recorded.

Who may act, checked on the server against the sender every time: the conversation buttons, the
allocation's auditor (or the QA unit); the findings, only the allocation's case holder, and only
after oversight. One transaction each on the kit, with its trail row (lengths and flags, never text).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from capabilities.audit_cycle import kinds, views
from capabilities.audit_cycle.access import may_audit, may_see_findings
from capabilities.context import Context
from capabilities.copies import update_copies
from capabilities.kit import NOTHING_CHANGED, Act, Outcome, Status, already, invalid, refuse, unit, use_case
from dialogs import case_holder_cards as ch
from dialogs.card_kit import format_day, format_month
from dialogs.form_cards import answer_lines
from qa.calendar import WorkingCalendar
from qa.escalations import parse_day
from qa.forms import DEFAULT_FORM_NAME
from qa.identifiers import first_refusal
from storage.audit_forms import stored_form
from storage.escalations import remedial_actions_of
from storage.models import Allocation, Audit, Person
from storage.outbox import Message
from storage.people import active_person, person_by_email

CONVERSATION_ARRANGED = "case_holder_conversation_arranged"
CONVERSATION_HELD = "case_holder_conversation_held"
REFLECTED = "case_holder_reflection_received"
SUPERVISION_ASKED = "case_holder_supervision_asked"
MANAGER_THANKED = "good_practice_manager_thanked"
FORUM_AGREED = "case_holder_forum_agreed"

NOT_FOUND = "I can't find this audit any more: it may have been withdrawn or reallocated. " + NOTHING_CHANGED
ONLY_AUDITOR = f"Only the auditor allocated this case, or the QA unit, can record the conversation. {NOTHING_CHANGED}"
NOT_YOURS = f"You can see the findings only of audits of your own cases, once oversight is confirmed. {NOTHING_CHANGED}"
PAST_AUDIT = "The audit has been submitted: the conversation can no longer be changed here. " + NOTHING_CHANGED
_OPEN = ("allocated", "started")
_AFTER_OVERSIGHT = ("oversight_confirmed", "complete")
_LOADED = (selectinload(Allocation.auditor), selectinload(Allocation.case_holder), selectinload(Allocation.audit))


def notice_key(allocation_id: int) -> str:
    """The case holder's notice's idempotency key prefix (its copies are updated by it)."""
    return f"{kinds.CASE_HOLDER_NOTICE}:{allocation_id}:"


def notice_view(allocation: Allocation, cal: WorkingCalendar) -> ch.CaseHolderNotice:
    """Needs `auditor` and `case_holder` loaded. The audit is due when the auditor's notice says
    (views.audit_due): a case allocated late has its own later day, never the month's day already past."""
    return ch.CaseHolderNotice(
        allocation_id=allocation.id, case_ref=allocation.case_ref, month_label=format_month(allocation.month),
        case_holder_name=allocation.case_holder.display_name, auditor_name=allocation.auditor.display_name,
        deadline=views.audit_due(allocation, cal), conversation_on=allocation.conversation_on,
        conversation_held_at=allocation.conversation_held_at, kind=views.audit_kind(allocation),
        on_default_form=allocation.form_name == DEFAULT_FORM_NAME)


def told(allocation: Allocation) -> bool:
    """Whether the case holder is told of this allocation: an active case holder other than the
    (active) auditor. Needs `auditor` and `case_holder` loaded."""
    holder = allocation.case_holder
    return bool(holder and holder.active and allocation.auditor.active and holder.id != allocation.auditor_id)


def notices(allocations: Sequence[Allocation], cal: WorkingCalendar, due_at: datetime) -> list[Message]:
    """One notice per told case holder per allocation, due with the auditor's notice (the duty writes them
    in the same transaction: capabilities/audit_cycle/duties.py notify_allocations)."""
    out = []
    for allocation in allocations:
        if not told(allocation):
            continue
        view = notice_view(allocation, cal)
        out.append(Message(f"{notice_key(allocation.id)}{allocation.case_holder_id}", kinds.CASE_HOLDER_NOTICE,
                           allocation.case_holder_id, due_at=due_at, payload=kinds.CASE_HOLDER_NOTICE.message(
                               view, cal.tz, summary=_notice_summary(view))))
    return out


def _notice_summary(view: ch.CaseHolderNotice) -> str:
    if view.kind == "supervision":
        return f"Your supervision file is in the {view.month_label} audit"
    return f"Your case {view.case_ref} is in the {view.month_label} audit"


async def _locked(act: Act, allocation_id: int | None) -> Allocation:
    return await act.lock(Allocation, allocation_id, missing=NOT_FOUND, options=_LOADED)


async def _update_notice(act: Act, allocation: Allocation, change: str) -> None:
    if not told(allocation):
        return
    card = kinds.CASE_HOLDER_NOTICE.card(notice_view(allocation, act.calendar), act.calendar.tz)
    await update_copies(act.session, [notice_key(allocation.id)], card,
                        f"Your case {allocation.case_ref}: the audit conversation", kind=kinds.CASE_HOLDER_UPDATE,
                        key=f"{kinds.CASE_HOLDER_UPDATE}:{allocation.id}:{change}:{act.now:%Y%m%dT%H%M%S%f}",
                        now=act.now)


@use_case(Outcome)
async def conversation_arranged(ctx: Context, actor_id: int, allocation_id: int, day: str | None, *, now: datetime,
                                via: str) -> Outcome:
    """The auditor has arranged the conversation with the case holder for `day` (an Input.Date value,
    today or later, local): kept, and the case holder's notice shows it."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        allocation = await _locked(act, allocation_id)
        if not may_audit(act.actor, allocation):
            refuse(ONLY_AUDITOR)
        if allocation.state not in _OPEN:
            refuse(PAST_AUDIT)
        on = parse_day(day)
        if on is None:
            invalid("Choose the day of the conversation.")
        if on < act.calendar.local_date(now):
            invalid("The day of the conversation is in the past: choose today or a later day.")
        allocation.conversation_on, allocation.conversation_arranged_at = on, now
        allocation.updated_at = now
        act.trail("allocation", allocation.id, CONVERSATION_ARRANGED, month=allocation.month, on=on.isoformat())
        await _update_notice(act, allocation, "arranged")
        return Outcome(Status.DONE, f"Conversation arranged for {format_day(on)}")


@use_case(Outcome)
async def conversation_held(ctx: Context, actor_id: int, allocation_id: int, *, now: datetime, via: str) -> Outcome:
    """The auditor has held the conversation: kept (the audit form's "discussion held" is filled from it),
    and the case holder's notice shows it."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        allocation = await _locked(act, allocation_id)
        if not may_audit(act.actor, allocation):
            refuse(ONLY_AUDITOR)
        if allocation.conversation_held_at is not None:
            already(f"The conversation was already recorded as held. {NOTHING_CHANGED}")
        if allocation.state not in _OPEN:
            refuse(PAST_AUDIT)
        allocation.conversation_held_at = now
        allocation.conversation_on = allocation.conversation_on or act.calendar.local_date(now)
        allocation.updated_at = now
        if allocation.audit is not None:  # a draft: its answer follows
            allocation.audit.discussion_held = True
        act.trail("allocation", allocation.id, CONVERSATION_HELD, month=allocation.month)
        await _update_notice(act, allocation, "held")
        return Outcome(Status.DONE, "Conversation held")


# -- the findings, after oversight ---------------------------------------------------------------

async def findings_view(session: AsyncSession, allocation: Allocation, oversight_by: str) -> ch.Findings:
    """Needs `auditor`, `case_holder` and `audit` loaded. An audit on a form other than the default shows the
    form's answers (from the version it was started on)."""
    audit = allocation.audit
    actions = [ch.ActionItem(text, on, who) for text, on, who in await remedial_actions_of(session, allocation.id)]
    form = None
    if audit.form_name and audit.form_name != DEFAULT_FORM_NAME:
        form = await stored_form(session, audit.form_name, audit.form_version)
    holder = allocation.case_holder
    return ch.Findings(audit_id=audit.id, case_ref=allocation.case_ref, auditor_name=allocation.auditor.display_name,
                       oversight_by=oversight_by, grade=audit.overall_grade or "Not graded",
                       key_areas=dict(audit.key_areas or {}), strengths=audit.strengths,
                       improvements=audit.improvements, actions=tuple(actions),
                       reflection=audit.case_holder_reflection, reflected_at=audit.reflected_at,
                       supervision_asked=audit.supervision_asked_at is not None,
                       forum_agreed_at=audit.forum_agreed_at, kind=form.kind if form else "case",
                       supervisee_name=holder.display_name if holder else "",
                       answers=tuple(answer_lines(form, audit.answers or {})) if form else ())


async def send_findings(act: Act, allocation: Allocation) -> int:
    """Called in the oversight confirmation's transaction: the case holder gets the findings (needs
    `auditor`, `case_holder` and `audit` loaded). Returns the people told (0 or 1); the oversight's trail
    row records it (`case_holder_told`)."""
    holder = allocation.case_holder
    if holder is None or not holder.active or holder.id == allocation.auditor_id or allocation.audit is None:
        return 0
    view = await findings_view(act.session, allocation, act.actor.display_name)
    if view.supervision:
        return await _supervision_findings(act, allocation, view)
    told = await act.notify(kinds.AUDIT_FINDINGS, [holder], kinds.AUDIT_FINDINGS.message(
        view, act.calendar.tz, summary=f"The findings of the audit of your case {allocation.case_ref}"),
        key=f"{kinds.AUDIT_FINDINGS}:{allocation.id}")
    if view.good:
        await _thank_manager(act, allocation, view)
    return told


async def _supervision_findings(act: Act, allocation: Allocation, view: ch.Findings) -> int:
    """A supervision audit's findings (framework 9.1): to the supervisee, and a copy to their supervisor on the
    roster unless the supervisor audited it (the rules refuse that at allocation; a reallocation might not)."""
    holder = allocation.case_holder
    told = await act.notify(kinds.AUDIT_FINDINGS, [holder], kinds.AUDIT_FINDINGS.message(
        view, act.calendar.tz, summary="The findings of the audit of your supervision file"),
        key=f"{kinds.AUDIT_FINDINGS}:{allocation.id}")
    supervisor = await _supervisor(act.session, holder)
    if supervisor is not None and supervisor.id != allocation.auditor_id:
        told += await act.notify(kinds.AUDIT_FINDINGS, [supervisor], kinds.AUDIT_FINDINGS.message(
            view, act.calendar.tz, for_supervisor=True,
            summary=f"The findings of the audit of {holder.display_name}'s supervision file"),
            key=f"{kinds.AUDIT_FINDINGS}:{allocation.id}:supervisor")
    return told


async def _thank_manager(act: Act, allocation: Allocation, view: ch.Findings) -> None:
    """Good or Outstanding (framework 9.3): the case holder's manager (their supervisor on the roster) gets a
    short thank-you naming what was strong; not when the manager audited the case (they wrote it). One trail row."""
    manager = await _supervisor(act.session, allocation.case_holder)
    if manager is None or manager.id == allocation.auditor_id:
        return
    thanks = ch.Thanks(case_ref=allocation.case_ref, grade=view.grade, case_holder_name=allocation.case_holder.display_name,
                       auditor_name=view.auditor_name, strengths=view.strengths)
    added = await act.notify(kinds.GOOD_PRACTICE_THANKS, [manager], kinds.GOOD_PRACTICE_THANKS.message(
        thanks, summary=f"Good practice: case {allocation.case_ref} graded {view.grade}"),
        key=f"{kinds.GOOD_PRACTICE_THANKS}:{allocation.id}")
    act.trail("allocation", allocation.id, MANAGER_THANKED, month=allocation.month, grade=view.grade, told=added)


async def _as_case_holder(act: Act, audit_id: int) -> Allocation:
    """The audit's allocation, if the actor is its case holder and oversight is confirmed; else refused
    (the same words either way: an audit of someone else's case is not described)."""
    audit = await act.get(Audit, audit_id, missing=NOT_FOUND)
    allocation = await _locked(act, audit.allocation_id)
    if not may_see_findings(act.actor, allocation):
        refuse(NOT_YOURS)
    return allocation


async def _supervisor(session: AsyncSession, person: Person) -> Person | None:
    found = await person_by_email(session, person.supervisor_email) if person.supervisor_email else None
    return found if found is not None and found.active and found.id != person.id else None


def _ask_supervision(act: Act, allocation: Allocation) -> bool:
    audit = allocation.audit
    if audit.supervision_asked_at is not None:
        return False
    audit.supervision_asked_at = act.now
    act.trail("allocation", allocation.id, SUPERVISION_ASKED, month=allocation.month)
    return True


async def _findings_card(act: Act, allocation: Allocation) -> dict:
    oversight = await act.name(allocation.oversight_by_id)
    return ch.findings_card(await findings_view(act.session, allocation, oversight), act.calendar.tz)


@use_case(Outcome)
async def reflect(ctx: Context, actor_id: int, audit_id: int, text: str | None, *, now: datetime,
                  via: str) -> Outcome:
    """The case holder's reflection on the findings (once; screened for identifiers): kept with the audit,
    sent to the auditor and the case holder's supervisor, and the audit goes on the supervision digest."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        allocation = await _as_case_holder(act, audit_id)
        audit = allocation.audit
        if audit.case_holder_reflection is not None:
            already(f"Your reflection on this audit is already sent. {NOTHING_CHANGED}",
                    card=await _findings_card(act, allocation))
        typed = text.strip() if isinstance(text, str) else ""
        if not typed:
            invalid("Please write your reflection.")
        if refused := first_refusal({"Your reflection": typed}):
            invalid(refused)
        if len(typed) > ch.REFLECTION_MAX:
            invalid(f"Please keep your reflection under {ch.REFLECTION_MAX:,} characters.")
        audit.case_holder_reflection, audit.reflected_at = typed, now
        _ask_supervision(act, allocation)
        people = [p for p in (await active_person(act.session, allocation.auditor_id),
                              await _supervisor(act.session, act.actor)) if p is not None]
        view = ch.Reflection(case_ref=allocation.case_ref, case_holder_name=act.actor.display_name,
                             reflection=typed, reflected_at=now, kind=views.audit_kind(allocation))
        for person in {p.id: p for p in people}.values():
            to_supervisor = person.id != allocation.auditor_id
            await act.notify(kinds.CASE_HOLDER_REFLECTION, [person], kinds.CASE_HOLDER_REFLECTION.message(
                view, act.calendar.tz, to_supervisor=to_supervisor,
                summary=f"{act.actor.display_name}'s reflection on the audit of case {allocation.case_ref}"),
                key=f"{kinds.CASE_HOLDER_REFLECTION}:{allocation.id}")
        act.trail("allocation", allocation.id, REFLECTED, month=allocation.month, length=len(typed),
                  told=len(people))
        return Outcome(Status.DONE, card=await _findings_card(act, allocation))


@use_case(Outcome)
async def ask_supervision(ctx: Context, actor_id: int, audit_id: int, *, now: datetime, via: str) -> Outcome:
    """"Talk about this in supervision": the audit goes on the case holder's supervisor's digest."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        allocation = await _as_case_holder(act, audit_id)
        if not _ask_supervision(act, allocation):
            already(f"This audit is already on your supervisor's list for your next 1:1. {NOTHING_CHANGED}",
                    card=await _findings_card(act, allocation))
        return Outcome(Status.DONE, card=await _findings_card(act, allocation))


@use_case(Outcome)
async def agree_forum(ctx: Context, actor_id: int, audit_id: int, *, now: datetime, via: str) -> Outcome:
    """"Agree to use in a practice forum" (framework 9.3: "Good practice is shared"): the case holder of an
    audit graded Good or Outstanding agrees to the case being used in a practice forum by its case reference
    only; kept with the audit, and the principal social worker's good-practice list marks it."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        allocation = await _as_case_holder(act, audit_id)
        audit = allocation.audit
        if audit.overall_grade not in ch.GOOD_GRADES:
            refuse(f"Only an audit graded Good or Outstanding is offered for a practice forum. {NOTHING_CHANGED}")
        if audit.forum_agreed_at is not None:
            already(f"You have already agreed this case may be used in a practice forum. {NOTHING_CHANGED}",
                    card=await _findings_card(act, allocation))
        audit.forum_agreed_at = now
        act.trail("allocation", allocation.id, FORUM_AGREED, month=allocation.month, grade=audit.overall_grade)
        return Outcome(Status.DONE, card=await _findings_card(act, allocation))
