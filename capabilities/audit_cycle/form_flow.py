"""An audit on one of the council's own forms (framework 5, 9.3, 23): the allocation names a form other than
the default (`allocations.form_name`), and the auditor fills it in pages (dialogs/form_cards.py).

- Start (the allocation notice's Start audit, the same button as for the default form): the audit is made
  on the form's version in use (QA_FORMS_DIR), that version kept whole (storage/audit_forms.py), and the
  first page shown with the answers so far. Every later page is drawn from the kept version, so a form
  edited mid-month never changes an audit already started.
- Back, Next, Save draft: the page's answers are screened for identifiers (qa/identifiers.py; with a date
  on its own the edge offers the toggle that keeps it) and checked for their shape (qa/form_answers.py,
  as a draft); what passes is kept as the draft (`audits.answers`). A page with something wrong stays, each
  problem under its question; else Back and Next move on.
- Submit: the whole form is checked (every required answer, "not applicable" only where allowed), each
  recommendation's owner must be on the roster and able to own a remedial action, its date today or within
  a year. Each problem is named beside its question, on the first page with one. Submitted, the audit's
  overall grade is the form's (qa/form_answers.py `overall_grade`), the recommendations become remedial
  actions (capabilities/escalations/remedial.py), and the submission goes on as the default form's does
  (oversight, moderation of Inadequate, the rest of 9.3).

The default form keeps its own card and use cases (flow.py); `start_audit` here hands it over to them.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from capabilities.audit_cycle import flow, views
from capabilities.audit_forms import config as forms_config
from capabilities.context import Context
from capabilities.escalations.access import may_be_responsible
from capabilities.escalations.remedial import Recommended, from_recommendations
from capabilities.kit import Act, Status, invalid, unit, use_case
from capabilities.press import positive_id
from dialogs import form_cards
from dialogs.card_kit import format_moment
from qa import emails
from qa.escalations import RuleError, check_remedial, parse_day
from qa.form_answers import (
    ACTION,
    DUE,
    OWNER,
    SAFEGUARDING_FLAG,
    SAFEGUARDING_TEXT,
    YES,
    answered,
    check_answers,
    overall_grade,
    recommendations,
)
from qa.forms import DEFAULT_FORM_NAME, RECOMMENDATIONS, TEXT, FormDefinition, FormRef
from qa.identifiers import check_fields
from storage.audit_forms import record_version, stored_form
from storage.models import Allocation, Audit
from storage.people import person_by_email

NOT_IN_USE = ("This audit is on the form {name!r}, which is not in use any more. Please ask the QA unit. "
              + flow.NOTHING_CHANGED)
FORM_CHANGED = "This audit is on another form now. Press Continue audit on your allocation to open it."
BACK, STAY, NEXT = -1, 0, 1


def _on_own_form(allocation: Allocation) -> bool:
    """Whether the allocation is audited on a form other than the default (its audit's, once started)."""
    name = allocation.audit.form_name if allocation.audit is not None else allocation.form_name
    return (name or DEFAULT_FORM_NAME) != DEFAULT_FORM_NAME


@use_case(flow.AuditOutcome)
async def start_audit(ctx: Context, actor_id: int, allocation_id: int, *, now: datetime, via: str,
                      default: FormRef) -> flow.AuditOutcome:
    """Open the allocation's audit form: the default form (`default`: its version in use) through
    flow.start_in, any other on its version in use the first time (recorded with the audit and kept
    whole), then always on the version the audit was started on: page 1 with the answers so far."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        allocation = await flow._as_auditor(act, allocation_id)
        if not _on_own_form(allocation):
            return await flow.start_in(act, allocation, default)
        if allocation.state not in flow._AUDITOR_STATES:
            return await flow._moved_on(act, allocation)
        status = Status.UNCHANGED
        if allocation.audit is None:
            found = forms_config.in_use(allocation.form_name)
            if found is None:
                invalid(NOT_IN_USE.format(name=allocation.form_name))
            form, definition = found
            await record_version(act.session, form, definition, now, act.actor.id)
            audit = flow._ensure_audit(act, allocation, form.ref)
            audit.answers = {}
            allocation.state = "started"
            allocation.started_at = allocation.started_at or now
            allocation.updated_at = now
            flow._trail(act, allocation, flow.STARTED, case_ref=allocation.case_ref, form=form.name,
                        form_version=form.version)
            status = Status.DONE
            await act.session.flush()
        form = await _form_of(act, allocation.audit)
        answers = dict(allocation.audit.answers or {})
        note = "Your answers so far are filled in." if answers else None
        return await _page(act, allocation, status, form, 1, answers, note=note)


async def _form_of(act: Act, audit: Audit) -> FormDefinition:
    form = await stored_form(act.session, audit.form_name, audit.form_version)
    if form is None:  # kept when the audit started: only a database restored without it lacks it
        invalid(NOT_IN_USE.format(name=audit.form_name))
    return form


async def _page(act: Act, allocation: Allocation, status: Status, form: FormDefinition, page: int,
          answers: Mapping[str, Any], errors: Mapping[str, str] | None = None, *, note: str | None = None,
          elsewhere: tuple[int, ...] = (), **more: Any) -> flow.AuditOutcome:
    view = views.allocation_view(allocation, act.calendar)
    if page <= 1:  # the first page carries the supervision register's facts (a supervision file)
        view = await views.with_register_facts(act.session, view, allocation, act.calendar,
                                               act.calendar.local_date(act.now))
    card = form_cards.form_page_card(view, form, page, answers, errors, note=note, elsewhere=elsewhere)
    return flow._outcome(act, allocation, status, card=card, errors=dict(errors or {}), **more)


@use_case(flow.AuditOutcome)
async def turn_page(ctx: Context, actor_id: int, allocation_id: int, inputs: Mapping[str, Any], *, now: datetime,
                    via: str, move: int) -> flow.AuditOutcome:
    """Back (`move` BACK), Save draft (STAY) or Next (NEXT) on page `inputs["page_id"]`: the page's answers
    kept as the draft when they may be (module docstring), then the page asked for, or this page again
    with what to put right (status INVALID, nothing kept when any text holds an identifier)."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        kept = await _kept_page(act, allocation_id, inputs)
        if isinstance(kept, flow.AuditOutcome):
            return kept
        allocation, form, page, sent, wrong, urgent = kept
        audit = allocation.audit
        flow._trail(act, allocation, flow.DRAFT_SAVED, form=form.name, page=page,
                    answered=sum(answered(v) for v in (audit.answers or {}).values()), page_errors=sorted(wrong))
        shown = {**(audit.answers or {}), **{k: v for k, v in sent.items() if k in wrong}}
        if wrong:
            return await _page(act, allocation, Status.INVALID, form, page, shown, wrong, message=next(iter(wrong.values())),
                               urgent=urgent)
        note = f"Draft saved {format_moment(now, act.calendar.tz)}." if move == STAY else None
        return await _page(act, allocation, Status.DONE, form, page + move, shown, note=note, urgent=urgent)


@use_case(flow.AuditOutcome)
async def submit(ctx: Context, actor_id: int, allocation_id: int, inputs: Mapping[str, Any], *, now: datetime,
                 via: str) -> flow.AuditOutcome:
    """Submit on the form's last page: the page kept as the draft, then the whole form checked; each problem
    named beside its question on the first page with one (INVALID), else submitted (module docstring)."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        kept = await _kept_page(act, allocation_id, inputs)
        if isinstance(kept, flow.AuditOutcome):
            return kept
        allocation, form, page, sent, wrong, urgent = kept
        audit = allocation.audit
        answers = {**(audit.answers or {}), **{k: v for k, v in sent.items() if k in wrong}}
        errors = check_answers(form, answers, submitting=True)
        owners, owner_errors = await _owners(act, allocation, form, answers) if not errors else ({}, {})
        errors.update(owner_errors)
        if errors:
            flow._trail(act, allocation, flow.DRAFT_SAVED, form=form.name, page=page, submit_errors=sorted(errors))
            pages = sorted({form_cards.page_of(form, qid) for qid in errors})
            return await _page(act, allocation, Status.INVALID, form, pages[0], answers, errors,
                         elsewhere=tuple(pages[1:]), message=next(iter(errors.values())), urgent=urgent)
        audit.overall_grade = overall_grade(form, answers)
        await act.session.flush()
        added = await from_recommendations(act, allocation, audit.overall_grade, [
            Recommended(text, owners[emails.key(owner)], parse_day(due))
            for text, owner, due in recommendations(form, answers)])
        return await flow._submitted(act, allocation, audit, {}, urgent=urgent, detail={
            "form": form.name, "form_version": form.version, "grade": audit.overall_grade,
            "answered": sum(answered(v) for v in answers.values()), "recommendations": added})


async def _kept_page(act: Act, allocation_id: int, inputs: Mapping[str, Any]):
    """The page sent, kept as the draft as far as it may be (Back, Next, Save draft and Submit alike):
    (allocation, form, page, the page's answers, what is wrong with them by question id, whether a safeguarding
    concern was escalated), or the outcome to answer with (the allocation moved on; an identifier in the page's
    text, when nothing of the page is kept)."""
    found = await _page_sent(act, allocation_id, inputs)
    if isinstance(found, flow.AuditOutcome):
        return found
    allocation, form, page, sent, refused = found
    if refused:
        return await _page(act, allocation, Status.INVALID, form, page, {**(allocation.audit.answers or {}), **sent},
                           refused, message=next(iter(refused.values())))
    wrong = check_answers(form, sent, only=sent, submitting=False)
    _keep(act, allocation, sent, wrong)
    return allocation, form, page, sent, wrong, await _alert_if_concern(act, allocation)


async def _alert_if_concern(act: Act, allocation: Allocation) -> bool:
    """A form's own `safeguarding_concern` (yes/no) and `safeguarding_description` questions, when it has them,
    are the audit's flag and description: a concern described is escalated at once, draft or not, once per
    allocation, as on the default form (framework 9.3). True when alerts were written (send them now)."""
    audit = allocation.audit
    answers = audit.answers or {}
    if SAFEGUARDING_FLAG not in answers and SAFEGUARDING_TEXT not in answers:
        return False
    audit.safeguarding_concern = answers.get(SAFEGUARDING_FLAG) == YES
    audit.safeguarding_description = str(answers.get(SAFEGUARDING_TEXT) or "")
    await act.session.flush()
    return await flow._alert_if_concern(act, allocation)


async def _page_sent(act: Act, allocation_id: int, inputs: Mapping[str, Any]):
    """(allocation, form, page, the page's answers, identifier refusals by question id), or the outcome
    that stops here (an old copy pressed, the form changed)."""
    allocation = await flow._as_auditor(act, allocation_id)
    if allocation.state not in flow._AUDITOR_STATES:
        return await flow._moved_on(act, allocation)
    if allocation.audit is None or not _on_own_form(allocation):
        invalid(FORM_CHANGED)
    form = await _form_of(act, allocation.audit)
    inputs = inputs if isinstance(inputs, Mapping) else {}
    page = min(positive_id(inputs.get("page_id")) or 1, len(form_cards.pages(form)))
    sent = form_cards.read_page(form, page, inputs)
    return allocation, form, page, sent, _identifiers(form, sent)


def _identifiers(form: FormDefinition, sent: Mapping[str, Any]) -> dict[str, str]:
    """Question id -> what to remove, for free text holding a recognisable identifier (qa/identifiers.py)."""
    fields: list[tuple[str, str, str | None]] = []
    for question in form.questions():
        value = sent.get(question.id)
        if question.type == TEXT and isinstance(value, str):
            fields.append((question.id, f"\u201c{question.label}\u201d", value))
        elif question.type == RECOMMENDATIONS and isinstance(value, list):
            fields += [(question.id, f"Recommendation {n}", row.get(ACTION)) for n, row in enumerate(value, start=1)]
    refused: dict[str, str] = {}
    for qid, message in ((qid, check_fields([(qid, name, said)]).get(qid)) for qid, name, said in fields):
        if message and qid not in refused:
            refused[qid] = message
    return refused


def _keep(act: Act, allocation: Allocation, sent: Mapping[str, Any], wrong: Mapping[str, str]) -> None:
    """The page's answers that may be kept, into the draft (an emptied answer is removed)."""
    audit = allocation.audit
    kept = dict(audit.answers or {})
    for qid, value in sent.items():
        if qid in wrong:
            continue
        if answered(value):
            kept[qid] = value
        else:
            kept.pop(qid, None)
    audit.answers = kept  # a new mapping: the JSON column is written
    audit.updated_at = act.now
    allocation.updated_at = act.now


async def _owners(act: Act, allocation: Allocation, form: FormDefinition,
                  answers: Mapping[str, Any]) -> tuple[dict[str, int], dict[str, str]]:
    """The recommendations' owners on the roster ({email key: person id}) and, by question id, the first
    recommendation whose owner is not someone who may own a remedial action on this case, or whose date
    is past or more than a year away."""
    owners: dict[str, int] = {}
    errors: dict[str, str] = {}
    for question in form.questions():
        rows = answers.get(question.id)
        if question.type != RECOMMENDATIONS or not isinstance(rows, list):
            continue
        for n, row in enumerate(rows, start=1):
            key = emails.key(row.get(OWNER))
            person = await person_by_email(act.session, key) if key else None
            if person is None or not person.active or not may_be_responsible(person, allocation):
                errors.setdefault(question.id, f"Recommendation {n}: {row.get(OWNER)} is not someone on the roster "
                                  "who can own an action on this case (its team, or a manager for its area).")
                continue
            try:
                check_remedial(row.get(ACTION), parse_day(row.get(DUE)), act.now, act.calendar)
            except RuleError as exc:
                errors.setdefault(question.id, f"Recommendation {n}: {exc}")
                continue
            owners[key] = person.id
    return owners, errors
