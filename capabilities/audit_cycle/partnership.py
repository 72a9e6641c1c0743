"""Partnership audits (framework 9.3's schedule: audits with Health, Police, Education and Housing,
whose auditors are not on the council's Teams). The allocation is the council's, as any other: its
auditor is the council's person who arranges it, its form one of the council's (allocations.form_name).
The partner never gets the bot's cards: the QA unit types `partner form <case ref>` and has the form as a
workbook (dialogs/partner_workbook.py, through Teams' file consent card) to send the partner; the
partner's returned workbook, sent to the bot in chat (a file kind, previewed, imported on Confirm) or
`python -m bot import`-ed, becomes the audit's answers (qa/partner_audit.py reads and checks them), with
the partner named, and is submitted as any audit is: the service leads are asked for their oversight,
and it joins the register and the analysis. Only the QA unit may do either (checked at every step).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from capabilities.audit_cycle import flow
from capabilities.audit_forms import config as forms_config
from capabilities.context import Context
from capabilities.kit import Act, Outcome, Status, already, invalid, not_found, operator, refuse, unit, use_case
from capabilities.registry import (
    CommandReply,
    FileKind,
    FileMade,
    ImportRequest,
    KindRefused,
    KindReport,
    OutboxKind,
    Said,
)
from capabilities.settings import case_refs
from dialogs import audit_cards as cards
from dialogs import report_cards as rc
from dialogs import status_cards as sc
from dialogs.partner_workbook import partner_workbook
from dialogs.payload import Payload
from qa.audit_calendar import parse_month_key
from qa.form_answers import default_form_values, overall_grade
from qa.forms import DEFAULT_FORM_NAME, FormDefinition, FormRef
from qa.framework import Role
from qa.identifiers import case_ref_problem
from qa.partner_audit import SIGNATURE, About, Returned, read_about, read_returned
from qa.tabular import UnreadableTable
from storage.audit_forms import record_version, stored_form
from storage.files import Source, read_source
from storage.models import Allocation, Person

OFFER = "partner-form"
TITLE = "Partnership audit"
NOT_QA_UNIT = "Partnership audits are arranged by the QA unit. Nothing was sent."
HOW = "Type partner form and the case reference (and the month, YYYY-MM, if it is not the latest), e.g. partner form CR-1001."
OPEN_STATES = ("allocated", "started")  # an audit a partner's answers may still become


def _not_open(allocation: Allocation) -> str:
    """Why a partner's answers cannot become this allocation's audit, in the QA unit's words."""
    if allocation.state == "declined":
        return (f"The audit of case {allocation.case_ref} ({allocation.month}) was declined by its auditor: reallocate "
                f"it first (reallocate {allocation.case_ref})")
    return f"The audit of case {allocation.case_ref} ({allocation.month}) is already submitted"
RECORDED = "partner_audit_recorded"


def _sample() -> dict:
    """The card the QA unit gets with the partner's workbook, as offer_partner_form words it."""
    return rc.file_offer_card(TITLE, "Case audit for a partner to fill in: case CR-1001, 2026-12")


PARTNER_FORM = OutboxKind("partner-form", rc.file_offer_card, _sample)


def _is_qa_unit(person: Person | None) -> bool:
    return person is not None and person.active and person.role == Role.QA_UNIT


def _argument(text: str) -> tuple[str, str | None]:
    """(case ref, month or None) from "CR-1001" or "CR-1001 2026-12"; invalid() otherwise, and for a case
    reference not in the council's format (QA_CASE_REF_PATTERN), never repeating it: it may be a child's name."""
    words = text.split()
    month = next((w for w in words if re.fullmatch(r"\d{4}-\d{2}", w)), None)
    refs = [w for w in words if w != month]
    if len(refs) != 1:
        invalid(HOW)
    if month is not None:
        try:
            parse_month_key(month)
        except ValueError:
            invalid(HOW)
    case_ref = refs[0].strip(".,;").upper()
    problem = case_ref_problem(case_ref, case_refs())
    if problem:
        invalid(f"That case reference {problem}. Nothing was sent.")
    return case_ref, month


async def _allocation(act: Act, case_ref: str, month: str | None) -> Allocation:
    """The case's allocation in `month`, else its latest; refused when there is none."""
    stmt = select(Allocation).where(Allocation.case_ref == case_ref)
    if month is not None:
        stmt = stmt.where(Allocation.month == month)
    allocation = (await act.session.scalars(stmt.order_by(Allocation.month.desc()).limit(1))).first()
    if allocation is None:
        not_found(f"No allocation of case {case_ref}{' in ' + month if month else ''} to audit. Nothing was sent.")
    return allocation


def _current_form(name: str) -> FormDefinition:
    form = next((f for f in forms_config.forms_in_use() if f.name == name), None)
    if form is None:
        not_found(f"The audit form {name!r} is not among the forms in use. Nothing was sent.")
    return form


def _file_name(allocation: Allocation) -> str:
    return f"partner-audit-{allocation.case_ref}-{allocation.month}.xlsx"


@use_case(Outcome)
async def offer_partner_form(ctx: Context, actor_id: int | None, argument: str, *, now: datetime,
                             via: str) -> Outcome:
    """Send the QA unit member the case's audit form as a partner's workbook, through the file consent
    card (queued to them, due now). `argument`: "<case ref> [YYYY-MM]". One trail row."""
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=NOT_QA_UNIT) as act:
        if not _is_qa_unit(act.actor):
            refuse(NOT_QA_UNIT)
        allocation = await _allocation(act, *_argument(argument))
        if allocation.state not in OPEN_STATES:
            already(f"{_not_open(allocation)}. Nothing was sent.")
        form = _current_form(allocation.form_name)
        data = partner_workbook(form, allocation.month, allocation.case_ref, ctx.calendar.local_date(now))
        description = f"{form.title} for a partner to fill in: case {allocation.case_ref}, {allocation.month}"
        consent = rc.file_consent_attachment(_file_name(allocation), description, len(data),
                                             {"offer": OFFER, "allocation": str(allocation.id)})
        await act.notify(PARTNER_FORM, [act.actor], Payload.of(rc.file_offer_card(TITLE, description), description,
                                                               attachments=(consent,)),
                         due_at=now, key=lambda pid: f"partner-form:{allocation.id}:{pid}:{now.isoformat()}")
        act.trail("allocation", allocation.id, "partner_form_offered", month=allocation.month,
                  form=form.name, form_version=form.version)
        return Outcome(Status.DONE, f"I'm sending you the {form.title.lower()} for case {allocation.case_ref} as a "
                                    "workbook: allow it, then send it to the partner. When it comes back, send it to "
                                    "me here and I'll record it.", urgent=True)


@dataclass
class PartnerFile(Outcome):
    file: FileMade | None = None


@use_case(PartnerFile)
async def make_partner_form(ctx: Context, actor_id: int | None, context: Mapping[str, Any], *, now: datetime,
                            via: str) -> PartnerFile:
    """The workbook a consent card offered, made now for the person who allowed it (checked again)."""
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=NOT_QA_UNIT) as act:
        if not _is_qa_unit(act.actor):
            refuse(NOT_QA_UNIT)
        raw = str(context.get("allocation") or "")
        allocation = await act.session.get(Allocation, int(raw)) if raw.isdigit() else None
        if allocation is None:
            not_found("That audit is no longer there. Nothing was sent.")
        form = _current_form(allocation.form_name)
        data = partner_workbook(form, allocation.month, allocation.case_ref, ctx.calendar.local_date(now))
        act.trail("allocation", allocation.id, "partner_form_sent", month=allocation.month, bytes=len(data))
        return PartnerFile(Status.DONE, file=FileMade(_file_name(allocation), data, "xlsx"))


async def partner_form(said: Said) -> CommandReply:
    """`partner form <case ref> [YYYY-MM]` (QA unit)."""
    outcome = await offer_partner_form(said.ctx, said.person.id if said.person else None, said.argument,
                                       now=said.now, via="command:partner form")
    return CommandReply(sc.status_notice_card(TITLE, outcome.message), outcome.message)


async def partner_form_file(ctx: Context, person: Person | None, context: Mapping[str, Any], now: datetime
                            ) -> FileMade | str:
    outcome = await make_partner_form(ctx, person.id if person else None, context, now=now, via="teams:file consent")
    return outcome.file if outcome.file is not None else outcome.message


# ---------------------------------------------------------------- the returned workbook, a file kind


async def _form_of(act: Act, about: About) -> FormDefinition:
    """The version the workbook was made on: kept, else the one in use (then kept now)."""
    form = await stored_form(act.session, about.form, about.version)
    if form is not None:
        return form
    current = next((f for f in forms_config.forms_in_use() if f.name == about.form and f.version == about.version), None)
    if current is None:
        raise KindRefused(f"the workbook is for the form {about.form!r} version {about.version}, which I do not know",
                          [f"The form {about.form!r} version {about.version} is not one I know: make a new workbook "
                           f"with partner form {about.case_ref}"])
    return current


async def _returned(act: Act, table_rows: list[dict[str, str]]) -> tuple[Allocation, FormDefinition, Returned]:
    about, problems = read_about(table_rows)
    if about is None:
        raise KindRefused("this is not a partnership audit workbook the bot made", problems)
    allocation_id = (await act.session.scalars(
        select(Allocation.id).where(Allocation.month == about.month, Allocation.case_ref == about.case_ref))).first()
    allocation = await act.lock(Allocation, allocation_id, missing="", options=flow._LOADED) \
        if allocation_id is not None else None
    if allocation is None:
        raise KindRefused(f"no allocation of case {about.case_ref} in {about.month}",
                          [f"Case {about.case_ref} has no allocation in {about.month}: check the workbook is this month's"])
    if allocation.form_name != about.form:
        raise KindRefused("the workbook's form is not the allocation's",
                          [f"Case {about.case_ref} is audited on the form {allocation.form_name!r}, the workbook on "
                           f"{about.form!r}: make a new workbook with partner form {about.case_ref}"])
    if allocation.state not in OPEN_STATES:
        raise KindRefused("the audit is declined" if allocation.state == "declined" else "the audit is already submitted",
                          [f"{_not_open(allocation)}: nothing to record"])
    form = await _form_of(act, about)
    returned, problems = read_returned(form, about, table_rows)
    if returned is None:
        raise KindRefused(f"the partner's answers to case {about.case_ref} cannot be recorded yet", problems)
    return allocation, form, returned


async def run(ctx: Context, source: Source, request: ImportRequest) -> KindReport:
    """Preview (request.dry_run) or record a partner's returned workbook as the audit's answers, then
    submit it (the service leads are asked for their oversight). Raises KindRefused naming every
    problem by row and column; nothing is written then. From chat, only the QA unit."""
    try:
        table = await read_source(source, "the partnership audit", ("partner",), ctx.files)
    except UnreadableTable as exc:
        raise KindRefused(str(exc), [str(p) for p in exc.problems]) from None
    opened = unit(ctx, request.actor_id, now=request.now, via=request.via, not_on_roster=NOT_QA_UNIT) \
        if request.actor_id is not None else operator(ctx, now=request.now, via=request.via)
    async with opened as act:
        if request.actor_id is not None and not _is_qa_unit(act.actor):
            raise KindRefused(NOT_QA_UNIT, [NOT_QA_UNIT])
        allocation, form, returned = await _returned(act, table.rows)
        grade = overall_grade(form, returned.answers)
        report = KindReport(
            summary=f"Partnership audit of case {allocation.case_ref} ({allocation.month}) on {form.title} "
                    f"v{form.version} by {returned.partner_words}: {len(returned.answers)} answers"
                    + (f", overall {grade}" if grade else ""),
            counts=(("Questions answered", len(returned.answers)),
                    ("Left blank", len(form.questions()) - len(returned.answers))),
            sections=((f"Case {allocation.case_ref}, {allocation.month}",
                       (f"Partner: {returned.partner_words}", f"Form: {form.title} v{form.version}",
                        *((f"Overall grade: {grade}",) if grade else ()))),),
            scope=allocation.month, sheet=table.sheet)
        if request.dry_run:
            return report
        if await stored_form(act.session, form.name, form.version) is None:  # kept before anything is read of it
            found = forms_config.in_use(form.name)
            if found is None or found[0].ref != form.ref:
                raise KindRefused(f"the form {form.ref.describe()} is no longer in use",
                                  [f"The form {form.ref.describe()} is no longer in use: make a new workbook with "
                                   f"partner form {allocation.case_ref}"])
            await record_version(act.session, form, found[1], act.now, act.actor.id if act.actor else None)
        on = FormRef(form.name, form.version)
        values: dict[str, Any] = {cards.OVERALL_GRADE: grade}
        if form.name == DEFAULT_FORM_NAME:  # its columns too: the oversight card and a safeguarding alert read them
            values = default_form_values(form, returned.answers)
            flow._store(act, allocation, values, on)
        audit = flow._ensure_audit(act, allocation, on)
        audit.answers = dict(returned.answers)
        audit.overall_grade = grade
        audit.partner_auditor = returned.partner_words
        audit.updated_at = act.now
        if allocation.state == "allocated":
            allocation.state = "started"
            allocation.started_at = allocation.started_at or act.now
        await act.session.flush()
        act.trail("allocation", allocation.id, RECORDED, month=allocation.month, form=form.name,
                  form_version=form.version, answers=len(returned.answers))
        urgent = await flow._alert_if_concern(act, allocation)  # a partner's immediate concern, as an auditor's
        await flow._submitted(act, allocation, audit, values, urgent=urgent)
        return report


KIND = FileKind("partner-audit", "a partner's returned audit workbook", SIGNATURE, run, sheet_words=("partner",))
