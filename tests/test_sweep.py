"""The sweep runs each due occurrence once, records it with its rows, and takes a lease."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from capabilities.duties import Occurrence
from dialogs.payload import Payload
from scheduler.sweep import SWEEP_LEASE, sweep
from storage import leases
from storage.models import DutyRun, OutboxMessage
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
