"""Named database locks with an expiry: one sweeper at a time across instances, and one sender
per Teams tenant (bot/sender.py).

A conditional UPDATE takes the lease, so it works the same on SQLite and PostgreSQL and a
crashed holder's lease simply runs out. Times here are wall-clock, never a `--now` under test.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from storage.db import Database
from storage.models import Lease
from storage.upsert import insert_if_absent


async def acquire(db: Database, name: str, holder: str, wall_now: datetime, ttl: timedelta) -> bool:
    """Take the lease, or renew it for its holder, until `wall_now + ttl`; False when another holds it."""
    async with db.sessions.begin() as session:
        await insert_if_absent(session, Lease, {"name": name, "holder": None, "expires_at": None}, ["name"])
        result = await session.execute(
            update(Lease)
            .where(Lease.name == name,
                   or_(Lease.holder.is_(None), Lease.holder == holder, Lease.expires_at < wall_now))
            .values(holder=holder, expires_at=wall_now + ttl)
        )
        return result.rowcount == 1


async def release(db: Database, name: str, holder: str, *, linger_until: datetime | None = None) -> None:
    """Give the lease up. With `linger_until`, others may take it only from then on (its holder
    at once): the time the holder's last act needs to be over, e.g. a send's rate windows."""
    values = {"holder": None, "expires_at": None} if linger_until is None else {"expires_at": linger_until}
    async with db.sessions.begin() as session:
        await session.execute(update(Lease).where(Lease.name == name, Lease.holder == holder).values(**values))


async def held_by_others(db: Database, prefix: str, holder: str, wall_now: datetime) -> dict[str, tuple[str, datetime]]:
    """Leases named `prefix` + something that another holder has and that have not run out:
    something -> (holder, when it runs out)."""
    async with db.sessions() as session:
        rows = (await session.execute(
            select(Lease.name, Lease.holder, Lease.expires_at)
            .where(Lease.name.startswith(prefix, autoescape=True), Lease.holder.is_not(None),
                   Lease.holder != holder, Lease.expires_at >= wall_now))).all()
    return {name[len(prefix):]: (other, expires) for name, other, expires in rows}


async def holder_of(db: Database, name: str, wall_now: datetime) -> tuple[str, datetime] | None:
    """Who holds the lease `name` and until when (wall clock), or None when nobody holds it at `wall_now`."""
    async with db.sessions() as session:
        row = (await session.execute(
            select(Lease.holder, Lease.expires_at)
            .where(Lease.name == name, Lease.holder.is_not(None), Lease.expires_at >= wall_now))).first()
    return (row[0], row[1]) if row else None
