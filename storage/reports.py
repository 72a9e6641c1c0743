"""What the reports read: plain rows, never models or card types (qa/reports.py computes the figures).

`register_rows` is the audit register: one `qa.reports.RegisterRow` per allocation of a range of
months, with its auditor's and case holder's names, its audit's judgements and how many times it
was declined (from the trail), and its moderation, escalation, re-audit and dip-sample fields.
`coverage_people` and `feedback_rows` feed the quarterly and annual reports'
observation coverage and feedback counts. `recipients` is who the analysis goes to.
Every function runs in the caller's session.
"""
from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from qa.allocations import UPLOADED
from qa.form_answers import key_area_answers
from qa.forms import FormDefinition, form_from_data
from qa.reports import CoveragePerson, FeedbackRow, RegisterRow, add_months
from storage.models import (
    Allocation,
    Audit,
    AuditFormVersion,
    DipSampleItem,
    Escalation,
    EscalationUpdate,
    FeedbackEntry,
    Moderation,
    Observation,
    Person,
    Reaudit,
    TrailEvent,
)

# The trail's action for "I can't do this audit" (capabilities/audit_cycle/flow.py DECLINED).
DECLINED_ACTION = "allocation_declined"


def _register_stmt(first: str, last: str):
    auditor, holder = aliased(Person), aliased(Person)
    declines = (select(TrailEvent.subject_id.label("allocation_id"), func.count().label("n"))
                .where(TrailEvent.month >= first, TrailEvent.month <= last,  # the trail's rows carry the month
                       TrailEvent.subject_type == "allocation", TrailEvent.action == DECLINED_ACTION)
                .group_by(TrailEvent.subject_id).subquery())
    stmt = (
        select(Allocation.month, Allocation.case_ref, Allocation.annex_a_list, Allocation.service_area,
               Allocation.team, Allocation.theme, auditor.display_name, holder.display_name, Allocation.state,
               Allocation.created_at, Allocation.started_at, Allocation.submitted_at, Allocation.oversight_at,
               Allocation.uploaded_at, Audit.overall_grade, Audit.key_areas, Audit.discussion_held,
               Audit.seek_family_views, Audit.safeguarding_concern, Allocation.disputed_at,
               Allocation.resolved_at, declines.c.n, Allocation.id, Audit.reflected_at,
               Allocation.form_name, Audit.form_name, Audit.form_version, Audit.answers,
               Allocation.how_chosen)
        .join(auditor, auditor.id == Allocation.auditor_id)
        .outerjoin(holder, holder.id == Allocation.case_holder_id)
        .outerjoin(Audit, Audit.allocation_id == Allocation.id)
        .outerjoin(declines, declines.c.allocation_id == Allocation.id)
        .where(Allocation.month >= first, Allocation.month <= last)
        .order_by(Allocation.month, Allocation.service_area, Allocation.team, Allocation.case_ref)
    )
    return stmt


def _aware(moment):
    """SQLite hands back naive UTC datetimes from an aggregate (no column type to convert them)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


# The issue-10 fields of RegisterRow, in its order; NO_EXTRAS for an allocation with none.
MODERATION, MODERATED_GRADE, ESCALATION, ON_TIME, LATE, OWED_DUE, REAUDIT_MONTH, REAUDIT_GRADE, REAUDIT_OF, \
    ORIGINAL_GRADE, DIP, DIP_GRADE = range(12)
NO_EXTRAS = (None, None, None, 0, 0, None, None, None, None, None, None, None)


async def _extras(session: AsyncSession, first: str, last: str) -> dict[int, list]:
    """allocation id -> its issue-10 fields (moderation, escalation and its updates, re-audit both
    ways, dip sample), for the allocations of `first`..`last` that have any: four queries over the
    (small) issue-10 tables, joined to the month index, instead of eleven more joins per register
    row (which made reading 30,000 rows half as slow again)."""
    found: dict[int, list] = {}

    def of(allocation_id: int) -> list:
        got = found.get(allocation_id)
        if got is None:
            got = found[allocation_id] = list(NO_EXTRAS)
        return got

    in_range = (Allocation.month >= first, Allocation.month <= last)
    sent = EscalationUpdate.state == "sent"
    updates = (select(EscalationUpdate.escalation_id.label("escalation_id"),
                      func.sum(case((sent & (EscalationUpdate.sent_at <= EscalationUpdate.due_at), 1), else_=0))
                      .label("on_time"),
                      func.sum(case((sent & (EscalationUpdate.sent_at > EscalationUpdate.due_at), 1), else_=0))
                      .label("late"),
                      func.min(case((EscalationUpdate.state == "owed", EscalationUpdate.due_at), else_=None))
                      .label("owed_due"))
               .group_by(EscalationUpdate.escalation_id).subquery())
    for allocation_id, state, grade, escalation, on_time, late, owed in await session.execute(
            select(Moderation.allocation_id, Moderation.state, Moderation.decided_grade, Escalation.state,
                   updates.c.on_time, updates.c.late, updates.c.owed_due)
            .join(Allocation, Allocation.id == Moderation.allocation_id)
            .outerjoin(Escalation, Escalation.moderation_id == Moderation.id)
            .outerjoin(updates, updates.c.escalation_id == Escalation.id)
            .where(*in_range)):
        row = of(allocation_id)
        row[MODERATION], row[MODERATED_GRADE], row[ESCALATION] = state, grade, escalation
        row[ON_TIME], row[LATE], row[OWED_DUE] = int(on_time or 0), int(late or 0), _aware(owed)
    # As the original: the re-audit's month, and its grade once submitted.
    for allocation_id, month, grade, submitted in await session.execute(
            select(Reaudit.original_allocation_id, Reaudit.month, Audit.overall_grade, Audit.submitted_at)
            .join(Allocation, Allocation.id == Reaudit.original_allocation_id)
            .outerjoin(Audit, Audit.allocation_id == Reaudit.allocation_id)
            .where(*in_range)):
        row = of(allocation_id)
        row[REAUDIT_MONTH], row[REAUDIT_GRADE] = month, grade if submitted is not None else None
    # As the re-audit: the original's month and grade.
    original = aliased(Allocation)
    for allocation_id, month, grade in await session.execute(
            select(Reaudit.allocation_id, original.month, Audit.overall_grade)
            .join(Allocation, Allocation.id == Reaudit.allocation_id)
            .join(original, original.id == Reaudit.original_allocation_id)
            .outerjoin(Audit, Audit.allocation_id == original.id)
            .where(*in_range)):
        row = of(allocation_id)
        row[REAUDIT_OF], row[ORIGINAL_GRADE] = month, grade
    for allocation_id, state, grade in await session.execute(
            select(DipSampleItem.allocation_id, DipSampleItem.state, DipSampleItem.grade_given)
            .join(Allocation, Allocation.id == DipSampleItem.allocation_id)
            .where(*in_range)):
        row = of(allocation_id)
        row[DIP], row[DIP_GRADE] = state, grade
    return found


def _row(r, extras: dict[int, list], forms: dict[tuple[str, int], FormDefinition]) -> RegisterRow:
    # Positional (a NamedTuple's keywords cost a third more on 30,000 rows).
    submitted = r[11] is not None
    form, answers, area_answers = r[24], None, ()
    if r[25] is not None:  # an audit: the form and version it was started on
        form = f"{r[25]} v{r[26]}"
        definition = forms.get((r[25], r[26]))
        if submitted and r[27] and definition is not None:
            answers, area_answers = r[27], tuple(key_area_answers(definition, r[27]))
    return RegisterRow(
        r[0], r[1], r[2], r[3], r[4], r[5] or "", r[6], r[7] or "", r[8], r[9], r[10], r[11], r[12], r[13],
        r[14] if submitted else None, r[15] if submitted else None,
        r[16] if submitted else None, r[17] if submitted else None, r[18] if submitted else None,
        r[19], r[20], r[21] or 0, *extras.get(r[22], NO_EXTRAS), reflection_received=r[23] is not None,
        form=form, answers=answers, area_answers=area_answers, how_chosen=r[28] or UPLOADED)


async def kept_forms(session: AsyncSession) -> dict[tuple[str, int], FormDefinition]:
    """(name, version) -> every audit form version kept (storage/audit_forms.py: a few, each a few KB)."""
    rows = await session.execute(select(AuditFormVersion.name, AuditFormVersion.version, AuditFormVersion.definition))
    return {(name, version): form_from_data(json.loads(text)) for name, version, text in rows}


async def register_rows(session: AsyncSession, first: str, last: str) -> list[RegisterRow]:
    """Every allocation of months `first`..`last` ("YYYY-MM", inclusive), by month, service area,
    team and case reference. Grades and judgements only for submitted audits (a draft's are the
    auditor's work in progress); for a form other than the default, the answers and the key areas its
    grade questions inform, read against the version the audit was started on."""
    extras = await _extras(session, first, last)
    forms = await kept_forms(session)
    return [_row(r, extras, forms) for r in await session.execute(_register_stmt(first, last))]

async def stream_register_rows(session: AsyncSession, first: str, last: str,
                               months: int = 6) -> AsyncIterator[RegisterRow]:
    """`register_rows`, `months` months at a time (one query each, on the month index), so the
    whole register never sits in memory. (A server-side cursor, `session.stream`, took twice as
    long on SQLite.)"""
    start = first
    while start <= last:
        end = min(add_months(start, months - 1), last)
        for row in await register_rows(session, start, end):
            yield row
        start = add_months(end, 1)


@dataclass(frozen=True)
class Recipient:
    person_id: int
    role: str
    service_areas: tuple[str, ...]


async def recipients(session: AsyncSession, roles: tuple[str, ...]) -> list[Recipient]:
    """Active people with one of `roles`, by id."""
    rows = (await session.execute(select(Person).where(Person.role.in_(roles), Person.left_at.is_(None))
                                  .order_by(Person.id))).scalars()
    return [Recipient(p.id, p.role, tuple(p.service_areas)) for p in rows]


async def coverage_people(session: AsyncSession, as_of: date) -> list[CoveragePerson]:
    """Every active person with a supervisor on the roster (a supervisee: framework section 11),
    with their service areas, team and the date of their latest observation on or before `as_of`
    (None: none). One query."""
    last = (select(Observation.supervisee_id.label("person_id"), func.max(Observation.observed_on).label("on"))
            .where(Observation.observed_on <= as_of).group_by(Observation.supervisee_id).subquery())
    rows = await session.execute(
        select(Person.service_area, Person.team, last.c.on)
        .outerjoin(last, last.c.person_id == Person.id)
        .where(Person.left_at.is_(None), Person.supervisor_email.is_not(None), Person.supervisor_email != "")
        .order_by(Person.id))
    return [CoveragePerson(tuple(a for a in (s.strip() for s in (area or "").split(";")) if a), team or "", on)
            for area, team, on in rows]


async def feedback_rows(session: AsyncSession, start: datetime, end: datetime) -> list[FeedbackRow]:
    """The feedback entries recorded in [start, end) (aware), as plain rows, oldest first."""
    rows = await session.execute(
        select(FeedbackEntry.created_at, FeedbackEntry.source, FeedbackEntry.service_area, FeedbackEntry.how_given,
               FeedbackEntry.rating, FeedbackEntry.not_possible, FeedbackEntry.kind)
        .where(FeedbackEntry.created_at >= start, FeedbackEntry.created_at < end)
        .order_by(FeedbackEntry.created_at, FeedbackEntry.id))
    return [FeedbackRow(*r) for r in rows]
