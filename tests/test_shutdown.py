"""Graceful shutdown: on SIGTERM a served instance (`python -m bot serve`) and a running `tick` stop
claiming, give the messages in flight QA_SHUTDOWN_GRACE_SECONDS to be answered, cut off those still
out then and hand their rows back, let the sweep lock, the tenant leases and every claim go, and
exit 0; another instance then delivers the rest at once: nothing lost, and nothing sent twice but
what was cut off in flight.

What Teams would count is what the fake Bot Connector (127.0.0.1) received, per notice
(devtools.notices: one idempotency key and one number per notice). The served and ticked
processes are real subprocesses (tests/support/subprocesses.py), on both databases.
"""
from __future__ import annotations

import asyncio
import signal
import socket
from collections import Counter
from datetime import timedelta

from aiohttp import web
from sqlalchemy import func, select, update

from bot.claims import TENANT_LEASE
from bot.clock import system_clock
from bot.sender import HAND_BACK_SECONDS, OutboxSender
from bot.services import Services
from bot.settings import Settings
from devtools.fake_connector import FakeConnector
from devtools.notices import NOW, notice_number, seed
from scheduler.sweep import SWEEP_LEASE, sweep
from storage import leases
from storage.models import OutboxMessage
from tests.support.subprocesses import run

GRACE = 10.0  # QA_SHUTDOWN_GRACE_SECONDS' default
MARGIN = HAND_BACK_SECONDS + 7.0  # the hand-back's writes, the process's own exit, a busy shared machine
HANDOVER = 2.1  # s: a tenant let go lingers this long for its rate windows (bot/claims.py: 2.03 s)


class GatedFake(FakeConnector):
    """The fake Bot Connector, noting each activity POST when it arrives (before any delay) and,
    once `gate()` is called, holding every POST after that until the gate opens (stop() opens it):
    a Teams that has stopped answering, with no sleep racing the test."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: list[float] = []  # when each activity POST arrived (the fake's loop time)
        self._gate: asyncio.Event | None = None

    def gate(self) -> asyncio.Event:
        self._gate = asyncio.Event()
        self._releases.append(self._gate)
        return self._gate

    async def _activity(self, request: web.Request) -> web.Response:
        if request.method == "POST":
            await request.read()  # the body, before any wait: a sender cut off leaves no body to read later
            async with self._changed:
                self.arrived.append(asyncio.get_running_loop().time())
                self._changed.notify_all()
            if self._gate is not None:
                await self._gate.wait()
        return await super()._activity(request)


def answered(fake: FakeConnector) -> int:
    """Activity POSTs the fake has answered."""
    return sum(1 for c in fake.calls if c.method == "POST" and "/activities" in c.path)


def per_notice(fake: FakeConnector) -> Counter:
    return Counter(notice_number(call.activity) for call in fake.delivered())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def due_by_the_wall_clock(db) -> None:
    """A served instance's `now` is the wall clock: make the seeded notices due by it."""
    due = system_clock() - timedelta(minutes=1)
    async with db.sessions.begin() as s:
        await s.execute(update(OutboxMessage).values(due_at=due, next_attempt_at=due))


async def claimed(db) -> int:
    async with db.sessions() as s:
        return await s.scalar(select(func.count()).where(OutboxMessage.state == "sending"))


async def assert_all_let_go(db, stopped_at) -> None:
    """No row claimed, no sweep lock held, and no tenant lease held past its hand-over."""
    assert await claimed(db) == 0
    assert await leases.holder_of(db, SWEEP_LEASE, stopped_at) is None
    assert await leases.held_by_others(db, TENANT_LEASE, "nobody", stopped_at + timedelta(seconds=HANDOVER)) == {}


async def stopped(proc: asyncio.subprocess.Process) -> tuple[float, bytes, bytes]:
    """SIGTERM `proc`; (seconds until it exited, stdout, stderr)."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    proc.send_signal(signal.SIGTERM)
    out, err = await asyncio.wait_for(proc.communicate(), GRACE + MARGIN + 30)
    return loop.time() - began, out, err


async def test_a_served_instance_stops_on_sigterm_and_the_next_one_sends_the_rest_once(db):
    """`python -m bot serve` with the default grace, the Connector answering each POST after 0.25 s:
    SIGTERM mid-delivery. The messages in flight are answered and recorded within the grace, so
    nothing goes twice; a tick right after sends the rest."""
    total = 150
    fake = await GatedFake().start()
    try:
        await seed(db, fake.url, total)
        await due_by_the_wall_clock(db)
        fake.delay = 0.25  # many in flight at any moment
        proc = await run(["-m", "bot", "serve", "--no-migrate"], db.url, PORT=str(free_port()))
        try:
            await fake.wait_for(lambda f: len(f.delivered()) >= 30, timeout=120)
        except BaseException:
            proc.kill()
            raise
        in_flight = len(fake.arrived) - answered(fake)
        seconds, _, err = await stopped(proc)
        stopped_at = system_clock()
        assert proc.returncode == 0, err.decode()[-3000:]
        assert seconds < GRACE + MARGIN
        sent_by_first = len(fake.delivered())
        assert 30 <= sent_by_first < total  # stopped mid-way
        assert in_flight > 0  # and mid-send
        assert "shutting down" in err.decode()
        await assert_all_let_go(db, stopped_at)

        fake.delay = 0.0
        tick = await run(["-m", "bot", "tick", "--now", system_clock().isoformat(), "--wait-retries", "0"], db.url)
        out, err = await asyncio.wait_for(tick.communicate(), 120)
        assert tick.returncode == 0, err.decode()[-3000:]
        counts = per_notice(fake)
        assert set(counts) >= set(range(total))  # none lost
        assert max(counts[n] for n in range(total)) == 1  # none twice: every send in flight was answered
        assert await claimed(db) == 0
    finally:
        await fake.stop()


async def test_a_tick_stopped_while_teams_does_not_answer_hands_its_sends_back_after_the_grace(db):
    """`python -m bot tick` with a 1-s grace: the Connector stops answering; SIGTERM. The tick exits
    0 within the grace and the hand-back, its sends cut off and handed back, its claims, leases and
    the sweep lock let go; the next delivery sends every notice, twice at most those cut off."""
    total = 120
    fake = await GatedFake().start()
    try:
        await seed(db, fake.url, total)
        tick = ["-m", "bot", "tick", "--now", NOW.isoformat(), "--wait-retries", "0"]
        proc = await run(tick, db.url, QA_SHUTDOWN_GRACE_SECONDS="1")
        try:
            await fake.wait_for(lambda f: len(f.delivered()) >= 20, timeout=120)
            gate = fake.gate()
            held = len(fake.arrived)
            await fake.wait_for(lambda f: len(f.arrived) >= held + 5, timeout=30)  # some now wait for an answer
        except BaseException:
            proc.kill()
            raise
        seconds, out, err = await stopped(proc)
        stopped_at = system_clock()
        assert proc.returncode == 0, err.decode()[-3000:]
        assert seconds < 1 + MARGIN
        cut_off = len(fake.arrived) - answered(fake)  # arrived, never answered
        said = out.decode()
        assert "stopped by a signal" in said and "cut off in flight and handed back" in said, said
        await assert_all_let_go(db, stopped_at)

        counts_before = per_notice(fake)
        gate.set()  # the Connector answers again, the held calls included (Teams may have taken them)
        again = await run(["-m", "tests.support.deliver", "--now", NOW.isoformat(), "--wait-retries", "0"], db.url)
        out, err = await asyncio.wait_for(again.communicate(), 120)
        assert again.returncode == 0, err.decode()[-3000:]
        await fake.wait_for(lambda f: answered(f) >= len(f.arrived), timeout=30)
        counts = per_notice(fake)
        assert set(counts) >= set(range(total))  # none lost
        assert sum(counts[n] - 1 for n in range(total)) <= cut_off  # twice: only what was cut off in flight
        assert sum(counts_before.values()) < total
    finally:
        await fake.stop()


# -- in one process -------------------------------------------------------------------------------

async def test_stop_lets_a_send_in_flight_finish_within_the_grace(services, fake_connector):
    await seed(services.db, fake_connector.url, 3)
    release = fake_connector.hold_next()
    sender = OutboxSender(services, concurrency=1)
    delivering = asyncio.create_task(sender.deliver_due(NOW, wait_retries=0))
    try:
        await fake_connector.wait_for(lambda f: len(f.held) == 1)
        sender.stop(grace=30)
        release.set()  # Teams answers within the grace
        report = await asyncio.wait_for(delivering, 10)
    finally:
        release.set()
        await services.connector.close()
    assert (report.rows, report.cut_off, report.stopped) == (1, 0, True)
    assert "stopped before the end" in report.describe()
    assert len(fake_connector.delivered()) == 1
    assert await claimed(services.db) == 0


async def test_stop_cuts_off_a_send_the_grace_outlasts_and_hands_it_back(services, fake_connector):
    await seed(services.db, fake_connector.url, 2)
    release = fake_connector.hold_next()
    sender = OutboxSender(services, concurrency=1)
    delivering = asyncio.create_task(sender.deliver_due(NOW, wait_retries=0))
    try:
        await fake_connector.wait_for(lambda f: len(f.held) == 1)
        sender.stop(grace=0.1)
        report = await asyncio.wait_for(delivering, 10)
        assert (report.rows, report.cut_off, report.pending) == (0, 1, 2)
        assert await claimed(services.db) == 0
        async with services.db.sessions() as s:
            states = (await s.scalars(select(OutboxMessage.state))).all()
        assert sorted(states) == ["pending", "pending"]  # due as before, for the next sender
    finally:
        release.set()
        await services.connector.close()


async def test_a_stopped_sweep_runs_nothing_more_and_lets_the_lock_go(db):
    ran = []

    class Duty:
        name = "probe"

        def occurrences(self, now):
            from capabilities.duties import Occurrence
            return [Occurrence(key=f"k{i}", due_at=now) for i in range(3)]

        async def run(self, session, occurrence, now):
            ran.append(occurrence.key)
            stopping.set()  # the shutdown comes while the first occurrence runs

    stopping = asyncio.Event()
    services = Services.create(Settings(database_url=db.url), db=db)
    result = await sweep(services, NOW, [Duty()], stopping=stopping)
    assert ran == ["k0"] and result.stopped and result.ran == [("probe", "k0")]
    assert await leases.holder_of(db, SWEEP_LEASE, system_clock()) is None
    await services.connector.close()
