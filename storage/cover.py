"""What qa/cover.py needs from the database: who is away or gone, their covers and managers, and the
trail rows that say what work moved to a cover and what the cover did for them.

Plain queries; no Teams. The cover rule itself is qa.cover.receiver.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from qa.cover import Absence, Someone
from storage.models import AwayPeriod, OutboxMessage, Person, TrailEvent

WORK_COVERED = "work_covered"  # trail action: a notice for `subject_id` went to `detail.cover`
RETURN_SUMMARY = "cover_return_summary"  # trail action: the person back was told what was done


async def unavailable(session: AsyncSession, person_ids: Collection[int], day: date) -> set[int]:
    """Those of `person_ids` who are away on `day` or have left: the only ones whose work may move.
    Two indexed look-ups, so addressing a notice to people who are there costs little."""
    ids = list(set(person_ids))
    if not ids:
        return set()
    away = (await session.execute(select(AwayPeriod.person_id).where(
        AwayPeriod.person_id.in_(ids), AwayPeriod.first_day <= day, AwayPeriod.last_day >= day))).scalars()
    left = (await session.execute(select(Person.id).where(Person.id.in_(ids), Person.left_at.is_not(None)))).scalars()
    return set(away) | set(left)


async def directory(session: AsyncSession, day: date) -> dict[int, Someone]:
    """Every roster person as qa.cover sees them on `day`: manager (the roster's supervisor line, by
    email), whether they have left, and their absences not over before `day`."""
    rows = (await session.execute(select(Person.id, Person.email, Person.supervisor_email, Person.left_at))).all()
    by_email = {email.lower(): pid for pid, email, _s, _l in rows}
    absences: dict[int, list[Absence]] = {}
    for pid, first, last, cover in (await session.execute(select(
            AwayPeriod.person_id, AwayPeriod.first_day, AwayPeriod.last_day, AwayPeriod.cover_id).where(
            AwayPeriod.last_day >= day))).all():
        absences.setdefault(pid, []).append(Absence(first, last, cover))
    return {pid: Someone(pid, by_email.get((sup or "").lower()) if sup else None, left_at is not None,
                         tuple(absences.get(pid, ())))
            for pid, _e, sup, left_at in rows}


async def names(session: AsyncSession, person_ids: Collection[int]) -> dict[int, str]:
    """Display names of `person_ids` (those on the roster)."""
    ids = list(set(person_ids))
    if not ids:
        return {}
    return dict((await session.execute(select(Person.id, Person.display_name).where(Person.id.in_(ids)))).all())


async def existing_keys(session: AsyncSession, keys: Collection[str]) -> set[str]:
    """Those of the idempotency `keys` already in the outbox."""
    if not keys:
        return set()
    return set((await session.execute(select(OutboxMessage.idempotency_key).where(
        OutboxMessage.idempotency_key.in_(list(keys))))).scalars())


@dataclass(frozen=True)
class Covered:
    """One notice that went to a cover: from the trail row written when it was addressed."""

    at: datetime
    person_id: int  # for whom
    cover_id: int
    kind: str
    key: str  # the notice's idempotency key (its outbox row)
    reason: str  # qa.cover.AWAY or LEFT


async def covered_since(session: AsyncSession, since: datetime, person_ids: Collection[int] | None = None) -> list[Covered]:
    """The notices that went to a cover since `since` (for `person_ids`, or everyone), oldest first."""
    q = select(TrailEvent).where(TrailEvent.action == WORK_COVERED, TrailEvent.at >= since)
    if person_ids is not None:
        q = q.where(TrailEvent.subject_id.in_(list(person_ids)))
    out = []
    for row in (await session.execute(q.order_by(TrailEvent.at, TrailEvent.id))).scalars():
        d = row.detail or {}
        if isinstance(d.get("cover"), int) and isinstance(d.get("key"), str):
            out.append(Covered(row.at, row.subject_id, d["cover"], str(d.get("kind") or ""), d["key"],
                               str(d.get("reason") or "")))
    return out


@dataclass(frozen=True)
class DoneFor:
    """One thing a cover did for someone (a trail row with `on_behalf_of`)."""

    at: datetime
    actor_id: int | None
    action: str
    subject_type: str
    subject_id: int | None


async def done_for(session: AsyncSession, person_id: int, actor_ids: Collection[int], since: datetime,
                   until: datetime) -> list[DoneFor]:
    """What `actor_ids` did on behalf of `person_id` between `since` and `until`, oldest first."""
    if not actor_ids:
        return []
    rows = (await session.execute(select(TrailEvent).where(
        TrailEvent.actor_id.in_(list(actor_ids)), TrailEvent.at >= since, TrailEvent.at < until).order_by(
        TrailEvent.at, TrailEvent.id))).scalars()
    return [DoneFor(r.at, r.actor_id, r.action, r.subject_type, r.subject_id) for r in rows
            if (r.detail or {}).get("on_behalf_of") == person_id]


async def rows_by_keys(session: AsyncSession, keys: Collection[str]) -> dict[str, OutboxMessage]:
    """The outbox rows of `keys` (what a covered notice shows now), by key."""
    if not keys:
        return {}
    return {r.idempotency_key: r for r in (await session.execute(select(OutboxMessage).where(
        OutboxMessage.idempotency_key.in_(list(keys))))).scalars()}


async def open_rows_of(session: AsyncSession, person_id: int, kinds: Collection[str], since: datetime) -> list[OutboxMessage]:
    """`person_id`'s notices of `kinds` created since `since` that are not change rows (no replaces or
    withdraws): the candidates for work to hand over, oldest first."""
    rows = (await session.execute(select(OutboxMessage).where(
        OutboxMessage.person_id == person_id, OutboxMessage.kind.in_(list(kinds)), OutboxMessage.created_at >= since,
        OutboxMessage.state.in_(("pending", "retrying", "sent"))).order_by(OutboxMessage.id))).scalars()
    return [r for r in rows if not (r.payload or {}).get("replaces") and not (r.payload or {}).get("withdraws")]


async def absences_around(session: AsyncSession, since: date, until: date) -> list[tuple[int, AwayPeriod]]:
    """Absences that begin or end between `since` and `until` (inclusive), with their person."""
    rows = (await session.execute(select(AwayPeriod).where(or_(
        AwayPeriod.first_day.between(since, until), AwayPeriod.last_day.between(since, until))).order_by(
        AwayPeriod.id))).scalars()
    return [(r.person_id, r) for r in rows]


async def away_on(session: AsyncSession, day: date) -> list[AwayPeriod]:
    """The absences running on `day`, by person then start."""
    return list((await session.execute(select(AwayPeriod).where(
        AwayPeriod.first_day <= day, AwayPeriod.last_day >= day).order_by(AwayPeriod.person_id, AwayPeriod.first_day))).scalars())


async def leavers_since(session: AsyncSession, since: datetime, until: datetime) -> list[Person]:
    """People marked left (by a roster import) in [since, until), by id."""
    return list((await session.execute(select(Person).where(
        Person.left_at >= since, Person.left_at < until).order_by(Person.id))).scalars())
