"""No duplicate sends from a database outage the sender survives: a message the Bot Connector
accepted is never sent again because its sent mark could not be written (the mark is held and
written again), and `tick` rides out an unavailable database (bounded by
QA_DATABASE_WAIT_SECONDS) instead of exiting. On a real PostgreSQL closed to connections
mid-delivery for longer than a claim lasts, and on both databases with the failures injected."""
from __future__ import annotations

import asyncio
from collections import Counter

import asyncpg
import asyncpg.exceptions as pg
import pytest
from sqlalchemy import exc as sa_exc

import storage.outbox as outbox
from bot.marks import SentMarks
from bot.sender import OutboxSender
from bot.services import Services
from bot.settings import Settings
from bot.tick import tick
from devtools.notices import NOW, notice_number, seed
from storage import leases
from storage.db import Database
from storage.outbox import outbox_status
from tests.support import databases


def _unavailable() -> sa_exc.DBAPIError:
    """What SQLAlchemy raises when PostgreSQL is restarting (57P03), with asyncpg's error as its cause."""
    try:
        raise pg.CannotConnectNowError("the database system is starting up")
    except pg.PostgresError as exc:
        return sa_exc.DBAPIError("UPDATE outbox ...", None, exc)


def _failing(real, times: int, calls: list):
    """`real`, failing as if the database were unavailable for its first `times` calls."""
    async def call(*args, **kwargs):
        calls.append(args)
        if len(calls) <= times:
            raise _unavailable()
        return await real(*args, **kwargs)
    return call


_OPEN: list = []  # services whose connector a sender opened


@pytest.fixture(autouse=True)
async def _close_connectors():
    yield
    while _OPEN:
        await _OPEN.pop().connector.close()


def per_notice(fake) -> Counter:
    return Counter(notice_number(call.activity) for call in fake.delivered())


async def test_a_sent_mark_the_database_cannot_take_is_held_and_written_again(db, monkeypatch):
    await seed(db, "https://unused.example", 1)
    calls: list = []
    monkeypatch.setattr(outbox, "mark_sent", _failing(outbox.mark_sent, 2, calls))
    marks = SentMarks(db, wait=10)
    await marks.record(outbox.Sent((1,), "activity-1", NOW))
    assert len(calls) == 3 and not marks.holding
    assert (await outbox_status(db, NOW)).sent == 1


async def test_a_mark_is_given_up_only_past_the_wait_and_other_errors_are_not_retried(db, monkeypatch):
    await seed(db, "https://unused.example", 1)
    calls: list = []
    monkeypatch.setattr(outbox, "mark_sent", _failing(outbox.mark_sent, 100, calls))
    with pytest.raises(sa_exc.DBAPIError):
        await SentMarks(db, wait=0.6).record(outbox.Sent((1,), "activity-1", NOW))
    assert 1 < len(calls) < 5  # tried again, for about the wait, then given up

    async def wrong(*args, **kwargs):
        calls.append(args)
        raise ValueError("not a database outage")

    calls.clear()
    monkeypatch.setattr(outbox, "mark_sent", wrong)
    with pytest.raises(ValueError):
        await SentMarks(db, wait=10).record(outbox.Sent((1,), "activity-1", NOW))
    assert len(calls) == 1


async def test_an_outage_after_the_connector_accepted_sends_nothing_twice(services, fake_connector, monkeypatch):
    """The database goes away just as the first message's mark is written, for 3.5 s (three
    failed tries of the mark): longer than a claim (0.3 s here), so the claims lapse (renewals and
    claims fail too). The sender holds the marks, claims nothing meanwhile, rides the outage out,
    and every notice goes exactly once."""
    total = 20
    await seed(services.db, fake_connector.url, total)
    down = {"marks": 0, "now": False}
    real_mark, real_renew, real_claim = outbox.mark_sent, outbox.renew, outbox.claim

    async def mark_sent(*args, **kwargs):
        if down["marks"] < 3:
            down["marks"] += 1
            down["now"] = down["marks"] < 3
            raise _unavailable()
        return await real_mark(*args, **kwargs)

    def while_down(real):
        async def call(*args, **kwargs):
            if down["now"]:
                raise _unavailable()
            return await real(*args, **kwargs)
        return call

    monkeypatch.setattr(outbox, "mark_sent", mark_sent)
    monkeypatch.setattr(outbox, "renew", while_down(real_renew))
    monkeypatch.setattr(outbox, "claim", while_down(real_claim))
    _OPEN.append(services)
    sender = OutboxSender(services, heartbeat=0.1, concurrency=4)
    report = await sender.deliver_due(NOW, wait_retries=1, ride_out=30)
    assert down["marks"] == 3
    assert set(per_notice(fake_connector).values()) == {1} and len(per_notice(fake_connector)) == total
    status = await outbox_status(services.db, NOW)
    assert (status.sent, status.sending, status.pending) == (total, 0, 0)
    assert report.rows == total


async def test_tick_rides_out_an_unavailable_database(services, fake_connector, monkeypatch):
    """The sweep's lease and the sender's first claim meet the database restarting: tick waits and
    finishes the work instead of failing."""
    await seed(services.db, fake_connector.url, 3)
    lease_calls: list = []
    claim_calls: list = []
    monkeypatch.setattr(leases, "acquire", _failing(leases.acquire, 1, lease_calls))
    monkeypatch.setattr(outbox, "claim", _failing(outbox.claim, 2, claim_calls))
    _OPEN.append(services)
    report = await tick(services, NOW, wait_retries=0, duties=[])
    assert len(lease_calls) >= 2 and len(claim_calls) >= 3
    assert report.delivery.rows == 3 and set(per_notice(fake_connector).values()) == {1}


async def test_tick_gives_up_past_the_wait(db, fake_connector, monkeypatch):
    services = Services.create(Settings(database_url=db.url, database_wait_seconds=0.6), db=db)
    monkeypatch.setattr(leases, "acquire", _failing(leases.acquire, 100, []))
    try:
        with pytest.raises(sa_exc.DBAPIError):
            await tick(services, NOW, wait_retries=0, duties=[])
    finally:
        await services.connector.close()


@pytest.fixture
def own_postgres() -> str:
    url = databases.create_postgres_database()
    if url is None:
        pytest.skip("no PostgreSQL server answered (set QA_REQUIRE_POSTGRES=1 to make this a failure)")
    yield url
    databases.drop_postgres_database(url)


async def _allow_connections(url: str, allowed: bool) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(databases.ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://"), timeout=5)
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if allowed else "false"}')
        if not allowed:
            await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = $1 AND pid <> pg_backend_pid()", name)
    finally:
        await admin.close()


async def test_a_real_postgresql_outage_mid_delivery_sends_nothing_twice(fake_connector, own_postgres):
    """PostgreSQL stops accepting connections (its sessions terminated) once 40 of 150 notices are
    out, for longer than a claim lasts (the default 6 s), then comes back: the delivery waits for
    it, then finishes; every notice arrives exactly once."""
    total = 150
    db = Database(own_postgres)
    services = Services.create(Settings(database_url=db.url, database_wait_seconds=60), db=db)
    await seed(db, fake_connector.url, total)
    fake_connector.delay = 0.05  # many in flight when the database goes
    delivery = asyncio.create_task(OutboxSender(services).deliver_due(NOW, wait_retries=30, ride_out=60))
    try:
        await fake_connector.wait_for(lambda f: len(f.delivered()) >= 40, timeout=60)
        await _allow_connections(own_postgres, False)
        try:
            await asyncio.sleep(8)  # the outage lasts this long: longer than a claim (three 2-s beats)
            assert not delivery.done()
        finally:
            await _allow_connections(own_postgres, True)
        report = await asyncio.wait_for(delivery, 120)
    finally:
        delivery.cancel()
        await asyncio.gather(delivery, return_exceptions=True)
        await services.connector.close()
    counts = per_notice(fake_connector)
    assert set(counts) == set(range(total)) and [n for n, c in counts.items() if c > 1] == []
    status = await outbox_status(db, NOW)
    assert (status.sent, status.sending, status.pending, status.retrying) == (total, 0, 0, 0)
    assert report.pending == 0
    await db.dispose()
