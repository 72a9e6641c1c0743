"""Induction's queries (framework 9.2): each starter's plan (storage.models.InductionElement), read as
qa.induction.ElementState with the local days, made, signed off and confirmed. Plain reads and guarded writes:
a second press changes nothing."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from qa.induction import ElementState
from storage.models import InductionElement
from storage.upsert import insert_if_absent

CHUNK = 500  # person ids per IN list (SQLite's bound-parameter limit)


@dataclass(frozen=True)
class StoredPlan:
    """A starter's current induction plan: the start it counts from and its elements, by target date."""

    person_id: int
    started_on: date
    elements: tuple[ElementState, ...]


def _day(at: datetime | None, tz: tzinfo) -> date | None:
    return at.astimezone(tz).date() if at is not None else None


async def plans(session: AsyncSession, tz: tzinfo, person_ids: Iterable[int] | None = None) -> dict[int, StoredPlan]:
    """person id -> their latest plan (the latest `started_on`), for `person_ids` (None: everyone with one).
    Days are local to `tz`."""
    query = select(InductionElement).order_by(InductionElement.person_id, InductionElement.started_on,
                                              InductionElement.target_on, InductionElement.id)
    rows: list[InductionElement] = []
    if person_ids is None:
        rows = list((await session.execute(query)).scalars())
    else:
        ids = sorted(set(person_ids))
        for start in range(0, len(ids), CHUNK):
            rows += (await session.execute(query.where(InductionElement.person_id.in_(ids[start:start + CHUNK])))
                     ).scalars().all()
    latest: dict[int, date] = {}
    for r in rows:
        latest[r.person_id] = max(latest.get(r.person_id, r.started_on), r.started_on)
    out: dict[int, list[ElementState]] = {}
    for r in rows:
        if r.started_on == latest[r.person_id]:
            out.setdefault(r.person_id, []).append(
                ElementState(r.element_id, r.target_on, _day(r.signed_off_at, tz), _day(r.confirmed_at, tz)))
    return {pid: StoredPlan(pid, latest[pid], tuple(elements)) for pid, elements in out.items()}


async def make_plan(session: AsyncSession, person_id: int, started_on: date, targets: Mapping[str, date],
                    now: datetime) -> int:
    """The plan's rows for `person_id` from `started_on` (element id -> target date); returns the rows added
    (0: the plan was made before)."""
    added = 0
    for element_id, target in targets.items():
        added += await insert_if_absent(session, InductionElement, {
            "person_id": person_id, "started_on": started_on, "element_id": element_id, "target_on": target,
            "created_at": now}, ["person_id", "started_on", "element_id"])
    return added


async def sign_off(session: AsyncSession, person_id: int, started_on: date, element_id: str, now: datetime) -> bool:
    """Mark the element signed off by the starter at `now`; False when it was already (the first stands)."""
    result = await session.execute(update(InductionElement).where(
        InductionElement.person_id == person_id, InductionElement.started_on == started_on,
        InductionElement.element_id == element_id, InductionElement.signed_off_at.is_(None)).values(signed_off_at=now))
    return result.rowcount == 1


async def confirm(session: AsyncSession, person_id: int, started_on: date, element_ids: Iterable[str],
                  by_id: int | None, now: datetime) -> int:
    """Confirm the elements signed off and not yet confirmed among `element_ids`; returns how many were."""
    result = await session.execute(update(InductionElement).where(
        InductionElement.person_id == person_id, InductionElement.started_on == started_on,
        InductionElement.element_id.in_(list(element_ids)), InductionElement.signed_off_at.is_not(None),
        InductionElement.confirmed_at.is_(None)).values(confirmed_at=now, confirmed_by_id=by_id))
    return result.rowcount
