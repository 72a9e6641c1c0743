"""The sweep: ask every duty what is due now, run each occurrence once, record that it ran.

Idempotent: an occurrence is recorded in duty_runs in the same transaction as the rows it
writes, so running the sweep again (or `tick --now` twice) adds nothing. Missed occurrences
run once on the next sweep, not once per missed minute. The sweep alone records runs: a duty
whose occurrence stands for several parts found in stored data (capabilities.duties.
SplitsOccurrences) has each part recorded here too, under its own key.

One sweeper at a time, by lease (storage/leases.py, "sweep"), held like the outbox's claims: a
short lease (SWEEP_BEATS heartbeats, 10 s with the default 2 s beat) renewed every beat while the
sweep runs, so a sweeper killed mid-sweep is replaced within seconds, not minutes. The lease is on
the wall clock (`Runtime.wall_clock`), never on a `tick --now` date. A sweep that finds the lease
held says until when (`SweepResult.locked_until`): the served app looks again then
(scheduler/jobs.py), and `tick` waits that long for a holder that stopped renewing (`wait_for_lock`).
A sweep told to stop (`stopping`: SIGTERM) finishes the occurrence it is running, leaves the rest
for the next sweeper and lets the lease go at once, so another instance sweeps without waiting.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.duties import Duty, Occurrence, SplitsOccurrences
from storage import leases
from storage.db import Database
from storage.models import DutyRun
from storage.unavailable import database_unavailable

log = logging.getLogger(__name__)
SWEEP_LEASE = "sweep"
SWEEP_HEARTBEAT_SECONDS = 2.0  # how often a sweeper renews its lease
SWEEP_BEATS = 5  # the lease lasts this many beats: a few late renewals (a busy loop) do not lose it


class Runtime(Protocol):
    """What a sweep needs of the running bot (bot.services.Services has it)."""

    db: Database

    def clock(self) -> datetime: ...

    def wall_clock(self) -> datetime: ...


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class SweepResult:
    ran: list[tuple[str, str]] = field(default_factory=list)  # (duty, occurrence)
    idle: list[tuple[str, str]] = field(default_factory=list)  # of `ran`: those that wrote nothing (no data)
    failed: list[tuple[str, str]] = field(default_factory=list)  # rolled back; tried again next sweep
    skipped_locked: bool = False
    stopped: bool = False  # told to stop (a shutdown) before every due occurrence had run: the rest runs next time
    locked_until: datetime | None = None  # skipped: when the other sweeper's lease runs out unless renewed (wall clock)


async def sweep(services: Runtime, now: datetime, duties: Iterable[Duty], *,
                heartbeat: float = SWEEP_HEARTBEAT_SECONDS, wait_for_lock: float = 0.0,
                stopping: asyncio.Event | None = None) -> SweepResult:
    """Run every occurrence of `duties` due at `now` (aware) that has not run yet, each in its own
    transaction with its DutyRun record. One sweeper at a time: a lease of SWEEP_BEATS x
    `heartbeat` seconds (wall clock), renewed each beat while this sweep runs. When another holds
    it, wait up to `wait_for_lock` seconds for it to run out (a dead holder's does), else skip
    (`skipped_locked`, `locked_until`). A failing occurrence is logged, rolled back and tried
    again on the next sweep. Once `stopping` is set (a shutdown), no further occurrence starts
    (`stopped`) and the lease is let go."""
    result = SweepResult()
    observe = getattr(services, "metrics", None)  # bot/metrics.py on the served app's services
    holder = worker_id()
    ttl = timedelta(seconds=heartbeat * SWEEP_BEATS)
    if not await _take(services, holder, ttl, wait_for_lock, result, stopping):
        if observe is not None:
            observe.sweep_finished()
        return result
    lost = asyncio.Event()
    renewing = asyncio.create_task(_renew(services, holder, ttl, heartbeat, lost), name="sweep-lease")
    try:
        for duty in duties:
            due = list(duty.occurrences(now))
            if not due:
                continue
            started, failed = time.perf_counter(), len(result.failed)
            async with services.db.sessions() as session:
                done = set((await session.execute(
                    select(DutyRun.occurrence).where(DutyRun.duty == duty.name,
                                                     DutyRun.occurrence.in_([o.key for o in due]))
                )).scalars())
            for occurrence in due:
                if occurrence.key in done:
                    continue
                if lost.is_set():  # another sweeper has the lease: it runs the rest
                    log.warning("sweep lease taken over; the rest of this sweep is left to its holder")
                    return result
                if stopping is not None and stopping.is_set():  # shutting down: the next sweeper runs the rest
                    log.info("sweep stopped by the shutdown; the rest is left to the next sweep")
                    result.stopped = True
                    return result
                context = {"duty": duty.name, "occurrence": occurrence.key}  # fields of a JSON log line
                began = time.perf_counter()
                try:
                    async with services.db.sessions.begin() as session:
                        wrote = await _run(session, duty, occurrence, now)
                except Exception as exc:  # noqa: BLE001 - one failing duty must not stop the others
                    if database_unavailable(exc):
                        raise  # every other would fail too: the caller waits for the database (tick) or the next minute
                    log.error("duty %s %s failed: %s", duty.name, occurrence.key, type(exc).__name__,
                              exc_info=(type(exc), exc, exc.__traceback__), extra=context)
                    result.failed.append((duty.name, occurrence.key))
                    continue
                result.ran.append((duty.name, occurrence.key))
                if not wrote:  # recorded as run, but nothing was there to do: not news
                    result.idle.append((duty.name, occurrence.key))
                log.log(logging.INFO if wrote else logging.DEBUG, "ran %s %s%s", duty.name, occurrence.key,
                        "" if wrote else " (nothing to do)",
                        extra={**context, "duration_ms": round((time.perf_counter() - began) * 1000, 1)})
            if observe is not None:
                observe.swept(duty.name, time.perf_counter() - started, failed=len(result.failed) - failed)
    finally:
        renewing.cancel()
        await asyncio.gather(renewing, return_exceptions=True)
        await leases.release(services.db, SWEEP_LEASE, holder)
    if observe is not None:
        observe.sweep_finished()
    return result


async def _take(services: Runtime, holder: str, ttl: timedelta, wait: float, result: SweepResult,
                stopping: asyncio.Event | None = None) -> bool:
    """Take the sweep lease; while another holds it, wait (at most `wait` s in all, and not once
    `stopping` is set) for its end."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + max(wait, 0.0)
    while True:
        if await leases.acquire(services.db, SWEEP_LEASE, holder, services.wall_clock(), ttl):
            return True
        held = await leases.holder_of(services.db, SWEEP_LEASE, services.wall_clock())
        until = held[1] if held else None
        left = (until - services.wall_clock()).total_seconds() if until else 0.0
        if loop.time() + left > give_up or (stopping is not None and stopping.is_set()):
            log.info("another instance is sweeping; this one looks again when its lease would run out")
            result.skipped_locked, result.locked_until = True, until
            return False
        # Until the holder's lease would end, unless renewed (or until told to stop).
        waiting = asyncio.ensure_future((stopping or asyncio.Event()).wait())
        try:
            await asyncio.wait({waiting}, timeout=max(left, 0.0) + 0.01)
        finally:
            waiting.cancel()


async def _renew(services: Runtime, holder: str, ttl: timedelta, heartbeat: float, lost: asyncio.Event) -> None:
    """Every beat, renew the sweep lease; set `lost` if another sweeper has taken it (our renewals
    failed for a whole lease). A failed renewal (the database busy) is tried again next beat."""
    while True:
        await asyncio.sleep(heartbeat)  # the heartbeat's period
        try:
            if not await leases.acquire(services.db, SWEEP_LEASE, holder, services.wall_clock(), ttl):
                lost.set()
                return
        except Exception as exc:  # noqa: BLE001 - the next beat tries again
            log.error("sweep lease renewal: %s", type(exc).__name__)


async def _run(session: AsyncSession, duty: Duty, occurrence: Occurrence, now: datetime) -> bool:
    """Record `occurrence` and run it, or, for a duty that splits it, each of its parts not yet run
    (each recorded too), all in `session`'s transaction. True when the duty wrote anything besides
    the records of what ran."""
    writes = [0]

    def counted(_conn, cursor, statement, _parameters, _context, _many) -> None:
        # A statement that changed rows, other than the records of what ran (rowcount -1: unknown, so counted).
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE") and "duty_runs" not in statement[:40] \
                and cursor.rowcount != 0:
            writes[0] += 1

    connection = (await session.connection()).sync_connection
    event.listen(connection, "after_cursor_execute", counted)
    try:
        await _run_parts(session, duty, occurrence, now)
        await session.flush()
    finally:
        event.remove(connection, "after_cursor_execute", counted)
    return bool(writes[0])


async def _run_parts(session: AsyncSession, duty: Duty, occurrence: Occurrence, now: datetime) -> None:
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
