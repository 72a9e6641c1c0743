"""The sweep: ask every duty what is due now, run each occurrence once, record that it ran.

Idempotent: an occurrence is recorded in duty_runs in the same transaction as the rows it
writes, so running the sweep again (or `tick --now` twice) adds nothing. Missed occurrences
run once on the next sweep, not once per missed minute. The sweep alone records runs: a duty
whose occurrence stands for several parts found in stored data (capabilities.duties.
SplitsOccurrences) has each part recorded here too, under its own key. One sweeper at a time, by lease.
"""
from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.duties import Duty, Occurrence, SplitsOccurrences
from storage import leases
from storage.db import Database
from storage.models import DutyRun

log = logging.getLogger(__name__)
SWEEP_LEASE = "sweep"
SWEEP_LEASE_TTL = timedelta(minutes=10)


class Runtime(Protocol):
    """What a sweep needs of the running bot (bot.services.Services has it)."""

    db: Database

    def clock(self) -> datetime: ...


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class SweepResult:
    ran: list[tuple[str, str]] = field(default_factory=list)  # (duty, occurrence)
    failed: list[tuple[str, str]] = field(default_factory=list)  # rolled back; tried again next sweep
    skipped_locked: bool = False


async def sweep(services: Runtime, now: datetime, duties: Iterable[Duty]) -> SweepResult:
    """Run every occurrence of `duties` due at `now` (aware) that has not run yet, each in its own
    transaction with its DutyRun record. One sweeper at a time (a database lease); a failing
    occurrence is logged, rolled back and tried again on the next sweep."""
    result = SweepResult()
    holder = worker_id()
    if not await leases.acquire(services.db, SWEEP_LEASE, holder, services.clock(), SWEEP_LEASE_TTL):
        log.info("another instance is sweeping; this one waits for the next minute")
        result.skipped_locked = True
        return result
    try:
        for duty in duties:
            due = list(duty.occurrences(now))
            if not due:
                continue
            async with services.db.sessions() as session:
                done = set((await session.execute(
                    select(DutyRun.occurrence).where(DutyRun.duty == duty.name,
                                                     DutyRun.occurrence.in_([o.key for o in due]))
                )).scalars())
            for occurrence in due:
                if occurrence.key in done:
                    continue
                try:
                    async with services.db.sessions.begin() as session:
                        await _run(session, duty, occurrence, now)
                except Exception as exc:  # noqa: BLE001 - one failing duty must not stop the others
                    log.error("duty %s %s failed: %s", duty.name, occurrence.key, type(exc).__name__,
                              exc_info=(type(exc), exc, exc.__traceback__))
                    result.failed.append((duty.name, occurrence.key))
                    continue
                result.ran.append((duty.name, occurrence.key))
                log.info("ran %s %s", duty.name, occurrence.key)
    finally:
        await leases.release(services.db, SWEEP_LEASE, holder)
    return result


async def _run(session: AsyncSession, duty: Duty, occurrence: Occurrence, now: datetime) -> None:
    """Record `occurrence` and run it, or, for a duty that splits it, each of its parts not yet run
    (each recorded too), all in `session`'s transaction."""
    session.add(DutyRun(duty=duty.name, occurrence=occurrence.key, due_at=occurrence.due_at, ran_at=now))
    if not isinstance(duty, SplitsOccurrences):
        await duty.run(session, occurrence, now)
        return
    parts = [p for p in await duty.parts(session, occurrence, now) if p.key != occurrence.key]
    if not parts:
        return
    done = set((await session.execute(select(DutyRun.occurrence).where(
        DutyRun.duty == duty.name, DutyRun.occurrence.in_([p.key for p in parts])))).scalars())
    for part in parts:
        if part.key in done:
            continue
        done.add(part.key)
        session.add(DutyRun(duty=duty.name, occurrence=part.key, due_at=part.due_at, ran_at=now))
        await duty.run(session, part, now)
        log.info("ran %s %s (part of %s)", duty.name, part.key, occurrence.key)
