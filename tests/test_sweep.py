"""The sweep runs each due occurrence once, records it with its rows, and takes a lease."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update

from capabilities.duties import Occurrence
from dialogs.payload import Payload
from scheduler.sweep import SWEEP_BEATS, SWEEP_HEARTBEAT_SECONDS, SWEEP_LEASE, sweep
from storage import leases
from storage.models import DutyRun, Lease, OutboxMessage
from storage.outbox import enqueue

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)


@dataclass
class DailyNotice:
    """A duty due every day at 09:00 UTC, looking back three days: enough to see coalescing."""

    name: str = "daily-notice"
    runs: list[str] = field(default_factory=list)

    def occurrences(self, now: datetime):
        for back in range(3, -1, -1):
            at = (now - timedelta(days=back)).replace(hour=9, minute=0, second=0, microsecond=0)
            if at <= now:
                yield Occurrence(at.date().isoformat(), at)

    async def run(self, session, occurrence: Occurrence, now: datetime) -> None:
        self.runs.append(occurrence.key)
        await enqueue(session, key=f"daily:{occurrence.key}", kind="daily", person_id=None,
                      payload=Payload("hi"), due_at=occurrence.due_at, now=now)


class ExplodingDuty:
    name = "exploding"

    def occurrences(self, now):
        yield Occurrence("only", now)

    async def run(self, session, occurrence, now):
        await enqueue(session, key="exploding:only", kind="x", person_id=None, payload=Payload("x"), due_at=now, now=now)
        raise RuntimeError("boom")


async def _count(db, model) -> int:
    async with db.sessions() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def test_same_now_twice_runs_nothing_new(services):
    duty = DailyNotice()
    first = await sweep(services, T0, [duty])
    second = await sweep(services, T0, [duty])
    assert len(first.ran) == 4 and second.ran == []
    assert await _count(services.db, OutboxMessage) == 4
    assert await _count(services.db, DutyRun) == 4


async def test_missed_minutes_run_once_not_once_per_minute(services):
    duty = DailyNotice()
    await sweep(services, T0, [duty])
    # The bot was down for two days; the next sweeps run each missed day once.
    later = T0 + timedelta(days=2, minutes=7)
    for minute in range(5):
        await sweep(services, later + timedelta(minutes=minute), [duty])
    assert duty.runs.count((T0 + timedelta(days=1)).date().isoformat()) == 1
    assert duty.runs.count((T0 + timedelta(days=2)).date().isoformat()) == 1
    assert await _count(services.db, OutboxMessage) == 6


async def test_a_failing_occurrence_writes_nothing_and_is_retried(services):
    duty = DailyNotice()
    result = await sweep(services, T0, [ExplodingDuty(), duty])
    assert result.failed == [("exploding", "only")]
    assert len(duty.runs) == 4  # the duty after it still ran
    assert await _count(services.db, OutboxMessage) == 4
    async with services.db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(DutyRun).where(DutyRun.duty == "exploding"))).scalar_one() == 0
    again = await sweep(services, T0, [ExplodingDuty()])
    assert again.failed == [("exploding", "only")]
    # The lease was released despite the failure.
    assert await leases.acquire(services.db, SWEEP_LEASE, "someone", T0, timedelta(minutes=1))


async def test_only_one_sweeper_at_a_time(services):
    wall = services.clock()
    assert await leases.acquire(services.db, SWEEP_LEASE, "other-instance", wall, timedelta(minutes=10))
    result = await sweep(services, T0, [DailyNotice()])
    assert result.skipped_locked and result.ran == []
    # An expired lease (its holder died) is taken over.
    assert await leases.acquire(services.db, SWEEP_LEASE, "third", wall + timedelta(minutes=11), timedelta(minutes=1))


async def test_lease_is_exclusive_between_holders(db):
    assert await leases.acquire(db, "x", "a", T0, timedelta(minutes=1))
    assert not await leases.acquire(db, "x", "b", T0 + timedelta(seconds=30), timedelta(minutes=1))
    assert await leases.acquire(db, "x", "a", T0 + timedelta(seconds=30), timedelta(minutes=1))  # renew
    await leases.release(db, "x", "a")
    assert await leases.acquire(db, "x", "b", T0 + timedelta(seconds=31), timedelta(minutes=1))


# -- the sweep lease's heartbeat: a dead sweeper is replaced within seconds --------------------

class _WallClock:
    """A wall clock the test moves."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class BlockingDuty:
    """Runs until the test lets it go: a sweep in progress."""

    name = "blocking"

    def __init__(self) -> None:
        self.started, self.release = asyncio.Event(), asyncio.Event()

    def occurrences(self, now):
        yield Occurrence("only", now)

    async def run(self, session, occurrence, now):
        self.started.set()
        await self.release.wait()


async def _lease(db) -> tuple[str | None, datetime | None]:
    async with db.sessions() as s:
        row = (await s.execute(select(Lease.holder, Lease.expires_at).where(Lease.name == SWEEP_LEASE))).first()
    return (row[0], row[1]) if row else (None, None)


async def test_a_lease_left_by_a_dead_sweeper_is_taken_over_within_seconds(services):
    """A sweeper killed mid-sweep leaves its lease: it lasts SWEEP_BEATS beats (10 s), not ten
    minutes, and is on the wall clock whatever `now` the sweep ran for."""
    wall = _WallClock(datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc))
    services.wall_clock = wall
    blocking = BlockingDuty()
    dead = asyncio.create_task(sweep(services, T0, [blocking]))  # a --now far from the wall clock
    await blocking.started.wait()
    holder, expires = await _lease(services.db)
    assert holder is not None and expires == wall.at + timedelta(seconds=SWEEP_HEARTBEAT_SECONDS * SWEEP_BEATS)
    # kill -9: nothing runs after this, not even the release in `finally`: the lease row stays as it was
    dead.cancel()
    await asyncio.gather(dead, return_exceptions=True)
    async with services.db.sessions.begin() as s:
        await s.execute(update(Lease).where(Lease.name == SWEEP_LEASE).values(holder=holder, expires_at=expires))

    refused = await sweep(services, T0, [DailyNotice()])  # still within the dead one's lease
    assert refused.skipped_locked and refused.locked_until == expires
    wall.at = expires + timedelta(seconds=1)  # seconds later
    taken = await sweep(services, T0, [DailyNotice()])
    assert not taken.skipped_locked and len(taken.ran) == 4


async def test_a_live_sweepers_lease_is_renewed_while_it_sweeps(services, monkeypatch):
    wall = _WallClock(datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc))
    services.wall_clock = wall
    blocking = BlockingDuty()
    renewed = asyncio.Event()
    acquire = leases.acquire

    async def noting(db, name, holder, wall_now, ttl):
        taken = await acquire(db, name, holder, wall_now, ttl)
        if taken and wall_now > datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc):
            renewed.set()
        return taken

    monkeypatch.setattr(leases, "acquire", noting)
    live = asyncio.create_task(sweep(services, T0, [blocking], heartbeat=0.02))
    await blocking.started.wait()
    wall.at += timedelta(minutes=5)  # a long sweep: the heartbeat keeps the lease
    await asyncio.wait_for(renewed.wait(), 10)
    _, expires = await _lease(services.db)
    assert expires == wall.at + timedelta(seconds=0.1)
    other = await sweep(services, T0, [DailyNotice()])
    assert other.skipped_locked  # the live sweeper keeps it
    blocking.release.set()
    assert (await live).ran == [("blocking", "only")]
    assert await _lease(services.db) == (None, None)  # let go at the end


async def test_a_tick_waits_for_a_dead_sweepers_lease_to_lapse(services):
    """With `wait_for_lock`, a sweep right after a kill waits out the dead holder's short lease."""
    wall = datetime.now(timezone.utc)
    services.wall_clock = lambda: datetime.now(timezone.utc)
    assert await leases.acquire(services.db, SWEEP_LEASE, "dead", wall, timedelta(seconds=0.3))
    result = await sweep(services, T0, [DailyNotice()], wait_for_lock=5)
    assert not result.skipped_locked and len(result.ran) == 4
