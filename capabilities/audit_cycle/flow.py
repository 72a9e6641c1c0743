"""The audit cycle's use cases: what people do from its cards (framework 9.3). Each is one unit of
work on the use-case kit (capabilities/kit.py): the actor, active on the roster; the allocation,
locked; who may act and where the audit has got to, checked; then the change, the trail and the
messages it causes, in one transaction. Pure of Teams: ids and typed values in, an AuditOutcome out.

The allocation's states (storage.models.ALLOCATION_STATES) and the actions that move them:

    allocated --start/save draft--> started --submit--> submitted --confirm--> oversight_confirmed
    allocated|started --decline--> declined (the QA unit reallocates: reallocation.py, or the month's file)
    submitted --dispute--> disputed --resolve--> submitted (awaiting oversight again)
    oversight_confirmed --uploaded--> complete

Who may act (capabilities/audit_cycle/access.py, checked again on every action; a card carries ids only):
- start, save draft, submit, decline, uploaded: the allocation's auditor, or the QA unit;
- open, confirm oversight, dispute: a service lead whose service areas include the allocation's;
- resolve a dispute: the auditor, or the QA unit.

Messages go through the outbox, due at the next send moment (08:00-18:00 on working days), except
safeguarding alerts, which are due at once: the outcome says `urgent` so the edge sends them now.
The trail (subject the allocation) records who, when and through which card; its detail holds lengths
and flags, never typed text that could describe a child.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from capabilities import kit
from capabilities.audit_cycle import case_holder, safeguarding, views
from capabilities.audit_cycle.access import may_audit, may_oversee, may_resolve
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
    UPLOAD_CHASE,
    UPLOAD_REQUEST,
)
from capabilities.context import Context
from capabilities.kit import NOTHING_CHANGED, Act, Status, invalid, refuse, unit, use_case
from dialogs import audit_cards as cards
from dialogs.card_kit import format_day, format_moment
from dialogs.form_cards import answer_lines
from qa.calendar import WorkingCalendar
from qa.deadlines import UPLOAD_WORKING_DAYS, chase_moment, due_no_earlier_than
from qa.forms import DEFAULT_FORM_NAME, FormRef
from qa.identifiers import first_refusal
from qa.reallocation import CHOICES_SHOWN, choice_title
from storage import follow_ups
from storage.audit_forms import stored_form
from storage.cycle import oversight_deadline
from storage.escalations import remedial_actions_of
from storage.models import Allocation, Audit, TrailEvent
from storage.observations import owe_family_view
from storage.people import qa_unit, safeguarding_recipients, service_leads_for
from storage.reallocation import candidates_for

DEFAULT_FORM = FormRef()  # the bot's own form, version 1: what audits were started on before forms were data

log = logging.getLogger(__name__)

# TrailEvent.action
STARTED = "audit_started"
DRAFT_SAVED = "audit_draft_saved"
SUBMITTED = "audit_submitted"
DECLINED = "allocation_declined"
OVERSIGHT_OPENED = "oversight_request_opened"
WHOLE_AUDIT_READ = "whole_audit_read"
OVERSIGHT_CONFIRMED = "oversight_confirmed"
DISPUTED = "oversight_disputed"
RESOLVED = "dispute_resolved"
UPLOADED = "audit_uploaded"
SAFEGUARDING_ALERTED = "safeguarding_alert_raised"

NOT_ON_ROSTER = kit.NOT_ON_ROSTER  # the same words as every capability's
NOT_FOUND = ("I can't find this audit any more: it may have been withdrawn or reallocated. " + NOTHING_CHANGED)
ONLY_AUDITOR = f"Only the auditor allocated this case, or the QA unit, can do this. {NOTHING_CHANGED}"
ONLY_SERVICE_LEAD = ("Only a service lead for the audit's service area can review this audit, confirm oversight or "
                     f"dispute it. {NOTHING_CHANGED}")
ONLY_RESOLVER = f"Only the auditor or the QA unit can record how a dispute was resolved. {NOTHING_CHANGED}"

_AUDITOR_STATES = ("allocated", "started")  # where start, save draft, submit and decline apply
_LOADED = (selectinload(Allocation.auditor), selectinload(Allocation.case_holder), selectinload(Allocation.audit))


@dataclass
class AuditOutcome(kit.Outcome):
    """What an audit-cycle use case answers: the kit's Outcome and what the audit cycle's cards show."""

    allocation_id: int | None = None
    audit_id: int | None = None
    case_ref: str = ""
    state: str = ""  # the allocation's state afterwards
    actor_name: str = ""
    at: datetime | None = None
    view: cards.AllocationView | None = None  # for the audit form
    draft: dict[str, Any] | None = None  # the form's values, as read_audit_form gives them
    summary: cards.AuditSummary | None = None  # for the oversight request card
    grade: str | None = None
    safeguarding: bool = False  # the audit carries an immediate safeguarding concern
    notified: int = 0  # people the action's messages go to
    family_view: bool = False  # submitted asking for the family's view: a feedback entry is owed (framework 9.4)


def _outcome(act: Act, allocation: Allocation, status: Status, **more: Any) -> AuditOutcome:
    audit = allocation.audit
    return AuditOutcome(status, allocation_id=allocation.id, audit_id=audit.id if audit else None,
                        case_ref=allocation.case_ref, state=allocation.state, actor_name=act.actor.display_name,
                        at=act.now, grade=audit.overall_grade if audit else None,
                        safeguarding=bool(audit and audit.safeguarding_concern), **more)


def _trail(act: Act, allocation: Allocation, action: str, **detail: Any) -> None:
    act.trail("allocation", allocation.id, action, month=allocation.month, **detail)


def _stamp(act: Act) -> str:
    """Makes the key of a message that may be sent again for the same allocation (a second dispute) unique."""
    return act.now.strftime("%Y%m%dT%H%M%S%f")


# -- the allocation, locked, and who may act on it ---------------------------------------------

async def _allocation(act: Act, allocation_id: int | None) -> Allocation:
    return await act.lock(Allocation, allocation_id, missing=NOT_FOUND, options=_LOADED)


async def _allocation_of_audit(act: Act, audit_id: int) -> Allocation:
    allocation_id = (await act.session.execute(
        select(Audit.allocation_id).where(Audit.id == audit_id))).scalar_one_or_none()
    return await _allocation(act, allocation_id)


async def _as_auditor(act: Act, allocation_id: int) -> Allocation:
    """The allocation, if the actor may work on it as its auditor (or the QA unit); else refused."""
    allocation = await _allocation(act, allocation_id)
    if not may_audit(act.actor, allocation):
        refuse(ONLY_AUDITOR)
    return allocation


async def _as_service_lead(act: Act, audit_id: int) -> Allocation:
    """The audit's allocation, if the actor is a service lead of its area; else refused."""
    allocation = await _allocation_of_audit(act, audit_id)
    if not await act.may(lambda p: may_oversee(p, allocation)):
        refuse(ONLY_SERVICE_LEAD)
    return allocation


# -- where an audit has got to, for polite answers ----------------------------------------------

_STATE_EVENTS = {"started": (STARTED, DRAFT_SAVED), "declined": (DECLINED,), "submitted": (SUBMITTED, RESOLVED),
                 "disputed": (DISPUTED,), "oversight_confirmed": (OVERSIGHT_CONFIRMED,), "complete": (UPLOADED,)}


def _about(allocation: Allocation) -> tuple:
    """The trail's rows about this allocation."""
    return TrailEvent.subject_type == "allocation", TrailEvent.subject_id == allocation.id


async def where_it_is(act: Act, allocation: Allocation) -> str:
    """One sentence on the audit's state: who moved it there and when (from the trail)."""
    state = allocation.state
    last = None
    if state in _STATE_EVENTS:
        last = (await act.session.execute(
            select(TrailEvent).where(*_about(allocation), TrailEvent.action.in_(_STATE_EVENTS[state]))
            .order_by(TrailEvent.at.desc(), TrailEvent.id.desc()).limit(1))).scalar_one_or_none()
    if state == "allocated":
        return "This audit has not been started yet."
    if last is None:
        return f"This audit is now {state.replace('_', ' ')}."
    who, when = await act.name(last.actor_id), format_moment(last.at, act.calendar.tz)
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


async def _moved_on(act: Act, allocation: Allocation, then: str = "") -> AuditOutcome:
    """An old copy pressed: nothing changes; the answer says where the audit is (and `then`, what may follow)."""
    said = " ".join(filter(None, (await where_it_is(act, allocation), then, NOTHING_CHANGED)))
    return _outcome(act, allocation, Status.ALREADY, message=said)


# -- views for the cards -----------------------------------------------------------------------

async def answers_shown(act: Act, allocation: Allocation) -> dict[str, Any]:
    """What the oversight cards show of an audit on a form other than the default (AuditSummary's
    form_title, answers and recommendations: its remedial actions so far); nothing for the default form."""
    audit = allocation.audit
    if audit is None or audit.form_name == DEFAULT_FORM_NAME:
        return {}
    form = await stored_form(act.session, audit.form_name, audit.form_version)
    if form is None:
        return {}
    actions = await remedial_actions_of(act.session, allocation.id)
    return {"form_title": form.title, "kind": form.kind, "answers": tuple(answer_lines(form, audit.answers or {})),
            "recommendations": tuple((text, who or "Nobody named", format_day(on)) for text, on, who in actions)}


def audit_summary(act: Act, allocation: Allocation, **shown: Any) -> cards.AuditSummary:
    """The audit for the oversight cards; `shown`: `answers_shown`'s, for a form other than the default."""
    audit = allocation.audit
    assert audit is not None
    return cards.AuditSummary(
        audit_id=audit.id, case_ref=allocation.case_ref, team=allocation.team,
        service_area=allocation.service_area,
        # A partnership audit's answers are the partner's: named, with the council's auditor who arranged it.
        auditor_name=(f"{audit.partner_auditor}, arranged by {allocation.auditor.display_name}"
                      if audit.partner_auditor else allocation.auditor.display_name),
        case_holder_name=allocation.case_holder.display_name if allocation.case_holder else "Not recorded",
        grade=audit.overall_grade or "Not graded", key_areas=dict(audit.key_areas or {}),
        strengths=audit.strengths or "", improvements=audit.improvements or "",
        safeguarding_description=audit.safeguarding_description or "",
        discussion_held=audit.discussion_held, seek_family_views=audit.seek_family_views,
        safeguarding_concern=audit.safeguarding_concern,
        submitted_on=act.calendar.local_date(audit.submitted_at or allocation.submitted_at or act.now),
        oversight_due=views.oversight_due(allocation, act.now, act.calendar), **shown)


def upload_due(allocation: Allocation, confirmed_at: datetime, cal: WorkingCalendar, upload_days: int) -> date:
    """The day the auditor is asked to upload the audit to Care Director by, oversight confirmed at
    `confirmed_at`: the month's oversight deadline, or `upload_days` working days later, if later."""
    return due_no_earlier_than(oversight_deadline(allocation.month, cal), confirmed_at, upload_days, cal)


def _form(act: Act, allocation: Allocation, status: Status, draft: dict[str, Any], **more: Any) -> AuditOutcome:
    """An outcome showing the audit form with `draft`."""
    return _outcome(act, allocation, status, view=views.allocation_view(allocation, act.calendar), draft=draft,
                    **more)


# -- the auditor's actions ---------------------------------------------------------------------

@use_case(AuditOutcome)
async def start_audit(ctx: Context, actor_id: int, allocation_id: int, *, now: datetime, via: str,
                      form: FormRef = DEFAULT_FORM) -> AuditOutcome:
    """Open the audit form: the first time, the allocation becomes "started" with an empty draft, on `form`
    (the name and version it keeps, whatever later versions say; issue item 1, framework 9.3)."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        allocation = await _as_auditor(act, allocation_id)
        return await start_in(act, allocation, form)


async def start_in(act: Act, allocation: Allocation, form: FormRef) -> AuditOutcome:
    """`start_audit` on the allocation already locked and checked (the auditor's, or the QA unit's)."""
    now = act.now
    if allocation.state not in _AUDITOR_STATES:
        return await _moved_on(act, allocation)
    status = Status.UNCHANGED
    if allocation.state == "allocated":
        _ensure_audit(act, allocation, form)
        allocation.state = "started"
        allocation.started_at = allocation.started_at or now
        allocation.updated_at = now
        _trail(act, allocation, STARTED, case_ref=allocation.case_ref, form=form.name, form_version=form.version)
        status = Status.DONE
        await act.session.flush()
    draft = draft_of(allocation.audit)
    if allocation.conversation_held_at is not None:  # the auditor pressed Conversation held
        draft[cards.DISCUSSION_HELD] = True
    return _form(act, allocation, status, draft)


def _ensure_audit(act: Act, allocation: Allocation, form: FormRef) -> Audit:
    """The allocation's audit, made on `form` (its name and version, kept for good) when there is none."""
    if allocation.audit is None:
        allocation.audit = Audit(allocation_id=allocation.id, key_areas={}, strengths="", improvements="",
                                 discussion_held=False, seek_family_views=False, safeguarding_concern=False,
                                 safeguarding_description="", updated_at=act.now, form_name=form.name,
                                 form_version=form.version)
        act.session.add(allocation.audit)
    return allocation.audit


def _store(act: Act, allocation: Allocation, values: Mapping[str, Any], form: FormRef) -> Audit:
    audit = _ensure_audit(act, allocation, form)
    audit.overall_grade = values[cards.OVERALL_GRADE]
    audit.key_areas = dict(values["key_areas"])
    audit.strengths = values[cards.STRENGTHS]
    audit.improvements = values[cards.IMPROVEMENTS]
    audit.discussion_held = values[cards.DISCUSSION_HELD]
    audit.seek_family_views = values[cards.SEEK_FAMILY_VIEWS]
    audit.safeguarding_concern = values[cards.SAFEGUARDING_CONCERN]
    audit.safeguarding_description = values[cards.SAFEGUARDING_DESCRIPTION]
    audit.updated_at = act.now
    if allocation.state == "allocated":
        allocation.state = "started"
        allocation.started_at = allocation.started_at or act.now
    allocation.updated_at = act.now
    return audit


@use_case(AuditOutcome)
async def save_draft(ctx: Context, actor_id: int, allocation_id: int, inputs: Mapping[str, Any], *,
                     now: datetime, via: str, form: FormRef = DEFAULT_FORM) -> AuditOutcome:
    """Keep whatever the form holds (valid grades, text within limits) as the draft.

    A flagged safeguarding concern with a description is escalated now, draft or not: it is
    immediate. Flagged without a description, the draft is kept and the form asks for one.
    """
    return await _save(ctx, actor_id, allocation_id, inputs, now=now, via=via, submit=False, on=form)


@use_case(AuditOutcome)
async def submit_audit(ctx: Context, actor_id: int, allocation_id: int, inputs: Mapping[str, Any], *,
                       now: datetime, via: str, form: FormRef = DEFAULT_FORM) -> AuditOutcome:
    """Submit the audit: every required answer present, or INVALID with `errors` (the entered
    values are kept as the draft). Submitted, the area's service leads get the oversight request."""
    return await _save(ctx, actor_id, allocation_id, inputs, now=now, via=via, submit=True, on=form)


async def _save(ctx: Context, actor_id: int, allocation_id: int, inputs: Mapping[str, Any], *, now: datetime,
                via: str, submit: bool, on: FormRef) -> AuditOutcome:
    async with unit(ctx, actor_id, now=now, via=via) as act:
        allocation = await _as_auditor(act, allocation_id)
        if allocation.state not in _AUDITOR_STATES:
            return await _moved_on(act, allocation)
        if allocation.audit is not None and allocation.audit.form_name != DEFAULT_FORM_NAME:  # its own form's card
            invalid("This audit is on another form. Press Continue audit on your allocation to open it.")
        inputs = inputs if isinstance(inputs, Mapping) else {}
        form, unreadable = read_form(inputs)
        if form is None:
            return _form(act, allocation, Status.INVALID, draft_of(allocation.audit), message=unreadable,
                         errors={"form": unreadable})
        values = clean_form(form)
        if refused := identifier_errors(values):  # nothing saved: the draft stays as it was, the form says what to remove
            return _form(act, allocation, Status.INVALID, values, message=next(iter(refused.values())),
                         errors=refused)
        errors = validate_form(form, inputs)
        if not submit:  # a draft may lack answers, but not the description of a flagged concern
            errors = {k: v for k, v in errors.items() if k == cards.SAFEGUARDING_DESCRIPTION}
        audit = _store(act, allocation, values, on)
        await act.session.flush()  # the audit's id, for the cards
        urgent = await _alert_if_concern(act, allocation)
        if submit and not errors:
            return await _submitted(act, allocation, audit, values, urgent=urgent)
        detail = form_detail(values)
        if submit:
            detail["submit_errors"] = sorted(errors)
        _trail(act, allocation, DRAFT_SAVED, **detail)
        return _form(act, allocation, Status.INVALID if submit else Status.DONE, values, errors=errors,
                     urgent=urgent)


async def _submitted(act: Act, allocation: Allocation, audit: Audit, values: Mapping[str, Any], *,
                     urgent: bool, detail: Mapping[str, Any] | None = None) -> AuditOutcome:
    """A complete audit is submitted: the area's service leads are asked for their oversight. `detail`: the
    trail's view of the form (by default the default form's, `form_detail`)."""
    audit.submitted_by_id = act.actor.id if act.actor else None  # None: recorded from the command line
    audit.submitted_at = act.now
    allocation.state = "submitted"
    allocation.submitted_at = act.now
    leads = await service_leads_for(act.session, allocation.service_area)
    review = audit_summary(act, allocation, **await answers_shown(act, allocation))
    await act.notify(OVERSIGHT_REQUEST, leads, OVERSIGHT_REQUEST.message(
        review, summary=f"Oversight needed: case {allocation.case_ref}, audited by {review.auditor_name}"),
        key=f"oversight-request:{allocation.id}")
    if not leads:
        log.warning("allocation %s submitted: no active service lead for its service area", allocation.id)
    _trail(act, allocation, SUBMITTED, **(form_detail(values) if detail is None else detail),
           oversight_requested=len(leads))
    if audit.seek_family_views:  # the family's view is owed, with a reminder (framework 9.4)
        await owe_family_view(act.session, allocation, now=act.now, calendar=act.calendar)
    return _outcome(act, allocation, Status.DONE, urgent=urgent, notified=len(leads),
                    family_view=audit.seek_family_views)


async def _alert_if_concern(act: Act, allocation: Allocation) -> bool:
    """Escalate a flagged concern with a description, once per allocation; True if alerts were written."""
    audit = allocation.audit
    if audit is None or not audit.safeguarding_concern or not audit.safeguarding_description:
        return False
    raised = (await act.session.execute(
        select(TrailEvent.id).where(*_about(allocation), TrailEvent.action == SAFEGUARDING_ALERTED)
        .limit(1))).scalar_one_or_none()
    if raised is not None:
        return False
    alert = cards.SafeguardingAlert(case_ref=allocation.case_ref, team=allocation.team,
                                    service_area=allocation.service_area, auditor_name=act.actor.display_name,
                                    description=audit.safeguarding_description, raised_at=act.now)
    people = await safeguarding_recipients(act.session, allocation.team, allocation.service_area)
    # Recorded with its owner button, sent at once (and out of hours to the out-of-hours channel).
    await safeguarding.raise_concern(act, allocation, alert, people, SAFEGUARDING_ALERT)
    if not people:
        log.error("safeguarding concern on allocation %s: nobody on the roster to alert", allocation.id)
    _trail(act, allocation, SAFEGUARDING_ALERTED, alerted=len(people), roles=sorted({p.role for p in people}),
           description_length=len(audit.safeguarding_description))
    return bool(people)


@use_case(AuditOutcome)
async def decline_allocation(ctx: Context, actor_id: int, allocation_id: int, reason: str, *, now: datetime,
                             via: str) -> AuditOutcome:
    """"I can't do this audit": the allocation becomes declined and the QA unit is told why, on a card
    whose Reallocate offers who may take it over (capabilities/audit_cycle/reallocation.py)."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        allocation = await _as_auditor(act, allocation_id)
        if allocation.state not in _AUDITOR_STATES:
            return await _moved_on(act, allocation)
        reason = _typed(reason, "The reason", "reason", cards.DECLINE_REASON_MAX,
                        missing="Please say why you can't do this audit.")
        previous = allocation.state
        allocation.state = "declined"
        allocation.decline_reason = reason
        allocation.updated_at = now
        takers = await candidates_for(act.session, allocation)  # the QA unit's Reallocate (qa/reallocation.py)
        view = cards.DeclineView(allocation_id=allocation.id, case_ref=allocation.case_ref, team=allocation.team,
                                 auditor_name=allocation.auditor.display_name, reason=reason, declined_at=now,
                                 choices=tuple((c.person_id, choice_title(c)) for c in takers[:CHOICES_SHOWN]),
                                 auditor_id=allocation.auditor_id)
        people = await qa_unit(act.session)
        stamp = _stamp(act)
        await act.notify(DECLINE_NOTICE, people, DECLINE_NOTICE.message(
            view, act.calendar.tz, summary=f"Allocation declined: case {allocation.case_ref}"),
            key=lambda person_id: f"decline-notice:{allocation.id}:{person_id}:{stamp}")
        if not people:
            log.warning("allocation %s declined: nobody in the QA unit to tell", allocation.id)
        _trail(act, allocation, DECLINED, reason_length=len(reason), was=previous, notified=len(people))
        return _outcome(act, allocation, Status.DONE, notified=len(people))


def _typed(value: Any, field: str, noun: str, limit: int, *, missing: str | None = None) -> str:
    """Typed text, trimmed, if it can be kept; else the use case stops as invalid: missing (when
    `missing` says it is required), holding an identifier (qa/identifiers.py; `field` names it), or
    longer than `limit` characters."""
    text = value.strip() if isinstance(value, str) else ""
    if not text and missing:
        invalid(missing)
    if refused := first_refusal({field: text}):
        invalid(refused)
    if len(text) > limit:
        invalid(f"Please keep the {noun} under {limit:,} characters.")
    return text


# -- oversight ---------------------------------------------------------------------------------

@use_case(AuditOutcome)
async def open_oversight(ctx: Context, actor_id: int, audit_id: int, *, now: datetime, via: str) -> AuditOutcome:
    """The digest's Review: the audit for the service lead, with Confirm oversight and Dispute."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        allocation = await _as_service_lead(act, audit_id)
        if allocation.state != "submitted":
            return await _moved_on(act, allocation)
        _trail(act, allocation, OVERSIGHT_OPENED)
        return _outcome(act, allocation, Status.UNCHANGED,
                        summary=audit_summary(act, allocation, **await answers_shown(act, allocation)))


@use_case(AuditOutcome)
async def read_whole_audit(ctx: Context, actor_id: int, audit_id: int, *, now: datetime, via: str) -> AuditOutcome:
    """Read the whole audit, from its oversight request: the complete audit for someone who may see
    the request (a service lead for its area, checked here), while it awaits oversight; one trail row."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        allocation = await _as_service_lead(act, audit_id)
        if allocation.state != "submitted":
            return await _moved_on(act, allocation)
        _trail(act, allocation, WHOLE_AUDIT_READ)
        return _outcome(act, allocation, Status.UNCHANGED,
                        summary=audit_summary(act, allocation, **await answers_shown(act, allocation)))


@use_case(AuditOutcome)
async def confirm_oversight(ctx: Context, actor_id: int, audit_id: int, comment: str, *, now: datetime,
                            via: str, upload_days: int = UPLOAD_WORKING_DAYS) -> AuditOutcome:
    """Oversight confirmed (optional comment): the auditor is asked to upload the audit by the month's
    oversight deadline or `upload_days` working days from now, whichever is later (qa/deadlines.py), and
    an upload not pressed by then is chased once (UploadChaseDuty)."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        allocation = await _as_service_lead(act, audit_id)
        if allocation.state != "submitted":
            return await _moved_on(act, allocation)
        comment = _typed(comment, "The comment", "comment", cards.OVERSIGHT_COMMENT_MAX)
        allocation.state = "oversight_confirmed"
        allocation.oversight_by_id = act.actor.id
        allocation.oversight_at = now
        allocation.oversight_comment = comment or None
        allocation.updated_at = now
        upload_by = upload_due(allocation, now, act.calendar, upload_days)
        supervision = views.audit_kind(allocation) == "supervision"  # filed with the supervision record (9.1)
        await act.notify(UPLOAD_REQUEST, [allocation.auditor_id], UPLOAD_REQUEST.message(
            audit_id, allocation.case_ref, act.actor.display_name, now, act.calendar.tz, upload_by, comment,
            supervision=supervision,
            summary=f"File the audit of supervision file {allocation.case_ref}" if supervision
            else f"Upload the audit of case {allocation.case_ref} to Care Director"),
            key=f"upload-request:{allocation.id}")
        await follow_ups.owe(act.session, key=f"{UPLOAD_CHASE}:{allocation.id}", kind=UPLOAD_CHASE,
                             subject_type="allocation", subject_id=allocation.id,
                             due_at=chase_moment(upload_by, act.calendar), now=now)
        told = await case_holder.send_findings(act, allocation)  # the findings reach the case holder
        _trail(act, allocation, OVERSIGHT_CONFIRMED, comment_length=len(comment), upload_by=upload_by.isoformat(),
               case_holder_told=told)
        return _outcome(act, allocation, Status.DONE, notified=1 + told)


@use_case(AuditOutcome)
async def dispute_audit(ctx: Context, actor_id: int, audit_id: int, reason: str, *, now: datetime,
                        via: str) -> AuditOutcome:
    """A service lead disputes the audit: the auditor and the QA unit are told why."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        allocation = await _as_service_lead(act, audit_id)
        if allocation.state != "submitted":
            return await _moved_on(act, allocation)
        reason = _typed(reason, "The reason for the dispute", "reason", cards.DISPUTE_REASON_MAX,
                        missing="Please give the reason for the dispute.")
        allocation.state = "disputed"
        allocation.dispute_reason = reason
        allocation.disputed_by_id = act.actor.id
        allocation.disputed_at = now
        allocation.updated_at = now
        view = cards.DisputeView(audit_id=audit_id, case_ref=allocation.case_ref, team=allocation.team,
                                 auditor_name=allocation.auditor.display_name,
                                 disputed_by_name=act.actor.display_name, reason=reason, disputed_at=now)
        people = {p.id: p for p in [allocation.auditor, *await qa_unit(act.session)]}
        stamp = _stamp(act)
        await act.notify(DISPUTE, people.values(), DISPUTE.message(
            view, act.calendar.tz, summary=f"Audit disputed: case {allocation.case_ref}"),
            key=lambda person_id: f"dispute:{allocation.id}:{person_id}:{stamp}")
        _trail(act, allocation, DISPUTED, reason_length=len(reason), notified=len(people))
        return _outcome(act, allocation, Status.DONE, notified=len(people))


@use_case(AuditOutcome)
async def resolve_dispute(ctx: Context, actor_id: int, audit_id: int, resolution: str, *, now: datetime,
                          via: str) -> AuditOutcome:
    """The auditor or the QA unit records how a dispute was settled. The audit goes back to
    awaiting oversight ("submitted"), and the area's service leads get the request again."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        allocation = await _allocation_of_audit(act, audit_id)
        if not may_resolve(act.actor, allocation):
            refuse(ONLY_RESOLVER)
        if allocation.state != "disputed":
            return await _moved_on(act, allocation)
        resolution = _typed(resolution, "The resolution", "resolution", cards.RESOLUTION_MAX,
                            missing="Please describe how the dispute was resolved.")
        allocation.state = "submitted"
        allocation.resolution = resolution
        allocation.resolved_by_id = act.actor.id
        allocation.resolved_at = now
        allocation.updated_at = now
        leads = await service_leads_for(act.session, allocation.service_area)
        stamp = _stamp(act)
        await act.notify(OVERSIGHT_REQUEST, leads, OVERSIGHT_REQUEST.message(
            audit_summary(act, allocation, **await answers_shown(act, allocation)),
            summary=f"Dispute resolved, oversight needed again: case {allocation.case_ref}"),
            key=lambda person_id: f"oversight-request:{allocation.id}:{person_id}:resolved:{stamp}")
        _trail(act, allocation, RESOLVED, resolution_length=len(resolution), oversight_requested=len(leads))
        return _outcome(act, allocation, Status.DONE, notified=len(leads))


@use_case(AuditOutcome)
async def confirm_uploaded(ctx: Context, actor_id: int, audit_id: int, *, now: datetime, via: str) -> AuditOutcome:
    """"Uploaded to Care Director": the audit is complete."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        allocation = await _allocation_of_audit(act, audit_id)
        if not may_audit(act.actor, allocation):
            refuse(ONLY_AUDITOR)
        if allocation.state in ("submitted", "disputed"):
            return await _moved_on(act, allocation, "The audit can be uploaded once oversight is confirmed.")
        if allocation.state != "oversight_confirmed":
            return await _moved_on(act, allocation)
        allocation.state = "complete"
        allocation.uploaded_at = now
        allocation.updated_at = now
        await follow_ups.cancel_for(act.session, "allocation", [allocation.id], now, kinds=[UPLOAD_CHASE])
        _trail(act, allocation, UPLOADED)
        return _outcome(act, allocation, Status.DONE)
