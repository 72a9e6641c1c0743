"""What the reports read: plain rows, never models or card types (qa/reports.py computes the figures).

`register_rows` is the audit register: one `qa.reports.RegisterRow` per allocation of a range of
months, with its auditor's and case holder's names, its audit's judgements and how many times it
was declined (from the trail). `recipients` is who the analysis goes to. Every function runs in
the caller's session.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from qa.reports import RegisterRow, add_months
from storage.models import Allocation, Audit, Person, TrailEvent

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
               Allocation.resolved_at, declines.c.n)
        .join(auditor, auditor.id == Allocation.auditor_id)
        .outerjoin(holder, holder.id == Allocation.case_holder_id)
        .outerjoin(Audit, Audit.allocation_id == Allocation.id)
        .outerjoin(declines, declines.c.allocation_id == Allocation.id)
        .where(Allocation.month >= first, Allocation.month <= last)
        .order_by(Allocation.month, Allocation.service_area, Allocation.team, Allocation.case_ref)
    )
    return stmt


def _row(r) -> RegisterRow:
    submitted = r[11] is not None
    return RegisterRow(
        r[0], r[1], r[2], r[3], r[4], r[5] or "", r[6], r[7] or "", r[8], r[9], r[10], r[11], r[12], r[13],
        r[14] if submitted else None, r[15] if submitted else None,
        r[16] if submitted else None, r[17] if submitted else None, r[18] if submitted else None,
        r[19], r[20], r[21] or 0)


async def register_rows(session: AsyncSession, first: str, last: str) -> list[RegisterRow]:
    """Every allocation of months `first`..`last` ("YYYY-MM", inclusive), by month, service area,
    team and case reference. Grades and judgements only for submitted audits (a draft's are the
    auditor's work in progress)."""
    return [_row(r) for r in await session.execute(_register_stmt(first, last))]


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
