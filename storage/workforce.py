"""The workforce duties' queries (framework 9.2, 9.1's ASYE year): the staff they are about, with their
supervisor, and what was held for them (storage.models.WorkforceRecord). Plain reads and one insert."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qa import emails
from storage.models import Person, WorkforceRecord
from storage.upsert import insert_if_absent

CHUNK = 500  # person ids per IN list (SQLite's bound-parameter limit)


@dataclass(frozen=True)
class StaffMember:
    """An active person on the roster, as the workforce duties see them."""

    id: int
    name: str
    role: str
    team: str
    areas: tuple[str, ...]
    supervisor_id: int | None  # None: no active supervisor on the roster
    asye_start: date | None
    start_date: date | None
    registered: bool
    registration_number: str | None
    on_record_from: date  # the local day the bot first held their record (go-live, or when they were added)


async def workforce(session: AsyncSession, tz: tzinfo) -> dict[int, StaffMember]:
    """Every active person, by id, with their supervisor resolved from the roster's supervisor_email."""
    people = (await session.execute(select(Person).where(Person.left_at.is_(None)))).scalars().all()
    by_email = {emails.key(p.email) or p.email.lower(): p.id for p in people}
    return {p.id: StaffMember(p.id, p.display_name, p.role, p.team, tuple(p.service_areas),
                              by_email.get(emails.key(p.supervisor_email or "") or (p.supervisor_email or "").lower()),
                              p.asye_start_date, p.start_date, p.registered, p.registration_number,
                              p.created_at.astimezone(tz).date())
            for p in people}


async def held(session: AsyncSession, person_ids: Iterable[int], kinds: Iterable[str]
               ) -> dict[int, dict[tuple[str, str], date]]:
    """person id -> {(kind, period): day held} for the given kinds (read in chunks)."""
    ids, kinds = sorted(set(person_ids)), list(kinds)
    out: dict[int, dict[tuple[str, str], date]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = await session.execute(
            select(WorkforceRecord.person_id, WorkforceRecord.kind, WorkforceRecord.period, WorkforceRecord.held_on)
            .where(WorkforceRecord.person_id.in_(ids[start:start + CHUNK]), WorkforceRecord.kind.in_(kinds)))
        for person_id, kind, period, held_on in rows:
            out.setdefault(person_id, {})[(kind, period)] = held_on
    return out


async def record_held(session: AsyncSession, person_id: int, kind: str, period: str, held_on: date,
                      recorded_by_id: int | None, now: datetime) -> bool:
    """Record `kind` held on `held_on` for the person in `period`; False when it was already recorded (the first
    record stands: a second press changes nothing)."""
    return await insert_if_absent(session, WorkforceRecord, {
        "person_id": person_id, "kind": kind, "period": period, "held_on": held_on,
        "recorded_by_id": recorded_by_id, "recorded_at": now}, ["person_id", "kind", "period"])


async def any_held(session: AsyncSession, kind: str) -> bool:
    """Whether anything of `kind` (an appraisal, say) was ever recorded as held."""
    found = await session.execute(select(WorkforceRecord.id).where(WorkforceRecord.kind == kind).limit(1))
    return found.first() is not None
