"""One Teams budget for every instance: senders on one database send to a tenant one at a time
(the tenant's lease, bot/sender.py), so together they keep to its limits; none twice, none lost;
another takes over when the holder stops or dies.

What Teams would count is what the fake Bot Connector received, when (its records' `at`). The
rate checks have wide margins (one sender at a time aims at 49.41/s; two at once would reach
about 100/s); the real figures are bench/budget.py's.
"""
from __future__ import annotations

import asyncio
import signal
from bisect import bisect_left
from collections import Counter
from datetime import timedelta

from sqlalchemy import select, update

from bot.claims import TENANT_LEASE
from bot.clock import system_clock
from bot.sender import OutboxSender
from bot.services import Services
from bot.settings import Settings
from devtools.notices import NOW, TENANT, notice_number, seed
from storage import leases
from storage.db import Database
from storage.models import OutboxMessage
from storage.outbox import claim, enqueue, next_wake, outbox_status
from tests.support.outbox import NOW as SENDER_NOW
from tests.support.outbox import add_person, payload
from tests.support.subprocesses import run

LIMIT = 50  # Teams: per app, per tenant, per second
GENEROUS = 55  # what the fake may count in a second on a busy machine; two senders at once: ~100


def busiest(times: list[float], period: float = 1.0) -> int:
    times = sorted(times)
    return max((bisect_left(times, t + period) - i for i, t in enumerate(times)), default=0)


def per_notice(fake) -> Counter:
    return Counter(notice_number(call.activity) for call in fake.delivered())


async def senders_of(db) -> Counter:
    async with db.sessions() as s:
        return Counter((await s.scalars(select(OutboxMessage.claimed_by).where(OutboxMessage.state == "sent"))).all())


async def due_by_the_wall_clock(db) -> None:
    """The served loop's `now` is the wall clock: make the seeded notices due by it."""
    due = system_clock() - timedelta(minutes=1)
    async with db.sessions.begin() as s:
        await s.execute(update(OutboxMessage).values(due_at=due, next_attempt_at=due))


class Instance:
    """A second instance: its own engine, pool, connector and sender, on the same database."""

    def __init__(self, url: str, worker: str, **kw) -> None:
        self.db = Database(url)
        self.services = Services.create(Settings(database_url=url), db=self.db)
        self.sender = OutboxSender(self.services, worker_id=worker, **kw)

    async def close(self) -> None:
        await self.services.connector.close()
        await self.db.dispose()


async def test_two_senders_at_once_keep_to_one_tenant_budget(db, fake_connector):
    total = 120  # more than two seconds' worth: two senders at once would put ~100 in a second
    await seed(db, fake_connector.url, total)
    a, b = Instance(db.url, "instance-a"), Instance(db.url, "instance-b")
    try:
        reports = await asyncio.gather(a.sender.deliver_due(NOW, wait_retries=30),
                                       b.sender.deliver_due(NOW, wait_retries=30))
    finally:
        await a.close()
        await b.close()
    counts = per_notice(fake_connector)
    assert set(counts) == set(range(total)) and max(counts.values()) == 1  # none lost, none twice
    assert sum(r.rows for r in reports) == total
    (holder,) = await senders_of(db)  # the one holder sent them all ...
    assert holder in ("instance-a", "instance-b")
    assert busiest([c.at for c in fake_connector.delivered()]) <= GENEROUS  # ... at one sender's pace
    assert (await outbox_status(db, NOW)).sent == total


async def test_the_other_sender_takes_over_when_the_holder_stops(db, fake_connector):
    """Both served (run_forever); the holder stops mid-way, handing its rows back; the other takes
    the tenant once the holder's last send is out of the tenant's windows, and sends the rest."""
    total = 100
    await seed(db, fake_connector.url, total)
    await due_by_the_wall_clock(db)
    a, b = Instance(db.url, "instance-a"), Instance(db.url, "instance-b")
    first = asyncio.create_task(a.sender.run_forever())
    try:
        await fake_connector.wait_for(lambda f: len(f.delivered()) >= 1)
        second = asyncio.create_task(b.sender.run_forever())  # a holds the tenant: b leaves it alone
        await fake_connector.wait_for(lambda f: len(f.delivered()) >= 30)
        a.sender.stop()
        await first
        stopped_at = len(fake_connector.delivered())
        assert stopped_at < total
        await fake_connector.wait_for(lambda f: len(f.delivered()) >= total, timeout=30)
        b.sender.stop()
        await second
    finally:
        a.sender.stop()
        b.sender.stop()
        await a.close()
        await b.close()
    counts = per_notice(fake_connector)
    assert set(counts) == set(range(total)) and max(counts.values()) == 1
    by = await senders_of(db)
    assert by["instance-a"] == stopped_at and by["instance-b"] == total - stopped_at
    times = [c.at for c in fake_connector.delivered()]
    # b's first send came after a's last had left the 1-s and 2-s windows (the hand-over)
    assert times[stopped_at] - times[stopped_at - 1] >= a.sender.handover - 0.01
    assert busiest(times) <= GENEROUS


async def test_the_next_sender_takes_over_after_the_holder_is_killed(db, fake_connector):
    total = 150
    await seed(db, fake_connector.url, total)
    deliver = ["-m", "tests.support.deliver", "--now", NOW.isoformat(), "--concurrency", "8"]
    proc = await run(deliver, db.url, QA_OUTBOX_HEARTBEAT_SECONDS="0.3")
    try:
        await fake_connector.wait_for(lambda f: len(f.delivered()) >= 40, timeout=60)
    finally:
        proc.send_signal(signal.SIGKILL)
        await proc.communicate()
    async with db.sessions() as s:
        (dead,) = set((await s.scalars(select(OutboxMessage.claimed_by).where(OutboxMessage.state == "sent"))).all())
    killed_at = len(fake_connector.delivered())
    b = Instance(db.url, "instance-b", heartbeat=0.3)
    try:
        report = await b.sender.deliver_due(NOW, wait_retries=30)
    finally:
        await b.close()
    counts = per_notice(fake_connector)
    assert set(counts) == set(range(total))  # none lost
    assert sum(n - 1 for n in counts.values()) <= 8  # only what was in flight at the kill can go twice
    assert report.rows >= total - killed_at and report.pending == 0
    calls = fake_connector.delivered()
    # b began once the dead one's tenant lease ran out: well after its last send
    assert calls[killed_at].at - calls[killed_at - 1].at >= b.sender.handover
    assert busiest([c.at for c in calls]) <= GENEROUS
    assert set(await senders_of(db)) <= {dead, "instance-b"}


async def test_rows_of_a_tenant_another_holds_are_left_unclaimed(db, fake_connector):
    """The storage side: skip_tenants leaves a tenant's rows alone (and out of the wake-up), any
    spelling of its id; rows with no chat are anyone's to settle."""
    await seed(db, fake_connector.url, 3)
    wall = system_clock()
    assert await leases.acquire(db, TENANT_LEASE + TENANT, "other", wall, timedelta(seconds=30))
    assert (await leases.held_by_others(db, TENANT_LEASE, "me", wall))[TENANT][0] == "other"
    assert await leases.held_by_others(db, TENANT_LEASE, "other", wall) == {}
    rows = await claim(db, worker="me", now=NOW, wall_now=wall, lease=timedelta(seconds=5), max_targets=10,
                       skip_tenants={TENANT.upper()})
    assert rows == []
    attempt, _ = await next_wake(db, worker="me", skip_tenants={TENANT})
    assert attempt is None
    rows = await claim(db, worker="me", now=NOW, wall_now=wall, lease=timedelta(seconds=5), max_targets=10,
                       skip_tenants={"another-tenant"})
    assert len(rows) == 3


async def test_a_released_tenant_lingers_for_others_but_not_its_holder(db):
    wall = system_clock()
    ttl = timedelta(seconds=30)
    assert await leases.acquire(db, "t", "a", wall, ttl)
    await leases.release(db, "t", "a", linger_until=wall + timedelta(seconds=2))
    assert not await leases.acquire(db, "t", "b", wall + timedelta(seconds=1), ttl)
    assert await leases.acquire(db, "t", "a", wall + timedelta(seconds=1), ttl)  # its holder at once
    await leases.release(db, "t", "a", linger_until=wall + timedelta(seconds=3))
    assert await leases.acquire(db, "t", "b", wall + timedelta(seconds=3.5), ttl)


async def test_a_second_instance_right_after_the_first_sends_without_waiting_for_retries(services, fake_connector):
    """The first's lease lingers for the hand-over; a tick right after waits it out (2 s), even with
    --wait-retries 0, rather than leaving the tenant's notices for the next run."""
    person, conv = await add_person(services.db, fake_connector.url, 1)
    async with services.db.sessions.begin() as s:
        await enqueue(s, key="a", kind="test", person_id=person, payload=payload(1), due_at=SENDER_NOW, now=SENDER_NOW)
    await OutboxSender(services, worker_id="first").deliver_due(SENDER_NOW, wait_retries=0)
    async with services.db.sessions.begin() as s:
        await enqueue(s, key="b", kind="test", person_id=person, payload=payload(2), due_at=SENDER_NOW, now=SENDER_NOW)
    report = await OutboxSender(services, worker_id="second").deliver_due(SENDER_NOW, wait_retries=0)
    assert len(fake_connector.delivered(conv)) == 2, report.describe()
