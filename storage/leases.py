"""Named database locks with an expiry: one sweeper at a time across instances.

A conditional UPDATE takes the lease, so it works the same on SQLite and PostgreSQL and a
crashed holder's lease simply runs out. Times here are wall-clock, never a `--now` under test.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update

from storage.db import Database
from storage.models import Lease
from storage.upsert import insert_if_absent


async def acquire(db: Database, name: str, holder: str, wall_now: datetime, ttl: timedelta) -> bool:
    async with db.sessions.begin() as session:
        await insert_if_absent(session, Lease, {"name": name, "holder": None, "expires_at": None}, ["name"])
        result = await session.execute(
            update(Lease)
            .where(Lease.name == name,
                   or_(Lease.holder.is_(None), Lease.holder == holder, Lease.expires_at < wall_now))
            .values(holder=holder, expires_at=wall_now + ttl)
        )
        return result.rowcount == 1


async def release(db: Database, name: str, holder: str) -> None:
    async with db.sessions.begin() as session:
        await session.execute(
            update(Lease).where(Lease.name == name, Lease.holder == holder).values(holder=None, expires_at=None))
