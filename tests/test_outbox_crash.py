"""Crash safety and claims: kill -9 mid-delivery loses nothing and the next run finishes what the
dead one held, with the default settings; two senders never share a row; a live sender's claims
are renewed, left alone and reported.

The killed process is `python -m tests.support.deliver` (one OutboxSender.deliver_due on
DATABASE_URL), not `python -m bot tick`: tick also runs every registered duty, which would
write notices of its own into the test database. The notices: devtools.notices.
"""
from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from bot.clock import system_clock
from bot.sender import OutboxSender
from bot.services import Services
from bot.settings import Settings
from devtools.notices import NOW, notice_number, seed
from storage.db import Database
from storage.models import OutboxMessage
from storage.outbox import outbox_status
from tests.support.subprocesses import run

CONCURRENCY = 32


def per_notice(fake) -> Counter:
    return Counter(notice_number(call.activity) for call in fake.delivered())


async def _killed_at(deliver: list[str], url: str, fake, delivered: int) -> None:
    """Start a delivery and kill -9 it once the fake has `delivered` notices, mid-way."""
    proc = await run(deliver, url)
    try:
        await fake.wait_for(lambda f: len(f.delivered()) >= delivered, timeout=60)
    finally:
        proc.send_signal(signal.SIGKILL)
        await proc.communicate()
    assert proc.returncode == -signal.SIGKILL


async def test_kill_9_twice_mid_delivery_then_the_next_run_delivers_everything(db, fake_connector):
    """Default settings (no lease or heartbeat set): each killed process leaves its claims behind;
    the next run waits out the short claims (not the 120 s lease) and delivers them all."""
    total = 300
    await seed(db, fake_connector.url, total)
    fake_connector.delay = 0.05  # each POST takes 50 ms: many are in flight at any moment
    deliver = ["-m", "tests.support.deliver", "--now", NOW.isoformat(), "--concurrency", str(CONCURRENCY)]
    await _killed_at(deliver, db.url, fake_connector, 100)
    await _killed_at(deliver, db.url, fake_connector, 200)
    assert len(fake_connector.delivered()) < total  # the kills really were mid-way
    async with db.sessions() as s:  # the dead held claims when they died
        assert await s.scalar(select(func.count()).where(OutboxMessage.state == "sending")) > 0

    third = await run(deliver, db.url)
    out, err = await asyncio.wait_for(third.communicate(), 120)
    assert third.returncode == 0, err.decode()[-2000:]

    counts = per_notice(fake_connector)
    assert set(counts) == set(range(total))  # every notice arrived
    twice = sum(n - 1 for n in counts.values())
    # Only messages in flight at a kill can go again, and at most CONCURRENCY are in flight.
    assert twice <= 2 * CONCURRENCY
    status = await outbox_status(db, NOW + timedelta(hours=1))
    assert (status.sent, status.pending, status.sending, status.retrying, status.undeliverable) == (total, 0, 0, 0, {})
    assert "0 still pending" in out.decode()

    shown = await run(["-m", "bot", "outbox", "status"], db.url)
    out, err = await asyncio.wait_for(shown.communicate(), 60)
    assert shown.returncode == 0, err.decode()[-2000:]
    assert f"{total} sent" in out.decode() and "0 sending" in out.decode()


async def test_two_senders_on_one_database_never_deliver_a_row_twice(db, fake_connector):
    """One tenant: one of them holds its lease and sends every row (tests/test_tenant_budget.py)."""
    total = 200
    await seed(db, fake_connector.url, total)
    fake_connector.delay = 0.01
    other_db = Database(db.url)  # a second engine and pool, as a second instance would have
    mine = Services.create(Settings(database_url=db.url), db=db)
    theirs = Services.create(Settings(database_url=db.url), db=other_db)
    try:
        reports = await asyncio.gather(
            OutboxSender(mine, worker_id="instance-a", concurrency=16).deliver_due(NOW, wait_retries=0),
            OutboxSender(theirs, worker_id="instance-b", concurrency=16).deliver_due(NOW, wait_retries=0))
    finally:
        await mine.connector.close()
        await theirs.connector.close()
        await other_db.dispose()
    counts = per_notice(fake_connector)
    assert set(counts) == set(range(total))
    assert max(counts.values()) == 1
    assert sum(r.rows for r in reports) == total
    assert sorted(r.rows for r in reports) == [0, total]  # one sender per tenant
    assert (await outbox_status(db, NOW)).sent == total


async def _claim_as_another(db, *, lease_left: float) -> datetime:
    """Every row claimed by another instance until `lease_left` seconds from now; that moment."""
    until = system_clock() + timedelta(seconds=lease_left)
    async with db.sessions.begin() as s:
        await s.execute(update(OutboxMessage).values(
            state="sending", claimed_by="another-instance", claimed_until=until))
    return until


async def test_a_live_claim_is_left_alone_and_an_expired_one_taken_over(services, fake_connector):
    await seed(services.db, fake_connector.url, 3)
    await _claim_as_another(services.db, lease_left=60)
    sender = OutboxSender(services)
    try:
        report = await sender.deliver_due(NOW, wait_retries=0)
        assert fake_connector.delivered() == [] and report.pending == 3

        await _claim_as_another(services.db, lease_left=-1)  # its holder died a second ago
        report = await sender.deliver_due(NOW, wait_retries=0)
        assert len(fake_connector.delivered()) == 3 and report.rows == 3
    finally:
        await services.connector.close()


async def test_delivery_waits_for_a_claim_that_runs_out_within_the_wait(services, fake_connector):
    await seed(services.db, fake_connector.url, 1)
    lease_end = await _claim_as_another(services.db, lease_left=0.5)
    sent_at = []  # the clock the sender reads leases by, as it posts
    post = services.connector.send_to_conversation

    async def timed_post(*args):
        sent_at.append(services.clock())
        return await post(*args)

    services.connector.send_to_conversation = timed_post
    try:
        report = await OutboxSender(services).deliver_due(NOW, wait_retries=5)
    finally:
        await services.connector.close()
    (call,) = fake_connector.delivered()
    (sent,) = sent_at
    assert sent >= lease_end and report.rows == 1


async def _claimed_until(db) -> datetime:
    async with db.sessions() as s:
        value = await s.scalar(select(OutboxMessage.claimed_until))
    return value if value.tzinfo else value.replace(tzinfo=system_clock().tzinfo)


async def test_a_live_senders_claims_are_renewed_left_alone_and_reported(services, fake_connector):
    """Sender a's one POST gets no answer until released: while it waits, a's heartbeat renews
    the claim past its first end, so sender b, which waits until a claim and a beat have gone by,
    never takes the row; b returns naming the rows a live sender holds."""
    await seed(services.db, fake_connector.url, 1)
    release = fake_connector.hold_next()
    a = OutboxSender(services, worker_id="sender-a", heartbeat=0.2)  # claims of 0.6 s, renewed every 0.2 s
    first = asyncio.create_task(a.deliver_due(NOW, wait_retries=0))
    try:
        await fake_connector.wait_for(lambda f: len(f.held) == 1)
        first_end = await _claimed_until(services.db)
        # b waits for claims lapsing within 1.5 + 0.5 s of its start: a's first end is well inside.
        report = await OutboxSender(services, worker_id="sender-b", heartbeat=0.5).deliver_due(NOW, wait_retries=5)
        assert services.clock() > first_end  # a's first claim would have run out by now
        assert await _claimed_until(services.db) > first_end  # renewed
        assert (report.rows, report.pending, report.held) == (0, 1, {"sender-a": 1})
        assert "1 held by a live sender (sender-a: 1)" in report.describe()
        assert len(fake_connector.held) == 1 and fake_connector.delivered() == []
    finally:
        release.set()
    assert (await first).rows == 1
    assert len(fake_connector.delivered()) == 1
    await services.connector.close()
