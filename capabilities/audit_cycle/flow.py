"""The audit cycle's use cases: what people do from its cards (framework 9.3): each action checks who may act and
where the audit has got to, then changes the allocation, writes the audit trail and queues the
messages it causes, all in one transaction. Pure of Teams: ids and typed values in, an Outcome out.

The allocation's states (storage.models.ALLOCATION_STATES) and the actions that move them:

    allocated --start/save draft--> started --submit--> submitted --confirm--> oversight_confirmed
    allocated|started --decline--> declined (the QA unit reallocates; storage/allocations.py)
    submitted --dispute--> disputed --resolve--> submitted (awaiting oversight again)
    oversight_confirmed --uploaded--> complete

Who may act (checked again on every action; a card carries ids only):
- start, save draft, submit, decline, uploaded: the allocation's auditor, or the QA unit;
- open, confirm oversight, dispute: a service lead whose service areas include the allocation's;
- resolve a dispute: the auditor, or the QA unit.

Messages go through the outbox, due at the next send moment (08:00-18:00 on working days), except
safeguarding alerts, which are due at once: the Outcome says `urgent` so the edge sends them now.
The trail (TrailEvent, subject the allocation) records who, when and through which card; its detail holds lengths
and flags, never typed text that could describe a child.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from capabilities.audit_cycle.form import (
    clean_form,
    draft_of,
    form_detail,
    identifier_errors,
    read_form,
    validate_form,
)
from capabilities.audit_cycle.kinds import (
    DECLINE_NOTICE,
    DISPUTE,
    OVERSIGHT_REQUEST,
    SAFEGUARDING_ALERT,
    UPLOAD_REQUEST,
)
from capabilities.audit_cycle.people import (
    may_audit,
    may_oversee,
    may_resolve,
    qa_unit,
    safeguarding_recipients,
    service_leads_for,
    unique,
)
from capabilities.registry import OutboxKind
from dialogs import audit_cards as cards
from dialogs.card_kit import format_moment
from dialogs.payload import Payload
from qa.audit_calendar import cycle_dates, parse_month_key
from qa.calendar import WorkingCalendar
from qa.identifiers import first_refusal
from storage.db import Database
from storage.models import Allocation, Audit, Person, TrailEvent
from storage.observations import owe_family_view
from storage.outbox import enqueue

log = logging.getLogger(__name__)

# Outcome.status
DONE = "done"            # the change was made
UNCHANGED = "unchanged"  # allowed, and nothing needed changing (reopen the form, open the oversight request)
INVALID = "invalid"      # what was entered is incomplete or wrong; `errors` or `message` say what
REFUSED = "refused"      # this person may not do this; nothing changed
ALREADY = "already"      # the audit has moved on (an old copy of a card); nothing changed

# TrailEvent.action
STARTED = "audit_started"
DRAFT_SAVED = "audit_draft_saved"
SUBMITTED = "audit_submitted"
DECLINED = "allocation_declined"
OVERSIGHT_OPENED = "oversight_request_opened"
OVERSIGHT_CONFIRMED = "oversight_confirmed"
DISPUTED = "oversight_disputed"
RESOLVED = "dispute_resolved"
UPLOADED = "audit_uploaded"
SAFEGUARDING_ALERTED = "safeguarding_alert_raised"


NOTHING_CHANGED = "Nothing was changed."
NOT_ON_ROSTER = ("I can't match you to anyone active on the QA roster, so I can't record this. "
                 "Please ask the QA unit to check the roster. " + NOTHING_CHANGED)
NOT_FOUND = ("I can't find this audit any more: it may have been withdrawn or reallocated. " + NOTHING_CHANGED)

_AUDITOR_STATES = ("allocated", "started")  # where start, save draft, submit and decline apply


@dataclass
class Outcome:
    status: str
    message: str = ""  # for a person: why nothing changed, or what is missing
    allocation_id: int | None = None
    audit_id: int | None = None
    case_ref: str = ""
    state: str = ""  # the allocation's state afterwards
    actor_name: str = ""
    at: datetime | None = None
    view: cards.AllocationView | None = None  # for the audit form
    draft: dict[str, Any] | None = None  # the form's values, as read_audit_form gives them
    errors: dict[str, str] = field(default_factory=dict)  # form input id -> what is wrong
    summary: cards.AuditSummary | None = None  # for the oversight request card
    grade: str | None = None
    safeguarding: bool = False  # the audit carries an immediate safeguarding concern
    urgent: bool = False  # messages due now were written (safeguarding alerts): send them now
    notified: int = 0  # people the action's messages go to
    family_view: bool = False  # submitted asking for the family's view: a feedback entry is owed (issue 12)

    @property
    def changed(self) -> bool:
        return self.status == DONE


# -- one action's working set -----------------------------------------------------------------

@dataclass
class _Act:
    session: AsyncSession
    allocation: Allocation
    actor: Person
    now: datetime
    calendar: WorkingCalendar
    via: str
    names: dict[int, str] = field(default_factory=dict)

    @property
    def audit(self) -> Audit | None:
        return self.allocation.audit

    def event(self, action: str, **detail: Any) -> None:
        self.session.add(TrailEvent(subject_type="allocation", subject_id=self.allocation.id, month=self.allocation.month,
                                    actor_id=self.actor.id, action=action, via=self.via, detail=detail,
                                    at=self.now))

    def refuse(self, message: str) -> Outcome:
        """This person may not act: nothing changed, and the answer names nothing about the
        allocation (case ref, area, state) they could not already see."""
        return Outcome(REFUSED, message)

    def outcome(self, status: str, **more: Any) -> Outcome:
        allocation = self.allocation
        audit = allocation.audit
        return Outcome(status=status, allocation_id=allocation.id, audit_id=audit.id if audit else None,
                       case_ref=allocation.case_ref, state=allocation.state, actor_name=self.actor.display_name,
                       at=self.now, grade=audit.overall_grade if audit else None,
                       safeguarding=bool(audit and audit.safeguarding_concern), **more)

    async def name(self, person_id: int | None) -> str:
        if person_id is None:
            return "someone"
        if person_id not in self.names:
            person = await self.session.get(Person, person_id)
            self.names[person_id] = person.display_name if person else "someone"
        return self.names[person_id]

    def dates(self):
        return cycle_dates(*parse_month_key(self.allocation.month), self.calendar)

    def moment(self, at: datetime) -> str:
        return format_moment(at, self.calendar.tz)

    async def send(self, key: str, kind: OutboxKind, person_id: int, card: dict, summary: str, *,
                   urgent: bool = False) -> bool:
        # An urgent message is its own message, never folded into a digest.
        payload = Payload.of(card, summary, alone=urgent)
        due = self.now if urgent else self.calendar.next_send_moment(self.now)
        return await enqueue(self.session, key=key, kind=kind, person_id=person_id, payload=payload,
                             due_at=due, now=self.now)

    def stamp(self) -> str:
        return self.now.strftime("%Y%m%dT%H%M%S%f")


async def _load(session: AsyncSession, allocation_id: int) -> Allocation | None:
    # Locked until commit (PostgreSQL); SQLite's BEGIN IMMEDIATE already serialises writers.
    return (await session.execute(
        select(Allocation).where(Allocation.id == allocation_id)
        .options(selectinload(Allocation.auditor), selectinload(Allocation.case_holder),
                 selectinload(Allocation.audit))
        .with_for_update())).scalar_one_or_none()


async def _allocation_id_of_audit(session: AsyncSession, audit_id: int) -> int | None:
    return (await session.execute(select(Audit.allocation_id).where(Audit.id == audit_id))).scalar_one_or_none()


async def _begin(session: AsyncSession, actor_id: int, allocation_id: int | None, now: datetime,
                 calendar: WorkingCalendar, via: str) -> _Act | Outcome:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    actor = await session.get(Person, actor_id)
    if actor is None or not actor.active:
        return Outcome(REFUSED, NOT_ON_ROSTER)
    allocation = await _load(session, allocation_id) if allocation_id is not None else None
    if allocation is None:
        return Outcome(REFUSED, NOT_FOUND)
    return _Act(session, allocation, actor, now, calendar, via)


# -- where an audit has got to, for polite answers ----------------------------------------------

_STATE_EVENTS = {"started": (STARTED, DRAFT_SAVED), "declined": (DECLINED,), "submitted": (SUBMITTED, RESOLVED),
                 "disputed": (DISPUTED,), "oversight_confirmed": (OVERSIGHT_CONFIRMED,), "complete": (UPLOADED,)}


def _about(allocation: Allocation) -> tuple:
    """The trail's rows about this allocation."""
    return TrailEvent.subject_type == "allocation", TrailEvent.subject_id == allocation.id


async def where_it_is(act: _Act) -> str:
    """One sentence on the audit's state: who moved it there and when (from the trail)."""
    state = act.allocation.state
    last = None
    if state in _STATE_EVENTS:
        last = (await act.session.execute(
            select(TrailEvent).where(*_about(act.allocation), TrailEvent.action.in_(_STATE_EVENTS[state]))
            .order_by(TrailEvent.at.desc(), TrailEvent.id.desc()).limit(1))).scalar_one_or_none()
    if state == "allocated":
        return "This audit has not been started yet."
    if last is None:
        return f"This audit is now {state.replace('_', ' ')}."
    who, when = await act.name(last.actor_id), act.moment(last.at)
    if state == "started":
        return f"This audit was started by {who} on {when} and has not been submitted yet."
    if state == "declined":
        return f"This audit was declined by {who} on {when}; the QA unit will reallocate it."
    if state == "submitted" and last.action == RESOLVED:
        return (f"The dispute on this audit was resolved by {who} on {when}; "
                "it is waiting for the service lead's oversight again.")
    if state == "submitted":
        return f"This audit was already submitted by {who} on {when}; it is waiting for the service lead's oversight."
    if state == "disputed":
        return (f"This audit was disputed by {who} on {when}; the auditor or the QA unit will record "
                "how it was resolved.")
    if state == "oversight_confirmed":
        return (f"Oversight was already confirmed by {who} on {when}; the auditor has been asked to upload "
                "the audit to Care Director.")
    return f"This audit is complete: {who} confirmed it was uploaded to Care Director on {when}."


async def _moved_on(act: _Act) -> Outcome:
    return act.outcome(ALREADY, message=f"{await where_it_is(act)} {NOTHING_CHANGED}")


# -- views for the cards -----------------------------------------------------------------------

async def allocation_view(act: _Act) -> cards.AllocationView:
    allocation = act.allocation
    holder = allocation.case_holder.display_name if allocation.case_holder else "Not recorded"
    return cards.AllocationView(
        allocation_id=allocation.id, case_ref=allocation.case_ref, annex_a_list=allocation.annex_a_list,
        team=allocation.team, theme=allocation.theme or "", case_holder_name=holder,
        deadline=act.dates().audit_deadline, started=allocation.state == "started" or allocation.audit is not None)


def _local_day(act: _Act, at: datetime | None) -> date:
    return act.calendar.local_date(at or act.now)


async def audit_summary(act: _Act) -> cards.AuditSummary:
    allocation, audit = act.allocation, act.allocation.audit
    assert audit is not None
    return cards.AuditSummary(
        audit_id=audit.id, case_ref=allocation.case_ref, team=allocation.team,
        service_area=allocation.service_area, auditor_name=allocation.auditor.display_name,
        case_holder_name=allocation.case_holder.display_name if allocation.case_holder else "Not recorded",
        grade=audit.overall_grade or "Not graded", key_areas=dict(audit.key_areas or {}),
        strengths=audit.strengths or "", improvements=audit.improvements or "",
        discussion_held=audit.discussion_held, seek_family_views=audit.seek_family_views,
        safeguarding_concern=audit.safeguarding_concern,
        submitted_on=_local_day(act, audit.submitted_at or allocation.submitted_at),
        oversight_due=act.dates().oversight_deadline)


# -- the auditor's actions ---------------------------------------------------------------------

async def _begin_as_auditor(session: AsyncSession, actor_id: int, allocation_id: int, now: datetime,
                            calendar: WorkingCalendar, via: str) -> _Act | Outcome:
    """An auditor's step may go ahead: the allocated auditor (or the QA unit), before submission."""
    act = await _begin(session, actor_id, allocation_id, now, calendar, via)
    if isinstance(act, Outcome):
        return act
    if not may_audit(act.actor, act.allocation):
        return act.refuse(_only_auditor())
    if act.allocation.state not in _AUDITOR_STATES:
        return await _moved_on(act)
    return act


async def start_audit(db: Database, actor_id: int, allocation_id: int, *, now: datetime,
                      calendar: WorkingCalendar, via: str) -> Outcome:
    """Open the audit form: the first time, the allocation becomes "started" with an empty draft."""
    async with db.sessions.begin() as session:
        act = await _begin_as_auditor(session, actor_id, allocation_id, now, calendar, via)
        if isinstance(act, Outcome):
            return act
        allocation = act.allocation
        status = UNCHANGED
        if allocation.state == "allocated":
            _ensure_audit(act)
            allocation.state = "started"
            allocation.started_at = allocation.started_at or now
            allocation.updated_at = now
            act.event(STARTED, case_ref=allocation.case_ref)
            status = DONE
            await session.flush()
        return act.outcome(status, view=await allocation_view(act), draft=draft_of(allocation.audit))


def _only_auditor() -> str:
    return f"Only the auditor allocated this case, or the QA unit, can do this. {NOTHING_CHANGED}"


def _ensure_audit(act: _Act) -> Audit:
    if act.allocation.audit is None:
        act.allocation.audit = Audit(allocation_id=act.allocation.id, key_areas={}, strengths="", improvements="",
                                     discussion_held=False, seek_family_views=False, safeguarding_concern=False,
                                     safeguarding_description="", updated_at=act.now)
        act.session.add(act.allocation.audit)
    return act.allocation.audit


def _store(act: _Act, values: Mapping[str, Any]) -> Audit:
    audit = _ensure_audit(act)
    audit.overall_grade = values[cards.OVERALL_GRADE]
    audit.key_areas = dict(values["key_areas"])
    audit.strengths = values[cards.STRENGTHS]
    audit.improvements = values[cards.IMPROVEMENTS]
    audit.discussion_held = values[cards.DISCUSSION_HELD]
    audit.seek_family_views = values[cards.SEEK_FAMILY_VIEWS]
    audit.safeguarding_concern = values[cards.SAFEGUARDING_CONCERN]
    audit.safeguarding_description = values[cards.SAFEGUARDING_DESCRIPTION]
    audit.updated_at = act.now
    allocation = act.allocation
    if allocation.state == "allocated":
        allocation.state = "started"
        allocation.started_at = allocation.started_at or act.now
    allocation.updated_at = act.now
    return audit


async def save_draft(db: Database, actor_id: int, allocation_id: int, inputs: Mapping[str, Any], *,
                     now: datetime, calendar: WorkingCalendar, via: str) -> Outcome:
    """Keep whatever the form holds (valid grades, text within limits) as the draft.

    A flagged safeguarding concern with a description is escalated now, draft or not: it is
    immediate. Flagged without a description, the draft is kept and the form asks for one.
    """
    return await _save(db, actor_id, allocation_id, inputs, now=now, calendar=calendar, via=via, submit=False)


async def submit_audit(db: Database, actor_id: int, allocation_id: int, inputs: Mapping[str, Any], *,
                       now: datetime, calendar: WorkingCalendar, via: str) -> Outcome:
    """Submit the audit: every required answer present, or INVALID with `errors` (the entered
    values are kept as the draft). Submitted, the area's service leads get the oversight request."""
    return await _save(db, actor_id, allocation_id, inputs, now=now, calendar=calendar, via=via, submit=True)


async def _save(db: Database, actor_id: int, allocation_id: int, inputs: Mapping[str, Any], *, now: datetime,
                calendar: WorkingCalendar, via: str, submit: bool) -> Outcome:
    async with db.sessions.begin() as session:
        act = await _begin_as_auditor(session, actor_id, allocation_id, now, calendar, via)
        if isinstance(act, Outcome):
            return act
        allocation = act.allocation
        inputs = inputs if isinstance(inputs, Mapping) else {}
        form, unreadable = read_form(inputs)
        if form is None:
            return act.outcome(INVALID, message=unreadable, view=await allocation_view(act),
                               draft=draft_of(allocation.audit), errors={"form": unreadable})
        values = clean_form(form)
        refused = identifier_errors(values)
        if refused:  # nothing saved: the draft stays as it was, the form says what to remove
            return act.outcome(INVALID, message=next(iter(refused.values())), view=await allocation_view(act),
                               draft=values, errors=refused)
        errors = validate_form(form, inputs) if submit else {
            k: v for k, v in validate_form(form, inputs).items() if k == cards.SAFEGUARDING_DESCRIPTION}
        audit = _store(act, values)
        await session.flush()  # the audit's id, for the cards
        urgent = await _alert_if_concern(act)
        if errors:
            detail = form_detail(values)
            if submit:
                detail["submit_errors"] = sorted(errors)
            act.event(DRAFT_SAVED, **detail)
            status = INVALID if submit else DONE
            return act.outcome(status, view=await allocation_view(act), draft=values, errors=errors, urgent=urgent)
        if not submit:
            act.event(DRAFT_SAVED, **form_detail(values))
            return act.outcome(DONE, view=await allocation_view(act), draft=values, urgent=urgent)
        audit.submitted_by_id = act.actor.id
        audit.submitted_at = now
        allocation.state = "submitted"
        allocation.submitted_at = now
        leads = await service_leads_for(session, allocation)
        summary = await audit_summary(act)
        for lead in leads:
            await act.send(f"oversight-request:{allocation.id}:{lead.id}", OVERSIGHT_REQUEST, lead.id,
                           OVERSIGHT_REQUEST.card(summary),
                           f"Oversight needed: case {allocation.case_ref}, audited by {summary.auditor_name}")
        if not leads:
            log.warning("allocation %s submitted: no active service lead for its service area", allocation.id)
        act.event(SUBMITTED, **form_detail(values), oversight_requested=len(leads))
        if audit.seek_family_views:  # the family's view is owed, with a reminder (framework 9.4, issue 12)
            await owe_family_view(session, allocation, now=now, calendar=calendar)
        return act.outcome(DONE, urgent=urgent, notified=len(leads), family_view=audit.seek_family_views)


async def _alert_if_concern(act: _Act) -> bool:
    """Escalate a flagged concern with a description, once per allocation; True if alerts were written."""
    audit = act.allocation.audit
    if audit is None or not audit.safeguarding_concern or not audit.safeguarding_description:
        return False
    raised = (await act.session.execute(
        select(TrailEvent.id).where(*_about(act.allocation), TrailEvent.action == SAFEGUARDING_ALERTED)
        .limit(1))).scalar_one_or_none()
    if raised is not None:
        return False
    allocation = act.allocation
    alert = cards.SafeguardingAlert(case_ref=allocation.case_ref, team=allocation.team,
                                    service_area=allocation.service_area, auditor_name=act.actor.display_name,
                                    description=audit.safeguarding_description, raised_at=act.now)
    card = SAFEGUARDING_ALERT.card(alert, act.calendar.tz)
    people = await safeguarding_recipients(act.session, allocation)
    for person in people:
        await act.send(f"safeguarding-alert:{allocation.id}:{person.id}", SAFEGUARDING_ALERT, person.id, card,
                       f"Immediate safeguarding concern: case {allocation.case_ref}", urgent=True)
    if not people:
        log.error("safeguarding concern on allocation %s: nobody on the roster to alert", allocation.id)
    act.event(SAFEGUARDING_ALERTED, alerted=len(people), roles=sorted({p.role for p in people}),
              description_length=len(audit.safeguarding_description))
    return bool(people)


async def decline_allocation(db: Database, actor_id: int, allocation_id: int, reason: str, *, now: datetime,
                             calendar: WorkingCalendar, via: str) -> Outcome:
    """"I can't do this audit": the allocation becomes declined and the QA unit is told why."""
    async with db.sessions.begin() as session:
        act = await _begin_as_auditor(session, actor_id, allocation_id, now, calendar, via)
        if isinstance(act, Outcome):
            return act
        allocation = act.allocation
        reason = _typed(reason)
        if problem := _typed_problem(reason, "The reason", "reason", cards.DECLINE_REASON_MAX,
                                     missing="Please say why you can't do this audit."):
            return act.outcome(INVALID, message=problem)
        previous = allocation.state
        allocation.state = "declined"
        allocation.decline_reason = reason
        allocation.updated_at = now
        view = cards.DeclineView(allocation_id=allocation.id, case_ref=allocation.case_ref, team=allocation.team,
                                 auditor_name=allocation.auditor.display_name, reason=reason, declined_at=now)
        card = DECLINE_NOTICE.card(view, calendar.tz)
        people = await qa_unit(session)
        for person in people:
            await act.send(f"decline-notice:{allocation.id}:{person.id}:{act.stamp()}", DECLINE_NOTICE, person.id,
                           card, f"Allocation declined: case {allocation.case_ref}")
        if not people:
            log.warning("allocation %s declined: nobody in the QA unit to tell", allocation.id)
        act.event(DECLINED, reason_length=len(reason), was=previous, notified=len(people))
        return act.outcome(DONE, notified=len(people))


def _typed(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _typed_problem(text: str, field: str, noun: str, limit: int, *, missing: str | None = None) -> str | None:
    """Why typed text cannot be kept, or None: missing (when `missing` says it is required), holding
    an identifier (qa/identifiers.py; `field` names it), or longer than `limit` characters."""
    if not text and missing:
        return missing
    if refused := first_refusal({field: text}):
        return refused
    if len(text) > limit:
        return f"Please keep the {noun} under {limit:,} characters."
    return None


# -- oversight ---------------------------------------------------------------------------------

async def _begin_audit(session: AsyncSession, actor_id: int, audit_id: int, now: datetime,
                       calendar: WorkingCalendar, via: str) -> _Act | Outcome:
    allocation_id = await _allocation_id_of_audit(session, audit_id)
    return await _begin(session, actor_id, allocation_id, now, calendar, via)


def _only_service_lead() -> str:
    return (f"Only a service lead for the audit's service area can review this audit, confirm oversight or "
            f"dispute it. {NOTHING_CHANGED}")


async def _begin_oversight(session: AsyncSession, actor_id: int, audit_id: int, now: datetime,
                           calendar: WorkingCalendar, via: str) -> _Act | Outcome:
    """An oversight step may go ahead: a service lead of the area, on an audit awaiting oversight."""
    act = await _begin_audit(session, actor_id, audit_id, now, calendar, via)
    if isinstance(act, Outcome):
        return act
    if not may_oversee(act.actor, act.allocation):
        return act.refuse(_only_service_lead())
    if act.allocation.state != "submitted":
        return await _moved_on(act)
    return act


async def open_oversight(db: Database, actor_id: int, audit_id: int, *, now: datetime,
                         calendar: WorkingCalendar, via: str) -> Outcome:
    """The digest's Review: the audit for the service lead, with Confirm oversight and Dispute."""
    async with db.sessions.begin() as session:
        act = await _begin_oversight(session, actor_id, audit_id, now, calendar, via)
        if isinstance(act, Outcome):
            return act
        act.event(OVERSIGHT_OPENED)
        return act.outcome(UNCHANGED, summary=await audit_summary(act))


async def confirm_oversight(db: Database, actor_id: int, audit_id: int, comment: str, *, now: datetime,
                            calendar: WorkingCalendar, via: str) -> Outcome:
    """Oversight confirmed (optional comment): the auditor is asked to upload the audit."""
    async with db.sessions.begin() as session:
        act = await _begin_oversight(session, actor_id, audit_id, now, calendar, via)
        if isinstance(act, Outcome):
            return act
        allocation = act.allocation
        comment = _typed(comment)
        if problem := _typed_problem(comment, "The comment", "comment", cards.OVERSIGHT_COMMENT_MAX):
            return act.outcome(INVALID, message=problem)
        allocation.state = "oversight_confirmed"
        allocation.oversight_by_id = act.actor.id
        allocation.oversight_at = now
        allocation.oversight_comment = comment or None
        allocation.updated_at = now
        card = UPLOAD_REQUEST.card(audit_id, allocation.case_ref, act.actor.display_name, now, calendar.tz,
                                         act.dates().oversight_deadline, comment)
        await act.send(f"upload-request:{allocation.id}:{allocation.auditor_id}", UPLOAD_REQUEST,
                       allocation.auditor_id, card, f"Upload the audit of case {allocation.case_ref} to Care Director")
        act.event(OVERSIGHT_CONFIRMED, comment_length=len(comment))
        return act.outcome(DONE, notified=1)


async def dispute_audit(db: Database, actor_id: int, audit_id: int, reason: str, *, now: datetime,
                        calendar: WorkingCalendar, via: str) -> Outcome:
    """A service lead disputes the audit: the auditor and the QA unit are told why."""
    async with db.sessions.begin() as session:
        act = await _begin_oversight(session, actor_id, audit_id, now, calendar, via)
        if isinstance(act, Outcome):
            return act
        allocation = act.allocation
        reason = _typed(reason)
        if problem := _typed_problem(reason, "The reason for the dispute", "reason", cards.DISPUTE_REASON_MAX,
                                     missing="Please give the reason for the dispute."):
            return act.outcome(INVALID, message=problem)
        allocation.state = "disputed"
        allocation.dispute_reason = reason
        allocation.disputed_by_id = act.actor.id
        allocation.disputed_at = now
        allocation.updated_at = now
        view = cards.DisputeView(audit_id=audit_id, case_ref=allocation.case_ref, team=allocation.team,
                                 auditor_name=allocation.auditor.display_name,
                                 disputed_by_name=act.actor.display_name, reason=reason, disputed_at=now)
        card = DISPUTE.card(view, calendar.tz)
        people = unique([allocation.auditor, *await qa_unit(session)])
        for person in people:
            await act.send(f"dispute:{allocation.id}:{person.id}:{act.stamp()}", DISPUTE, person.id, card,
                           f"Audit disputed: case {allocation.case_ref}")
        act.event(DISPUTED, reason_length=len(reason), notified=len(people))
        return act.outcome(DONE, notified=len(people))


async def resolve_dispute(db: Database, actor_id: int, audit_id: int, resolution: str, *, now: datetime,
                          calendar: WorkingCalendar, via: str) -> Outcome:
    """The auditor or the QA unit records how a dispute was settled. The audit goes back to
    awaiting oversight ("submitted"), and the area's service leads get the request again."""
    async with db.sessions.begin() as session:
        act = await _begin_audit(session, actor_id, audit_id, now, calendar, via)
        if isinstance(act, Outcome):
            return act
        allocation = act.allocation
        if not may_resolve(act.actor, allocation):
            return act.refuse(f"Only the auditor or the QA unit can record how a dispute was resolved. "
                              f"{NOTHING_CHANGED}")
        if allocation.state != "disputed":
            return await _moved_on(act)
        resolution = _typed(resolution)
        if problem := _typed_problem(resolution, "The resolution", "resolution", cards.RESOLUTION_MAX,
                                     missing="Please describe how the dispute was resolved."):
            return act.outcome(INVALID, message=problem)
        allocation.state = "submitted"
        allocation.resolution = resolution
        allocation.resolved_by_id = act.actor.id
        allocation.resolved_at = now
        allocation.updated_at = now
        leads = await service_leads_for(session, allocation)
        summary = await audit_summary(act)
        for lead in leads:
            await act.send(f"oversight-request:{allocation.id}:{lead.id}:resolved:{act.stamp()}", OVERSIGHT_REQUEST,
                           lead.id, OVERSIGHT_REQUEST.card(summary),
                           f"Dispute resolved, oversight needed again: case {allocation.case_ref}")
        act.event(RESOLVED, resolution_length=len(resolution), oversight_requested=len(leads))
        return act.outcome(DONE, notified=len(leads))


async def confirm_uploaded(db: Database, actor_id: int, audit_id: int, *, now: datetime,
                           calendar: WorkingCalendar, via: str) -> Outcome:
    """"Uploaded to Care Director": the audit is complete."""
    async with db.sessions.begin() as session:
        act = await _begin_audit(session, actor_id, audit_id, now, calendar, via)
        if isinstance(act, Outcome):
            return act
        allocation = act.allocation
        if not may_audit(act.actor, allocation):
            return act.refuse(_only_auditor())
        if allocation.state != "oversight_confirmed":
            if allocation.state in ("submitted", "disputed"):
                return act.outcome(ALREADY, message=f"{await where_it_is(act)} The audit can be uploaded once "
                                                    f"oversight is confirmed. {NOTHING_CHANGED}")
            return await _moved_on(act)
        allocation.state = "complete"
        allocation.uploaded_at = now
        allocation.updated_at = now
        act.event(UPLOADED)
        return act.outcome(DONE)
