"""The outbox sender against the fake Bot Connector: targets, digests, retries, give-ups."""
from __future__ import annotations

import asyncio
import random
import re
import socket
from datetime import datetime, timedelta
from email.utils import format_datetime

import pytest
from sqlalchemy import select

from bot.connector import BotConnector, ConnectorError
from bot.sender import OutboxSender
from storage.models import Channel, Conversation, OutboxMessage, Team
from storage.outbox import enqueue, outbox_status
from tests.support.outbox import NOW, TENANT, add_person, payload

_OPEN: list = []  # services whose connector opened an HTTP session


@pytest.fixture(autouse=True)
async def _close_connectors():
    yield
    while _OPEN:
        await _OPEN.pop().connector.close()


async def add_rows(db, person_id: int | None, numbers, *, due: datetime = NOW, conversation_id: str | None = None) -> None:
    async with db.sessions.begin() as s:
        for n in numbers:
            await enqueue(s, key=f"test:{n}", kind="test", person_id=person_id, payload=payload(n), due_at=due,
                          now=due - timedelta(minutes=1), conversation_id=conversation_id)


async def rows(db) -> list[OutboxMessage]:
    async with db.sessions() as s:
        return list((await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def chat(db, conversation_id: str) -> Conversation:
    async with db.sessions() as s:
        return (await s.scalars(select(Conversation).where(Conversation.conversation_id == conversation_id))).one()


def sender(services, **kw) -> OutboxSender:
    _OPEN.append(services)
    return OutboxSender(services, retry_base=kw.pop("retry_base", 0.05), rng=random.Random(7), **kw)


# -- where and what ---------------------------------------------------------------------------

async def test_a_notice_goes_to_the_persons_chat_as_a_card(services, fake_connector):
    person, conv = await add_person(services.db, fake_connector.url, 1)
    await add_rows(services.db, person, [1])
    report = await sender(services).deliver_due(NOW)
    (call,) = fake_connector.delivered()
    assert call.conversation_id == conv
    assert call.activity["type"] == "message"
    assert call.activity["channelData"] == {"tenant": {"id": TENANT}}
    assert call.cards[0]["body"] == payload(1).card["body"]
    assert call.activity["summary"] == "notice 1"
    (row,) = await rows(services.db)
    assert row.state == "sent" and row.attempts == 1 and row.activity_id and row.activity_id.startswith("activity-")
    assert NOW <= row.sent_at < NOW + timedelta(seconds=10)  # the logical clock, not today's date
    assert (report.messages, report.rows, report.digests, report.pending) == (1, 1, 0, 0)
    assert "delivered 1 notice(s) in 1 message(s)" in report.describe()


async def test_a_chat_stored_without_a_tenant_gets_no_empty_tenant(services, fake_connector):
    person, conv = await add_person(services.db, fake_connector.url, 1, tenant="")
    await add_rows(services.db, person, [1])
    await sender(services).deliver_due(NOW)
    (call,) = fake_connector.delivered(conv)
    assert "channelData" not in call.activity  # never channelData.tenant.id ""


async def test_three_notices_to_one_person_are_one_post(services, fake_connector):
    person, conv = await add_person(services.db, fake_connector.url, 1)
    other, other_conv = await add_person(services.db, fake_connector.url, 2)
    await add_rows(services.db, person, [1, 2, 3])
    await add_rows(services.db, other, [4])
    report = await sender(services).deliver_due(NOW)
    (digest,) = fake_connector.delivered(conv)
    assert len(fake_connector.delivered(other_conv)) == 1
    (card,) = digest.cards
    assert card["body"][0]["text"] == "You have 3 updates"
    assert [s["items"][0]["text"] for s in card["body"][1:]] == [f"Audit of CD-{n:05d} is due" for n in (1, 2, 3)]
    first_three = (await rows(services.db))[:3]
    assert {r.state for r in first_three} == {"sent"}
    assert len({r.activity_id for r in first_three}) == 1  # all three point at the one message
    assert (report.messages, report.rows, report.digests) == (2, 4, 1)


async def test_notices_due_later_wait(services, fake_connector):
    person, _ = await add_person(services.db, fake_connector.url, 1)
    await add_rows(services.db, person, [1])
    await add_rows(services.db, person, [2], due=NOW + timedelta(hours=1))
    report = await sender(services).deliver_due(NOW, wait_retries=0)
    assert len(fake_connector.delivered()) == 1
    assert [r.state for r in await rows(services.db)] == ["sent", "pending"]
    assert report.pending == 0  # nothing due by now is left


async def test_the_latest_reachable_chat_is_used(services, fake_connector):
    person, old = await add_person(services.db, fake_connector.url, 1)
    async with services.db.sessions.begin() as s:
        for conv, days, unreachable in (("a:newer", 2, None), ("a:newest-but-blocked", 1, NOW)):
            s.add(Conversation(conversation_id=conv, tenant_id=TENANT, service_url=fake_connector.url,
                               bot_id="28:bot", user_id="29:u", person_id=person, reference={},
                               installed_at=NOW - timedelta(days=days), unreachable_at=unreachable))
    await add_rows(services.db, person, [1])
    await sender(services).deliver_due(NOW)
    assert [c.conversation_id for c in fake_connector.delivered()] == ["a:newer"]


async def test_a_row_with_a_chat_goes_there(services, fake_connector):
    person, own = await add_person(services.db, fake_connector.url, 1)
    async with services.db.sessions.begin() as s:
        team = Team(team_id="19:team", tenant_id=TENANT, service_url=fake_connector.url, bot_id="28:bot",
                    installed_at=NOW)
        team.channels.append(Channel(channel_id="19:channel@thread.tacv2", name="QA"))
        s.add(team)
    await add_rows(services.db, person, [1], conversation_id="19:channel@thread.tacv2")
    await add_rows(services.db, None, [2], conversation_id="a:unknown")
    report = await sender(services).deliver_due(NOW)
    assert [c.conversation_id for c in fake_connector.delivered()] == ["19:channel@thread.tacv2"]
    assert report.undeliverable == {"not installed": 1}


async def test_left_and_not_installed_are_undeliverable_without_a_post(services, fake_connector):
    gone, _ = await add_person(services.db, fake_connector.url, 1, left=True)
    never, _ = await add_person(services.db, fake_connector.url, 2, chat=False)
    await add_rows(services.db, gone, [1])
    await add_rows(services.db, never, [2, 3])
    await add_rows(services.db, None, [4])
    report = await sender(services).deliver_due(NOW)
    assert fake_connector.delivered() == []
    assert [(r.state, r.undeliverable_reason) for r in await rows(services.db)] == [
        ("undeliverable", "left"), ("undeliverable", "not installed"), ("undeliverable", "not installed"),
        ("undeliverable", "no recipient")]
    assert report.undeliverable == {"left": 1, "not installed": 2, "no recipient": 1}
    status = await outbox_status(services.db, NOW)
    assert status.undeliverable == {"left": 1, "not installed": 2, "no recipient": 1}


async def test_a_bad_payload_is_undeliverable_and_the_rest_still_go(services, fake_connector):
    person, _ = await add_person(services.db, fake_connector.url, 1)
    async with services.db.sessions.begin() as s:
        # Written past enqueue (which refuses it): a row a hand or an older version left malformed.
        s.add(OutboxMessage(idempotency_key="bad", kind="x", person_id=person, payload={"card": None}, due_at=NOW,
                            next_attempt_at=NOW, state="pending", attempts=0, created_at=NOW))
    await add_rows(services.db, person, [2])
    report = await sender(services).deliver_due(NOW)
    assert len(fake_connector.delivered()) == 1
    assert report.undeliverable == {"bad payload": 1} and report.rows == 1


# -- retries ----------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [412, 429, 500, 502, 503, 504])
async def test_retryable_answers_are_retried_after_retry_after(services, fake_connector, status):
    person, conv = await add_person(services.db, fake_connector.url, 1)
    await add_rows(services.db, person, [1])
    fake_connector.fail_next(status, retry_after=0.4)
    report = await sender(services).deliver_due(NOW, wait_retries=5)
    first, second = [c for c in fake_connector.calls if c.conversation_id == conv]
    assert first.status == status and second.status < 300
    assert second.at - first.at >= 0.4
    (row,) = await rows(services.db)
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, None)
    assert (report.retried, report.rows) == (1, 1)


async def test_without_retry_after_back_off_grows(services, fake_connector):
    person, conv = await add_person(services.db, fake_connector.url, 1)
    await add_rows(services.db, person, [1])
    fake_connector.fail_next(503, times=3)
    report = await sender(services, retry_base=0.2).deliver_due(NOW, wait_retries=5)
    calls = [c for c in fake_connector.calls if c.conversation_id == conv]
    assert [c.status for c in calls] == [503, 503, 503, 200]
    assert report.retried == 3
    # Full jitter: each wait is somewhere in [0, 0.2 * 2^(n-1)]; the total can not pass 0.2+0.4+0.8.
    assert calls[-1].at - calls[0].at <= 1.4 + 0.5


async def test_a_retry_beyond_the_wait_is_left_for_later(services, fake_connector):
    person, conv = await add_person(services.db, fake_connector.url, 1)
    await add_rows(services.db, person, [1])
    fake_connector.fail_next(429, retry_after=60)
    report = await sender(services).deliver_due(NOW, wait_retries=1)
    (row,) = await rows(services.db)
    assert (row.state, row.attempts, row.last_error) == ("retrying", 1, "429, Retry-After '60': wait 60 s")
    assert row.next_attempt_at >= NOW + timedelta(seconds=60)
    assert row.claimed_by is None
    assert report.pending == 1 and "1 still pending" in report.describe()
    status = await outbox_status(services.db, NOW + timedelta(minutes=2))
    assert status.retrying == 1 and status.oldest_pending_age == timedelta(minutes=2)
    # The next tick, a minute later, sends it.
    report = await sender(services).deliver_due(NOW + timedelta(minutes=1, seconds=1))
    assert report.rows == 1 and len(fake_connector.delivered(conv)) == 1


async def test_a_tick_waits_for_its_own_retry_due_within_its_wait_however_long_it_ran(services, fake_connector):
    """The wait counts from the failure, not from the tick's start: a POST that takes 0.6 s and is
    answered 429 "retry after 0.5 s" comes due 1.1 s in, past a start-counted 0.8 s wait, yet
    within 0.8 s of the failure. The tick sends it before it exits rather than leave it retrying."""
    from bot.tick import tick

    person, conv = await add_person(services.db, fake_connector.url, 1)
    await add_rows(services.db, person, [1])
    fake_connector.delay = 0.6  # network latency: each POST is answered 0.6 s after it arrives
    fake_connector.fail_next(429, retry_after=0.5)
    _OPEN.append(services)
    report = (await tick(services, NOW, wait_retries=0.8, duties=[])).delivery
    first, second = [c for c in fake_connector.calls if c.conversation_id == conv]
    assert first.status == 429 and second.status < 300
    (row,) = await rows(services.db)
    assert (row.state, row.attempts) == ("sent", 2)
    assert (report.retried, report.rows, report.pending) == (1, 1, 0)


async def test_a_press_delivers_through_one_sender_or_wakes_the_apps(services, fake_connector):
    """The Deliver port: with no app sender (CLI, tests) a press's alerts go before it is answered,
    through one sender kept for the services; with the app's sender running, it is woken instead."""
    person, conv = await add_person(services.db, fake_connector.url, 1)
    _OPEN.append(services)
    assert services.deliver is services.deliver
    await add_rows(services.db, person, [1])
    await services.deliver.now()
    await add_rows(services.db, person, [2])
    await services.deliver.now()
    assert [c.conversation_id for c in fake_connector.delivered()] == [conv, conv]

    class AppSender:
        woken = 0

        def wake(self) -> None:
            self.woken += 1

    services.sender = AppSender()
    await add_rows(services.db, person, [3])
    await services.deliver.now()
    assert services.sender.woken == 1 and len(fake_connector.delivered()) == 2


async def test_marks_answered_while_one_is_written_are_written_together(services, monkeypatch):
    """Each message is marked sent at once; those answered while a mark is being written go in the
    next write together, each row with its own activity id."""
    from bot.marks import SentMarks
    from storage import outbox

    person, _ = await add_person(services.db, "http://connector.invalid", 1)
    await add_rows(services.db, person, [1, 2, 3, 4])
    ids = [row.id for row in await rows(services.db)]
    together: list[int] = []
    many = outbox.mark_sent_many

    async def counted(db, sent):
        together.append(len(sent))
        await many(db, sent)

    monkeypatch.setattr(outbox, "mark_sent_many", counted)
    marks = SentMarks(services.db)
    await asyncio.gather(*(marks.record(outbox.Sent((i,), f"activity-{i}", NOW)) for i in ids))
    assert together == [3]  # the first alone, the three that came meanwhile in one write
    assert [(r.state, r.activity_id, r.attempts) for r in await rows(services.db)] == [
        ("sent", f"activity-{i}", 1) for i in ids]


def _rfc850(at: datetime) -> str:
    return at.strftime("%A, %d-%b-%y %H:%M:%S GMT")


async def test_a_429_with_an_http_date_waits_until_that_date(services, fake_connector):
    """Retry-After as an HTTP-date: the retry goes at that moment, not after our own back-off
    (retry_base 0.05 s here), by the wall clock the date is read against."""
    person, conv = await add_person(services.db, fake_connector.url, 1)
    await add_rows(services.db, person, [1])
    until = (services.clock() + timedelta(seconds=2)).replace(microsecond=0)  # 1 to 2 s ahead
    fake_connector.fail_next(429, retry_after=format_datetime(until, usegmt=True))
    posted = []  # the wall clock at each POST
    post = services.connector.send_to_conversation

    async def timed_post(*args):
        posted.append(services.clock())
        return await post(*args)

    services.connector.send_to_conversation = timed_post
    report = await sender(services).deliver_due(NOW, wait_retries=5)
    assert [c.status for c in fake_connector.calls if c.conversation_id == conv] == [429, 200]
    # The sender waits on the loop's clock; allow the two clocks 10 ms of drift over 2 s.
    assert posted[1] >= until - timedelta(milliseconds=10)
    (row,) = await rows(services.db)
    assert (row.state, row.attempts) == ("sent", 2) and (report.retried, report.rows) == (1, 1)


@pytest.mark.parametrize("form", [lambda at: format_datetime(at, usegmt=True), _rfc850, datetime.ctime],
                         ids=["IMF-fixdate", "RFC 850", "asctime"])
async def test_a_retry_after_date_is_recorded_on_the_row(services, fake_connector, form):
    person, conv = await add_person(services.db, fake_connector.url, 1)
    await add_rows(services.db, person, [1])
    until = (services.clock() + timedelta(minutes=5)).replace(microsecond=0)
    fake_connector.fail_next(503, retry_after=form(until))
    report = await sender(services).deliver_due(NOW, wait_retries=0)
    (row,) = await rows(services.db)
    assert row.state == "retrying" and report.retried == 1
    assert NOW + timedelta(seconds=299) <= row.next_attempt_at <= NOW + timedelta(seconds=305)
    assert re.fullmatch(rf"503, Retry-After {re.escape(repr(form(until)))}: wait (299|300) s", row.last_error)


async def test_a_retry_after_beyond_the_cap_waits_the_cap(services, fake_connector):
    person, conv = await add_person(services.db, fake_connector.url, 1)
    await add_rows(services.db, person, [1, 2])  # one digest
    fake_connector.fail_next(429, retry_after=format_datetime(services.clock() + timedelta(days=1), usegmt=True))
    await sender(services).deliver_due(NOW, wait_retries=0)
    for row in await rows(services.db):
        assert row.state == "retrying"
        assert NOW + timedelta(minutes=10) <= row.next_attempt_at <= NOW + timedelta(minutes=10, seconds=5)
        assert re.search(r": wait 600 s \(asked 86(399|400) s, capped\)$", row.last_error)


@pytest.mark.parametrize("value", ["-5", "later", "Thu, 03 Dec 2026 09:05:00 CET"])
async def test_an_unreadable_retry_after_falls_back_to_our_back_off(services, fake_connector, value):
    person, conv = await add_person(services.db, fake_connector.url, 1)
    await add_rows(services.db, person, [1])
    fake_connector.fail_next(429, retry_after=value)
    await sender(services, retry_base=1.0).deliver_due(NOW, wait_retries=0)
    (row,) = await rows(services.db)
    assert row.state == "retrying" and NOW <= row.next_attempt_at <= NOW + timedelta(seconds=2)
    assert row.last_error == f"429, Retry-After {value!r} unreadable: own back-off"


async def test_retries_run_out(services, fake_connector):
    person, conv = await add_person(services.db, fake_connector.url, 1)
    await add_rows(services.db, person, [1])
    fake_connector.fail_next(503, times=10)
    report = await sender(services, max_attempts=3, retry_base=0.01).deliver_due(NOW, wait_retries=5)
    assert [c.status for c in fake_connector.calls if c.conversation_id == conv] == [503, 503, 503]
    (row,) = await rows(services.db)
    assert (row.state, row.undeliverable_reason, row.attempts) == ("undeliverable", "retries exhausted", 3)
    assert report.undeliverable == {"retries exhausted": 1} and report.retried == 2


async def test_an_outage_is_retried_for_a_day_not_for_a_number_of_attempts(services, fake_connector):
    """Issue 9: transient failures are retried until QA_OUTBOX_RETRY_HOURS (24 h by default) after
    the row's first attempt, with back-off capped, and only then given up."""
    person, conv = await add_person(services.db, fake_connector.url, 1)
    other, _ = await add_person(services.db, fake_connector.url, 2)
    await add_rows(services.db, person, [1], due=NOW)  # due now: well inside the day
    await add_rows(services.db, other, [2], due=NOW - timedelta(hours=30))
    async with services.db.sessions.begin() as s:  # first tried 25 hours ago: its day is spent
        row = (await s.scalars(select(OutboxMessage).where(OutboxMessage.person_id == other))).one()
        row.first_attempt_at, row.attempts = NOW - timedelta(hours=25), 1
    fake_connector.fail_next(503, times=21)
    report = await sender(services, retry_base=0.001, retry_cap=0.002).deliver_due(NOW, wait_retries=2)
    fresh, stale = await rows(services.db)
    assert (stale.state, stale.undeliverable_reason) == ("undeliverable", "retries exhausted")
    failed = [c.status for c in fake_connector.calls if c.conversation_id == conv and c.status >= 500]
    assert fresh.state == "sent" and len(failed) >= 19  # far past the old limit of 12 attempts
    assert NOW <= fresh.first_attempt_at < NOW + timedelta(seconds=10)
    assert report.undeliverable == {"retries exhausted": 1}
    assert services.settings.outbox_retry_hours == 24.0


async def test_a_message_due_over_a_day_ago_gets_its_retries_from_its_first_attempt(services, fake_connector):
    """Its sender was down for more than a day: the first transient failure is not the last (the
    window counts from the first attempt, not from when the message was due)."""
    person, conv = await add_person(services.db, fake_connector.url, 1)
    await add_rows(services.db, person, [1], due=NOW - timedelta(hours=30))
    fake_connector.fail_next(503, times=2)
    report = await sender(services, retry_base=0.001, retry_cap=0.002).deliver_due(NOW, wait_retries=2)
    (row,) = await rows(services.db)
    assert [c.status for c in fake_connector.calls if c.conversation_id == conv] == [503, 503, 200]
    assert row.state == "sent" and row.attempts == 3 and report.undeliverable == {}
    assert NOW <= row.first_attempt_at < NOW + timedelta(seconds=10)  # the logical clock, when it was first tried


async def test_timeouts_are_retried(services, fake_connector):
    person, conv = await add_person(services.db, fake_connector.url, 1)
    await add_rows(services.db, person, [1])
    # The first POST gets no answer until released, so the client's 0.3 s always runs out first
    # (no sleep in the fake racing it); the retry goes through a client with the usual timeout, so
    # a busy machine cannot make it time out too.
    impatient = services.connector = BotConnector(timeout=0.3)
    patient = BotConnector()
    release = fake_connector.hold_next()
    real_send = impatient.send_to_conversation
    failures = []

    async def send(*args):
        try:
            return await real_send(*args)
        except ConnectorError as exc:
            failures.append(str(exc))
            services.connector = patient  # the network recovers
            raise

    impatient.send_to_conversation = send
    try:
        report = await sender(services).deliver_due(NOW, wait_retries=5)
    finally:
        release.set()
        await impatient.close()
        await patient.close()
    assert failures == ["TimeoutError"] or failures == ["ServerTimeoutError"]
    (row,) = await rows(services.db)
    assert (row.state, row.attempts) == ("sent", 2)
    assert report.retried == 1
    assert len([c for c in fake_connector.delivered(conv)]) >= 1


async def test_a_refused_connection_is_retried_later(services, fake_connector):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/"
    person, _ = await add_person(services.db, dead, 1)
    await add_rows(services.db, person, [1])
    report = await sender(services, retry_base=30).deliver_due(NOW, wait_retries=0)
    await services.connector.close()
    (row,) = await rows(services.db)
    assert row.state == "retrying" and row.last_error.startswith("no answer (")
    assert report.retried == 1


# -- gone for good ----------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "sub_code", "reason"), [
    (403, "MessageWritesBlocked", "blocked or uninstalled (403 MessageWritesBlocked)"),
    (403, None, "blocked or uninstalled (403)"),
    (404, "ConversationNotFound", "conversation not found (404)"),
])
async def test_blocked_or_removed_gives_up_and_marks_the_chat(services, fake_connector, status, sub_code, reason):
    person, conv = await add_person(services.db, fake_connector.url, 1)
    await add_rows(services.db, person, [1])
    fake_connector.fail_always(conv, status, sub_code=sub_code)
    report = await sender(services).deliver_due(NOW, wait_retries=5)
    assert len([c for c in fake_connector.calls if c.conversation_id == conv]) == 1  # no retry
    (row,) = await rows(services.db)
    assert (row.state, row.undeliverable_reason) == ("undeliverable", reason)
    gone = await chat(services.db, conv)
    assert gone.unreachable_at is not None and gone.unreachable_reason == reason
    assert report.undeliverable == {reason: 1}
    # The next notice to that person is not tried against the dead chat.
    await add_rows(services.db, person, [2])
    report = await sender(services).deliver_due(NOW)
    assert len([c for c in fake_connector.calls if c.conversation_id == conv]) == 1
    assert report.undeliverable == {"not installed": 1}


async def test_other_client_errors_are_undeliverable_with_the_status(services, fake_connector):
    person, conv = await add_person(services.db, fake_connector.url, 1)
    await add_rows(services.db, person, [1])
    fake_connector.fail_next(400, conversation=conv)
    report = await sender(services).deliver_due(NOW, wait_retries=5)
    (row,) = await rows(services.db)
    assert (row.state, row.undeliverable_reason) == ("undeliverable", "rejected (400)")
    assert (await chat(services.db, conv)).unreachable_at is None
    assert report.undeliverable == {"rejected (400)": 1}


# -- the served app's loop --------------------------------------------------------------------

async def test_run_forever_delivers_on_wake_and_stops(services, fake_connector):
    person, conv = await add_person(services.db, fake_connector.url, 1)
    services.clock = lambda: NOW + timedelta(seconds=asyncio.get_running_loop().time())
    outbox_sender = sender(services)
    task = asyncio.create_task(outbox_sender.run_forever())
    await add_rows(services.db, person, [1], due=NOW)
    outbox_sender.wake()
    await fake_connector.wait_for(lambda f: len(f.delivered(conv)) == 1)
    fake_connector.fail_next(429, retry_after=0.2)
    await add_rows(services.db, person, [2], due=NOW)
    outbox_sender.wake()
    await fake_connector.wait_for(lambda f: len(f.delivered(conv)) == 2)  # retried without a wake
    outbox_sender.stop()
    await asyncio.wait_for(task, 5)
    assert [r.state for r in await rows(services.db)] == ["sent", "sent"]


async def test_outbox_status_describes_every_state(services, fake_connector):
    person, _ = await add_person(services.db, fake_connector.url, 1)
    gone, _ = await add_person(services.db, fake_connector.url, 2, left=True)
    await add_rows(services.db, person, [1])
    await add_rows(services.db, gone, [2])
    await sender(services).deliver_due(NOW)
    await add_rows(services.db, person, [3], due=NOW - timedelta(minutes=90))
    await add_rows(services.db, person, [4], due=NOW + timedelta(days=1))
    status = await outbox_status(services.db, NOW)
    assert (status.pending, status.not_yet_due, status.sending, status.retrying, status.sent) == (2, 1, 0, 0, 1)
    assert status.undeliverable == {"left": 1}
    assert status.oldest_pending_age == timedelta(minutes=90)
    text = status.describe()
    assert "2 pending (1 not yet due)" in text and "1 sent" in text and "left: 1" in text
    assert "90 min ago" in text


# -- the pacer --------------------------------------------------------------------------------

async def test_the_pacer_lets_others_pass_a_held_chat():
    from bot.pacing import Pacer
    from bot.ratelimit import Limits, RateLimiter, Window

    pacer = Pacer(RateLimiter(Limits(tenant=(Window(1, 0.05),), conversation=(Window(2, 10.0),))))
    loop = asyncio.get_running_loop()
    went: list[float] = []

    async def send(chat: str, max_wait: float = 5.0):
        answer = await pacer.turn("t", chat, max_wait=max_wait)
        if answer is None:
            went.append(loop.time())
            pacer.started("t", chat)
        return answer

    answers = await asyncio.gather(send("a"), send("a"), send("a", max_wait=1.0), send("b"), send("c"))
    # a's third would wait ~10 s for its chat's window: it is told so at once rather than held,
    assert answers[2] is not None and answers[2] > 9.0
    # and b and c do not wait behind it: four turns at the tenant's pace.
    assert answers[:2] == [None, None] and answers[3:] == [None, None]
    assert max(went) - min(went) < 4 * 0.05 + 0.1


async def test_the_pacer_spaces_turns_and_stops():
    from bot.pacing import Pacer
    from bot.ratelimit import Limits, RateLimiter, Window

    pacer = Pacer(RateLimiter(Limits(tenant=(Window(1, 0.05),), conversation=())))
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def send(n: int):
        assert await pacer.turn("t", f"c{n}", max_wait=5.0) is None
        times.append(loop.time())
        pacer.started("t", f"c{n}")

    await asyncio.gather(*(send(n) for n in range(6)))
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.05 - 0.001  # counted when they went: never closer than the window
    assert times[-1] - times[0] >= 5 * 0.05 - 0.001
    waiting = asyncio.create_task(pacer.turn("t", "late", max_wait=5.0))
    blocked = [asyncio.create_task(pacer.turn("t", f"x{n}", max_wait=5.0)) for n in range(3)]
    await waiting
    pacer.stop()
    assert [await task for task in blocked] == [0.0, 0.0, 0.0]  # let go, to hand their rows back


async def test_the_pacer_counts_a_turn_when_its_request_is_written():
    """Nothing else goes between a turn and its request's write, and the windows count the write:
    a request written 30 ms after its turn pushes the next turn 30 ms on, not into its window."""
    from bot.pacing import Pacer
    from bot.ratelimit import Limits, RateLimiter, Window

    limiter = RateLimiter(Limits(tenant=(Window(1, 0.05),), conversation=()))
    pacer = Pacer(limiter)
    loop = asyncio.get_running_loop()
    assert await pacer.turn("t", "a", max_wait=5.0) is None
    second = asyncio.create_task(pacer.turn("t", "b", max_wait=5.0))
    await asyncio.sleep(0.03)  # the first request is still being made (a connection, a slow loop)
    assert not second.done()  # no turn while it is not written
    written = loop.time()
    pacer.started("t", "a")
    pacer.started("t", "a")  # once only
    assert await second is None
    assert loop.time() - written >= 0.05 - 0.001
    assert limiter._tenants["t"].times[0] >= written


async def test_the_connector_tells_when_each_request_is_written(fake_connector):
    """`on_written`, set in the calling task, is called once per request, before the far end has
    it: for a POST (its body written by a task of aiohttp's) and a DELETE (no body) alike."""
    from bot.connector import on_written

    connector = BotConnector()
    loop = asyncio.get_running_loop()
    written: list[float] = []
    token = on_written.set(lambda: written.append(loop.time()))
    try:
        fake_connector.delay = 0.05
        answer = await connector.send_to_conversation(fake_connector.url, "conv-w", {"type": "message", "text": "x"})
        deleted = await connector.delete_activity(fake_connector.url, "conv-w", "a1")
    finally:
        on_written.reset(token)
        await connector.close()
    assert answer.ok and deleted.ok
    posted, removed = [c for c in fake_connector.calls if c.conversation_id == "conv-w"]
    assert len(written) == 2
    assert written[0] <= posted.at < written[1] <= removed.at


async def test_the_pacer_makes_up_a_late_turn_on_its_grid():
    """The tenant's turns keep to a grid one pace apart: after a turn that went late the next go
    sooner (no closer than the limiter allows), so the lateness is made up, not carried on."""
    from bot.pacing import Pacer
    from bot.ratelimit import Limits, RateLimiter, Window

    pace = 0.05
    pacer = Pacer(RateLimiter(Limits(tenant=(Window(10, 10 * pace), Window(1, pace / 2)), conversation=())))
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def send(n: int):
        assert await pacer.turn("t", f"c{n}", max_wait=5.0) is None
        if n == 1:
            await asyncio.sleep(0.06)  # this request is written 60 ms late
        times.append(loop.time())
        pacer.started("t", f"c{n}")

    await asyncio.gather(*(send(n) for n in range(8)))
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= pace / 2 - 0.001  # making up, never closer than the limiter's spacing
    # Seven paces and the 60 ms made up again (a carried lateness would add it to the end).
    assert times[-1] - times[0] < 7 * pace + 0.04


@pytest.mark.parametrize("value", ["soon", "0", "-5", "nan", "inf"])
def test_a_bad_lease_setting_is_refused_by_name(services, value):
    from dataclasses import replace

    from bot.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match="QA_OUTBOX_LEASE_SECONDS"):
        Settings.from_env({"QA_OUTBOX_LEASE_SECONDS": value})
    services.settings = replace(services.settings, **{
        "outbox_lease_seconds": Settings.from_env({"QA_OUTBOX_LEASE_SECONDS": "2.5"}).outbox_lease_seconds})
    assert OutboxSender(services).lease == timedelta(seconds=2.5)


@pytest.mark.parametrize("value", ["soon", "0", "-1", "61", "nan", "inf"])
def test_a_bad_heartbeat_setting_is_refused_by_name(value):
    from bot.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match="QA_OUTBOX_HEARTBEAT_SECONDS"):
        Settings.from_env({"QA_OUTBOX_HEARTBEAT_SECONDS": value})
    assert Settings.from_env({}).outbox_heartbeat_seconds == 2.0
    assert Settings.from_env({"QA_OUTBOX_HEARTBEAT_SECONDS": " 0.5 "}).outbox_heartbeat_seconds == 0.5
