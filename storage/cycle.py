"""The monthly audit cycle's queries: who is owed what at a cycle moment, what awaits one person
(the `my audits` and `oversight` commands), and where a month has got to (`cycle status`).

Rows come out as models; capabilities/audit_cycle/views.py turns them into card views. Every
function runs in the caller's session. Service areas match ignoring case and spacing, as people type them.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from qa.audit_calendar import cycle_dates, parse_month_key
from qa.calendar import WorkingCalendar
from storage.models import Allocation, Audit, AuditMonth, Conversation, FollowUp, Person

# Where an allocation's audit has got to, in the states of storage.models.ALLOCATION_STATES.
UNSUBMITTED = ("allocated", "started")  # the auditor still owes it ("declined" waits for the QA unit)
SUBMITTED = ("submitted", "disputed", "oversight_confirmed", "complete")
AWAITING_OVERSIGHT = "submitted"  # submitted, neither confirmed nor disputed by the service lead
OVERDUE_STATES = ("allocated", "started", "declined")  # not submitted: overdue once the deadline has passed

T = TypeVar("T")


def area_key(area: str) -> str:
    return " ".join(area.split()).casefold()


# Cached: every card view asks, thousands of times at a cycle moment, for the same few months.
@lru_cache(maxsize=256)
def audit_deadline(month: str, cal: WorkingCalendar) -> date:
    return cycle_dates(*parse_month_key(month), cal).audit_deadline


@lru_cache(maxsize=256)
def oversight_deadline(month: str, cal: WorkingCalendar) -> date:
    return cycle_dates(*parse_month_key(month), cal).oversight_deadline


def is_started(allocation: Allocation) -> bool:
    """A draft exists or the auditor pressed Start (needs `audit` loaded)."""
    return (allocation.state == "started" or allocation.started_at is not None
            or allocation.audit is not None)


# -- allocations -----------------------------------------------------------------------------

def _loaded(stmt):
    return stmt.options(selectinload(Allocation.auditor), selectinload(Allocation.case_holder),
                        selectinload(Allocation.audit))


async def allocations_to_notify(session: AsyncSession, month: str) -> list[Allocation]:
    """Allocations of `month` whose notice is still to be written: allocated, not started, not
    yet notified (declined ones wait for the QA unit; started ones are plainly known)."""
    return list((await session.execute(_loaded(
        select(Allocation).where(Allocation.month == month, Allocation.state == "allocated",
                                 Allocation.started_at.is_(None), Allocation.notified_at.is_(None),
                                 ~Allocation.audit.has())
        .order_by(Allocation.auditor_id, Allocation.case_ref)))).scalars())


async def unsubmitted(session: AsyncSession, month: str) -> list[Allocation]:
    """Allocations of `month` whose audit the auditor has not submitted (declined ones excluded)."""
    return list((await session.execute(_loaded(
        select(Allocation).where(Allocation.month == month, Allocation.state.in_(UNSUBMITTED))
        .order_by(Allocation.auditor_id, Allocation.case_ref)))).scalars())


async def awaiting_oversight(session: AsyncSession, month: str | None = None) -> list[Allocation]:
    """Submitted audits no service lead has confirmed or disputed yet (of `month`, or of any)."""
    stmt = select(Allocation).where(Allocation.state == AWAITING_OVERSIGHT, Allocation.audit.has())
    if month is not None:
        stmt = stmt.where(Allocation.month == month)
    return list((await session.execute(_loaded(stmt.order_by(Allocation.month, Allocation.case_ref)))).scalars())


def by_auditor(allocations: Iterable[Allocation]) -> list[tuple[Person, list[Allocation]]]:
    """Grouped by auditor, in the order first met (needs `auditor` loaded)."""
    groups: dict[int, tuple[Person, list[Allocation]]] = {}
    for allocation in allocations:
        groups.setdefault(allocation.auditor_id, (allocation.auditor, []))[1].append(allocation)
    return list(groups.values())


# -- people ------------------------------------------------------------------------------

async def active_people(session: AsyncSession, role: str) -> list[Person]:
    return list((await session.execute(
        select(Person).where(Person.role == role, Person.left_at.is_(None)).order_by(Person.id))).scalars())


def email_key(email: str | None) -> str:
    return (email or "").strip().lower()


async def active_people_by_email(session: AsyncSession, emails: Iterable[str | None]) -> dict[str, Person]:
    """The active people with these emails, by email_key: one query per 1,000, not one each."""
    wanted = sorted({email_key(e) for e in emails} - {""})
    found: dict[str, Person] = {}
    for start in range(0, len(wanted), 1000):
        found.update((p.email, p) for p in (await session.execute(select(Person).where(
            Person.email.in_(wanted[start:start + 1000]), Person.left_at.is_(None)))).scalars())
    return found


class AreaShares:
    """`share_out` over the same people for many lists of items: their areas indexed once.

    Each item is looked up by its area, so sharing n items among p people costs n + p, not n * p
    (a council with hundreds of service leads and thousands of audits at a cycle moment).
    """

    def __init__(self, people: Sequence[Person]) -> None:
        self.people = list(people)
        self.by_area: dict[str, list[int]] = {}
        for index, person in enumerate(self.people):
            for area in {area_key(a) for a in person.service_areas}:
                self.by_area.setdefault(area, []).append(index)

    def share(self, items: Sequence[T], area_of) -> list[tuple[Person, list[T]]]:
        """Each person with the items in their service areas, in the order given (people with none
        are left out)."""
        mine: dict[int, list[T]] = {}
        for item in items:
            for index in self.by_area.get(area_key(area_of(item)), ()):
                mine.setdefault(index, []).append(item)
        return [(self.people[index], mine[index]) for index in sorted(mine)]


def share_out(items: Sequence[T], area_of, people: Sequence[Person]) -> list[tuple[Person, list[T]]]:
    """Each person with the items in their service areas (people with none are left out)."""
    return AreaShares(people).share(items, area_of)


async def unreachable_reasons(session: AsyncSession, people: Sequence[Person]) -> dict[int, str]:
    """Of `people`, those the bot cannot write to, with why: left, never installed the bot, or
    removed/blocked it (no linked personal chat with unreachable_at NULL)."""
    ids = [p.id for p in people]
    chats = (await session.execute(
        select(Conversation.person_id, Conversation.unreachable_at, Conversation.unreachable_reason)
        .where(Conversation.person_id.in_(ids)))).all() if ids else []
    reachable = {c.person_id for c in chats if c.unreachable_at is None}
    lost: dict[int, tuple[datetime, str | None]] = {}
    for c in chats:
        if c.unreachable_at is not None and (c.person_id not in lost or c.unreachable_at > lost[c.person_id][0]):
            lost[c.person_id] = (c.unreachable_at, c.unreachable_reason)
    reasons: dict[int, str] = {}
    for person in people:
        if not person.active:
            reasons[person.id] = "has left (roster)"
        elif person.id in reachable:
            continue
        elif person.id in lost:
            why = lost[person.id][1]
            reasons[person.id] = "removed or blocked the bot" + (f" ({why})" if why else "")
        else:
            reasons[person.id] = "has not installed the bot in Teams"
    return reasons


async def latest_month(session: AsyncSession, up_to: str) -> str | None:
    """The latest month with allocations imported, no later than `up_to` ("2026-12")."""
    return (await session.execute(
        select(AuditMonth.month).where(AuditMonth.month <= up_to).order_by(AuditMonth.month.desc()).limit(1)
    )).scalar_one_or_none()


async def month_allocations(session: AsyncSession, month: str) -> list[Allocation]:
    """Every allocation of `month`, with its audit loaded (for the cycle's figures)."""
    return list((await session.execute(
        select(Allocation).where(Allocation.month == month).options(selectinload(Allocation.audit))
    )).scalars())


async def open_allocations_of(session: AsyncSession, person_id: int) -> list[Allocation]:
    """The person's allocations still to submit, any month (loaded for the card views)."""
    return list((await session.execute(_loaded(
        select(Allocation).where(Allocation.auditor_id == person_id, Allocation.state.in_(UNSUBMITTED))))).scalars())


async def months_of(session: AsyncSession, allocation_ids: Sequence[int]) -> dict[int, str]:
    """allocation id -> its month, for the ids that still exist."""
    found: dict[int, str] = {}
    for start in range(0, len(allocation_ids), 1000):
        found.update((row.id, row.month) for row in (await session.execute(select(Allocation.id, Allocation.month).where(
            Allocation.id.in_(allocation_ids[start:start + 1000])))).all())
    return found


async def allocations_by_id(session: AsyncSession, allocation_ids: Sequence[int]) -> list[Allocation]:
    """The allocations of these ids that still exist, with auditor, case holder and audit loaded."""
    found: list[Allocation] = []
    for start in range(0, len(allocation_ids), 1000):
        found += (await session.execute(_loaded(
            select(Allocation).where(Allocation.id.in_(allocation_ids[start:start + 1000]))))).scalars()
    return found


async def chased_not_uploaded(session: AsyncSession, month: str, kind: str) -> list[tuple[str, str]]:
    """(service area, case reference) of `month`'s audits whose upload was chased (a follow-up of `kind`
    settled done) and that are still not marked uploaded, by case reference."""
    rows = await session.execute(
        select(Allocation.service_area, Allocation.case_ref)
        .join(FollowUp, (FollowUp.subject_type == "allocation") & (FollowUp.subject_id == Allocation.id))
        .where(Allocation.month == month, Allocation.state == "oversight_confirmed", FollowUp.kind == kind,
               FollowUp.state == "done")
        .order_by(Allocation.case_ref))
    return [(row.service_area, row.case_ref) for row in rows]


async def audits_to_discuss(session: AsyncSession, case_holder_ids: Iterable[int]) -> dict[int, list[tuple[int, str, datetime]]]:
    """For supervision's digest: case holder id -> (allocation id, case ref, when they asked) of the audits of
    their cases they asked to talk about in supervision, earliest asked first. Whether a 1:1 has since
    taken it up is the caller's to judge (the board knows the last 1:1). Case holders with none are absent."""
    ids = list(case_holder_ids)
    if not ids:
        return {}
    rows = (await session.execute(
        select(Allocation.case_holder_id, Allocation.id, Allocation.case_ref, Audit.supervision_asked_at)
        .join(Audit, Audit.allocation_id == Allocation.id)
        .where(Allocation.case_holder_id.in_(ids), Audit.supervision_asked_at.is_not(None))
        .order_by(Allocation.case_holder_id, Audit.supervision_asked_at, Allocation.id))).all()
    found: dict[int, list[tuple[int, str, datetime]]] = {}
    for holder, allocation_id, ref, asked in rows:
        found.setdefault(holder, []).append((allocation_id, ref, asked))
    return found
