"""Broadcasts (issue 13): the rules (statuses, read receipts' order, chaser and send times, counts),
and on both databases: queueing in bulk, delivery through the fake connector with every recipient's
status, read receipts, acknowledgements, cancel (withdrawing what was sent), correct, the chaser,
practice-week notices from the calendar, the CLI and the .xlsx export."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.sender import OutboxSender
from capabilities.broadcasts import flow, views
from capabilities.broadcasts.duties import BroadcastChaserDuty, PracticeWeekNoticeDuty
from capabilities.context import Context
from capabilities.kit import Status
from capabilities.registry import Said
from qa.broadcasts import (
    BLOCKED,
    NOT_FOUND,
    NOT_INSTALLED,
    UNINSTALLED,
    BroadcastRefused,
    RecipientStatus,
    chaser_due,
    check_send_at,
    failure_reason,
    read_by,
    status_of,
    summarise,
)
from qa.calendar import WorkingCalendar
from scheduler.sweep import sweep
from storage import broadcasts as store
from storage.models import Broadcast, BroadcastRecipient, CalendarEvent, OutboxMessage
from tests.support.broadcasts import NOW, add_people, chat_of, person
from tests.support.cli import run_cli

CAL = WorkingCalendar()
_OPEN: list = []


@pytest.fixture(autouse=True)
async def _close_connectors():
    yield
    while _OPEN:
        await _OPEN.pop().connector.close()


def sender(services) -> OutboxSender:
    _OPEN.append(services)
    return OutboxSender(services, retry_base=0.05, rng=random.Random(3))


def ctx_at(db, now: datetime = NOW) -> Context:
    return Context(db, CAL, lambda: now)


# -- rules ---------------------------------------------------------------------------------------

def test_failure_reasons_from_the_senders_words():
    assert failure_reason("blocked or uninstalled (403 ConversationBlockedByUser)") == BLOCKED
    assert failure_reason("blocked or uninstalled (403 BotNotInConversationRoster)") == UNINSTALLED
    assert failure_reason("blocked or uninstalled (403)") == BLOCKED
    assert failure_reason("conversation not found (404)") == NOT_FOUND
    assert failure_reason("not installed") == NOT_INSTALLED
    assert failure_reason("uninstalled") == UNINSTALLED
    assert status_of("pending", None, failure=None, withdrawn=False) == ("queued", None)
    assert status_of("sent", None, failure=None, withdrawn=False) == ("sent", None)
    assert status_of("undeliverable", "broadcast cancelled", failure=None, withdrawn=False) == ("cancelled", None)
    assert status_of("sent", None, failure=None, withdrawn=True) == ("withdrawn", None)
    assert status_of(None, None, failure=None, withdrawn=False) == ("expired", None)  # the outbox row was purged


def test_a_read_receipt_covers_that_message_and_earlier_ones_in_its_chat():
    assert read_by("1735725600000", "1735725500000") and read_by("1735725600000", "1735725600000")
    assert not read_by("1735725600000", "1735725700000")
    assert read_by("activity-12", "activity-3") and not read_by("activity-12", "activity-13")
    assert not read_by("activity-12", "other-3") and not read_by("x", None)


def test_the_chaser_and_send_times_keep_to_working_days():
    # Sent Thursday 24 Dec 2026: 3 working days on skips Christmas, the weekend and Boxing Day's substitute.
    due = chaser_due(datetime(2026, 12, 24, 10, tzinfo=NOW.tzinfo), CAL)
    assert CAL.local_date(due) == date(2026, 12, 31)
    check_send_at(NOW + timedelta(hours=1), NOW, CAL)
    for bad in (NOW - timedelta(minutes=1), NOW.replace(hour=20), datetime(2027, 1, 9, 10, tzinfo=NOW.tzinfo)):
        with pytest.raises(BroadcastRefused):
            check_send_at(bad, NOW, CAL)


def test_counts_overall_and_by_area():
    overall, by_area = summarise([RecipientStatus("A", "sent", None, True, True),
                                  RecipientStatus("A", "failed", BLOCKED, False, False),
                                  RecipientStatus("B", "sent", None, False, False),
                                  RecipientStatus("B", "queued", None, False, False)])
    assert (overall.recipients, overall.sent, overall.queued, overall.read, overall.acknowledged) == (4, 2, 1, 1, 1)
    assert overall.failed == {BLOCKED: 1} and list(by_area) == ["A", "B"] and by_area["B"].sent == 1


def test_a_draft_is_checked_before_anything_is_stored():
    ctx = ctx_at(None)
    for draft, words in ((flow.Draft("", "m", ["everyone"]), "title"),
                         (flow.Draft("t", "Call 07700 900123", ["everyone"]), "phone"),
                         (flow.Draft("t", "m", ["role=wizard"]), "not a role"),
                         (flow.Draft("t", "m", []), "say who"),
                         (flow.Draft("t", "m", ["everyone"], link_url="http://x"), "https"),
                         (flow.Draft("t", "m", ["everyone"], at=NOW.replace(hour=22)), "between")):
        with pytest.raises(BroadcastRefused, match=words):
            flow.check(draft, NOW, ctx)


# -- on both databases -------------------------------------------------------------------------

async def statuses(db, broadcast_id: int) -> dict[int, tuple[str, str | None]]:
    async with db.sessions() as s:
        return {r.person_id: (r.status, r.reason) for r in await store.recipient_rows(s, broadcast_id)}


async def test_a_broadcast_reaches_its_audience_with_every_status(services, fake_connector):
    db = services.db
    people = await add_people(db, fake_connector.url, 30, no_chat={5}, uninstalled={10}, left={15})
    fake_connector.fail_always(chat_of(20), 403, "ConversationBlockedByUser")
    fake_connector.fail_always(chat_of(25), 404)
    sent = await flow.send(ctx_at(db), None, flow.Draft("Practice week", "**Next week**: audits.", ["role=practitioner",
                                                                                            "area=Family Help"],
                                                  ask_ack=True), now=NOW, via="test")
    # Practitioners (n % 5 in 0,1,2, but 0 is the QA unit) and anyone in Family Help (n % 3 == 0); not the leaver.
    expected = {n for n in range(30) if n not in (0, 15) and (n % 5 in (0, 1, 2) or n % 3 == 0)}
    assert sent.recipients == len(expected)
    assert set(await statuses(db, sent.broadcast_id)) == {people[n] for n in expected}
    assert all(s == ("queued", None) for s in (await statuses(db, sent.broadcast_id)).values())
    report = await sender(services).deliver_due(NOW, wait_retries=0)
    assert report.rows == len(expected) - 3 - (5 in expected)
    got = await statuses(db, sent.broadcast_id)
    want = {people[n]: ("sent", None) for n in expected}
    want[people[20]] = ("failed", BLOCKED)
    want[people[25]] = ("failed", NOT_FOUND)
    want[people[10]] = ("failed", UNINSTALLED)
    if 5 in expected:
        want[people[5]] = ("failed", NOT_INSTALLED)
    assert got == want
    # Each delivered card is its own message, with the ack button, and its Teams id is recorded.
    async with db.sessions() as s:
        rows = await store.recipient_rows(s, sent.broadcast_id)
    by_chat = {c.conversation_id: c for c in fake_connector.delivered()}
    for row in rows:
        if row.status == "sent":
            assert row.activity_id and row.activity_id.startswith("activity-")
    one = by_chat[chat_of(1)]
    content = one.body["attachments"][0]["content"]
    assert content["body"][0]["text"] == "Practice week"
    assert any(a.get("verb") == "broadcast.ack" for a in content["actions"])

    # A read receipt in chat 1 up to its message marks it read; one before it marks nothing.
    activity_1 = next(r.activity_id for r in rows if r.person_id == people[1])
    ctx = ctx_at(db, NOW + timedelta(hours=1))
    assert await flow.read_receipt(ctx, chat_of(1), "activity-0", NOW) == 0
    assert await flow.read_receipt(ctx, chat_of(1), activity_1, NOW + timedelta(hours=1)) == 1
    assert await flow.read_receipt(ctx, chat_of(1), activity_1, NOW + timedelta(hours=2)) == 0  # once
    # Person 2 acknowledges; someone not sent it cannot.
    p2, p4 = await person(db, people[2]), await person(db, people[4])
    async with db.sessions() as s:
        row_2 = (await s.scalars(select(OutboxMessage).join(BroadcastRecipient, BroadcastRecipient.outbox_id ==
                                                            OutboxMessage.id)
                                 .where(BroadcastRecipient.person_id == people[2]))).one()
    acked = await flow.acknowledge(ctx, p2.id, sent.broadcast_id, [row_2.id], now=NOW)
    assert acked.ok and acked.at == NOW
    again = await flow.acknowledge(ctx, p2.id, sent.broadcast_id, [row_2.id], now=NOW)
    assert again.ok and again.at == NOW  # the first time stands
    if 4 not in expected:
        refused = await flow.acknowledge(ctx, p4.id, sent.broadcast_id, [], now=NOW)
        assert not refused.ok
    view = await views.report_view(ctx, sent.broadcast_id, NOW)
    assert (view.overall.read, view.overall.acknowledged) == (2, 1)
    assert view.overall.sent == report.rows and view.finished

    # The chaser, 3 working days on (Monday 11 Jan), goes to those sent it who neither read nor acknowledged.
    chase_at = chaser_due(NOW, CAL)
    result = await sweep(services, chase_at + timedelta(minutes=1), [BroadcastChaserDuty(CAL)])
    assert result.ran and not result.failed
    async with db.sessions() as s:
        chased = set((await s.scalars(select(OutboxMessage.person_id)
                                      .where(OutboxMessage.kind == "broadcast-chaser"))).all())
    assert chased == {people[n] for n in expected if n not in (1, 2, 5, 10, 20, 25)}
    await sweep(services, chase_at + timedelta(hours=2), [BroadcastChaserDuty(CAL)])
    async with db.sessions() as s:
        assert await s.scalar(select(func.count()).where(OutboxMessage.kind == "broadcast-chaser")) == len(chased)


async def test_cancel_stops_the_rest_and_withdraws_what_was_sent(services, fake_connector):
    db = services.db
    await add_people(db, fake_connector.url, 12)
    sent = await flow.send(ctx_at(db), None, flow.Draft("Notice", "Words", ["everyone"]), now=NOW, via="test")
    # Deliver some: mark 4 as sent by hand as the sender would (the rest stay queued).
    await sender(services).deliver_due(NOW, wait_retries=0)
    async with db.sessions.begin() as s:
        ids = (await s.scalars(select(BroadcastRecipient.outbox_id).where(
            BroadcastRecipient.broadcast_id == sent.broadcast_id).order_by(BroadcastRecipient.id))).all()
        await s.execute(OutboxMessage.__table__.update().where(OutboxMessage.id.in_(ids[6:]))
                        .values(state="pending", sent_at=None, activity_id=None))
    qa = await person(db, (await statuses_ids(db))[0])
    refused = await flow.cancel(ctx_at(db), (await statuses_ids(db))[1], sent.broadcast_id, now=NOW, via="test")
    assert refused.status == Status.REFUSED and "only the QA unit" in refused.message
    done = await flow.cancel(ctx_at(db), qa.id, sent.broadcast_id, now=NOW, via="test")
    assert (done.stopped, done.withdrawn) == (len(ids) - 6, 6)
    before = len(fake_connector.calls)
    await sender(services).deliver_due(NOW + timedelta(minutes=1), wait_retries=0)
    deletes = [c for c in fake_connector.calls[before:] if c.method == "DELETE"]
    assert len(deletes) == 6 and not [c for c in fake_connector.calls[before:] if c.method == "POST" and
                                      c.conversation_id and c.activity_id is None]
    got = await statuses(db, sent.broadcast_id)
    assert sorted(s for s, _ in got.values()) == ["cancelled"] * (len(ids) - 6) + ["withdrawn"] * 6
    again = await flow.cancel(ctx_at(db), qa.id, sent.broadcast_id, now=NOW, via="test")
    assert again.status == Status.ALREADY and "already" in again.message


async def statuses_ids(db) -> list[int]:
    async with db.sessions() as s:
        from storage.models import Person
        return list((await s.scalars(select(Person.id).order_by(Person.id))).all())


async def test_correct_updates_sent_cards_in_place_and_queued_ones_go_corrected(services, fake_connector):
    db = services.db
    await add_people(db, fake_connector.url, 6)
    sent = await flow.send(ctx_at(db), None, flow.Draft("Notice", "Wrong words", ["everyone"]), now=NOW, via="test")
    await sender(services).deliver_due(NOW, wait_retries=0)
    done = await flow.correct(ctx_at(db), None, sent.broadcast_id, "Right words", via="test",
                              now=NOW + timedelta(minutes=5))
    assert (done.updated, done.queued) == (6, 0)
    before = len(fake_connector.calls)
    await sender(services).deliver_due(NOW + timedelta(minutes=5), wait_retries=0)
    puts = [c for c in fake_connector.calls[before:] if c.method == "PUT"]
    assert len(puts) == 6
    assert all("Right words" in str(c.body) and "Corrected on" in str(c.body) for c in puts)
    assert {c.activity_id for c in puts} == {r.activity_id for r in await _rows(db, sent.broadcast_id)}


async def _rows(db, broadcast_id):
    async with db.sessions() as s:
        return await store.recipient_rows(s, broadcast_id)


async def test_practice_week_notices_go_once_each_from_the_calendar(services):
    db = services.db
    await add_people(db, "https://smba.example/", 10)
    async with db.sessions.begin() as s:
        s.add(CalendarEvent(kind="practice_week", starts_on=date(2027, 1, 18), ends_on=date(2027, 1, 22),
                            title="Winter practice week", audience="role=practice_manager",
                            details="Book your observations.", imported_at=NOW, updated_at=NOW))
    duty = PracticeWeekNoticeDuty(CAL, 5)
    monday = datetime(2027, 1, 11, 9, 1, tzinfo=NOW.tzinfo)  # 5 working days before the 18th
    for at in (monday - timedelta(days=3), monday, monday + timedelta(hours=2), monday + timedelta(days=1)):
        assert not (await sweep(services, at, [duty])).failed
    first = datetime(2027, 1, 18, 9, 1, tzinfo=NOW.tzinfo)
    await sweep(services, first, [duty])
    await sweep(services, first + timedelta(days=1), [duty])
    async with db.sessions() as s:
        casts = (await s.scalars(select(Broadcast).order_by(Broadcast.id))).all()
        assert [b.key.rsplit(":", 1)[1] for b in casts] == ["before", "first-morning"]
        assert [CAL.local_date(b.send_at) for b in casts] == [date(2027, 1, 11), date(2027, 1, 18)]
        assert all(b.message == "Book your observations." for b in casts)
        counts = [await s.scalar(select(func.count()).where(BroadcastRecipient.broadcast_id == b.id)) for b in casts]
    assert counts == [2, 2]  # people 3 and 8 are practice managers


async def test_a_notice_morning_run_late_sends_what_was_due_that_morning(services):
    """The first morning's occurrence run two days late (the bot was down) still sends "starts today",
    at the next send moment; computed for the run's own day it would find nothing due."""
    db = services.db
    await add_people(db, "https://smba.example/", 10)
    async with db.sessions.begin() as s:
        s.add(CalendarEvent(kind="practice_week", starts_on=date(2027, 1, 18), ends_on=date(2027, 1, 22),
                            title="Winter practice week", audience="role=practice_manager",
                            details="Book your observations.", imported_at=NOW, updated_at=NOW))
    duty = PracticeWeekNoticeDuty(CAL, 5)
    [morning] = duty.occurrences(datetime(2027, 1, 18, 9, 1, tzinfo=NOW.tzinfo))
    late = datetime(2027, 1, 20, 10, tzinfo=NOW.tzinfo)
    async with db.sessions.begin() as s:
        await duty.run(s, morning, late)
    async with db.sessions() as s:
        [cast] = (await s.scalars(select(Broadcast))).all()
    assert cast.key.endswith(":first-morning") and cast.title == "Winter practice week starts today"
    assert cast.send_at == late  # inside the window: at once, not back on the 18th


async def test_the_cli_sends_reports_and_exports(services, fake_connector, tmp_path):
    db = services.db
    await add_people(db, fake_connector.url, 8)
    notice = tmp_path / "notice.md"
    notice.write_text("Practice week: **next Monday**.", encoding="utf-8")
    code, out, err = await run_cli(db, "broadcast", "send", "--title", "Practice week", "--message-file", str(notice),
                                   "--audience", "role=practitioner", "--audience", "area=Family Help", "--ack")
    assert code == 0, err
    assert "queued to" in out
    code, out, err = await run_cli(db, "broadcast", "send", "--title", "x", "--message-file", str(notice),
                                   "--audience", "role=wizard")
    assert code != 0 and "wizard" in err
    # An audience that matches nobody is refused, naming it and the nearest area names; nothing is kept.
    code, out, err = await run_cli(db, "broadcast", "send", "--title", "x", "--message-file", str(notice),
                                   "--audience", "area=Family Halp")
    assert code == 1 and out == "" and "Traceback" not in err
    assert "the audience area=Family Halp matches nobody on the roster; nearest: area='Family Help'" in err, err
    async with db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Broadcast)) == 1
        broadcast_id = await s.scalar(select(Broadcast.id))
    out_file = tmp_path / "report.xlsx"
    code, out, err = await run_cli(db, "broadcast", "report", str(broadcast_id), "--out", str(out_file))
    assert code == 0, err
    sheet = load_workbook(out_file).active
    rows = list(sheet.values)
    assert rows[0][:5] == ("name", "email", "channel", "service_area", "status")
    assert len(rows) - 1 == int(out.split(" recipients")[0].split()[-1])
    assert {r[4] for r in rows[1:]} == {"queued"}


async def test_broadcast_report_is_for_the_qa_unit(db):
    from capabilities.broadcasts.commands import broadcast_report
    people = await add_people(db, "https://smba.example/", 3)
    await flow.send(ctx_at(db), None, flow.Draft("Notice", "Words", ["everyone"]), now=NOW, via="test")
    qa, other = await person(db, people[0]), await person(db, people[1])
    reply = await broadcast_report(Said(ctx_at(db), qa, NOW))
    assert "Notice" in str(reply.card) and "broadcast.report" in str(reply.card)
    assert "for the QA unit" in (await broadcast_report(Said(ctx_at(db), other, NOW))).summary


def test_graph_is_used_only_when_configured(db):
    from bot.graph import GraphInstaller
    from bot.services import Services
    from bot.settings import Settings

    assert Services.create(Settings(database_url=db.url, teams_catalog_app_id="cat-1"), db=db).graph is None
    assert Services.create(Settings(database_url=db.url, app_id="a", app_password="p"), db=db).graph is None
    configured = Services.create(Settings(database_url=db.url, app_id="a", app_password="p",
                                          teams_catalog_app_id="cat-1", app_tenant_id="t-1"), db=db).graph
    assert isinstance(configured, GraphInstaller) and configured.credentials.scope.startswith("https://graph")
    env = {"DATABASE_URL": db.url, "QA_GRAPH_URL": "http://evil.example"}
    with pytest.raises(ValueError, match="QA_GRAPH_URL"):
        Settings.from_env(env, dotenv=False)


async def test_a_purged_outbox_row_leaves_the_recipient_expired(db):
    from sqlalchemy import delete

    await add_people(db, "https://smba.example/", 3)
    sent = await flow.send(ctx_at(db), None, flow.Draft("Notice", "Words", ["everyone"]), now=NOW, via="test")
    async with db.sessions.begin() as s:
        await s.execute(delete(OutboxMessage))  # as `python -m bot purge` does past the outbox's period
    assert set(await statuses(db, sent.broadcast_id)) and \
        {s for s, _ in (await statuses(db, sent.broadcast_id)).values()} == {"expired"}
    view = await views.report_view(ctx_at(db), sent.broadcast_id, NOW)
    assert view.overall.expired == 3 and view.overall.recipients == 3


async def test_a_team_channel_where_the_bot_is_installed_gets_one_post(services, fake_connector):
    from storage.models import Channel, Team

    db = services.db
    await add_people(db, fake_connector.url, 4)
    async with db.sessions.begin() as s:
        team = Team(team_id="19:team-qa@thread.tacv2", tenant_id="tenant-1", name="QA", service_url=fake_connector.url,
                    bot_id="28:bot-id", installed_at=NOW)
        s.add(team)
        await s.flush()
        s.add(Channel(team_id=team.id, channel_id="19:general@thread.tacv2", name="General"))
    refused = await flow.send(ctx_at(db), None, flow.Draft("N", "W", ["channel=19:nowhere@thread.tacv2"]), now=NOW,
                              via="t")
    assert refused.status == Status.INVALID and "not installed in channel" in refused.message
    sent = await flow.send(ctx_at(db), None, flow.Draft("Notice", "Words", ["channel=19:general@thread.tacv2", "role=qa_unit"]),
                           now=NOW, via="test")
    assert sent.recipients == 2  # the channel, and the QA unit's person 0
    await sender(services).deliver_due(NOW, wait_retries=0)
    assert {c.conversation_id for c in fake_connector.delivered()} == {"19:general@thread.tacv2", chat_of(0)}
    async with db.sessions() as s:
        rows = await store.recipient_rows(s, sent.broadcast_id)
    assert sorted((r.channel_id or "", r.status) for r in rows) == [("", "sent"), ("19:general@thread.tacv2", "sent")]


async def test_the_report_buttons_are_for_the_qa_unit(db):
    from capabilities.broadcasts import actions
    from capabilities.press import Press

    people = await add_people(db, "https://smba.example/", 4)
    sent = await flow.send(ctx_at(db), None, flow.Draft("Notice", "Words", ["everyone"]), now=NOW, via="test")
    qa, other = await person(db, people[0]), await person(db, people[1])

    def press(verb: str, actor, data=None) -> Press:
        return Press(ctx=ctx_at(db), verb=verb, data=data or {"broadcast_id": sent.broadcast_id}, actor=actor, rows=[],
                     now=NOW)

    shown = await actions.show_report(press("broadcast.report", qa))
    assert not shown.update and "Recipients" in str(shown.send[0][0]) and "Cancel the rest" in str(shown.send[0][0])
    refreshed = await actions.refresh_report(press("broadcast.refresh", qa))
    assert refreshed.update and "Refresh" in str(refreshed.card)
    for handler in (actions.show_report, actions.refresh_report, actions.cancel_press):
        reply = await handler(press("x", other))
        assert reply.card is None and not reply.send and "QA unit" in reply.text
    assert "couldn't read" in (await actions.cancel_press(press("x", qa, {"broadcast_id": "x"}))).text
    cancelled = await actions.cancel_press(press("broadcast.cancel", qa))
    assert cancelled.update and "(cancelled)" in str(cancelled.card) and "Cancel the rest" not in str(cancelled.card)
    again = await actions.cancel_press(press("broadcast.cancel", qa))
    assert "already cancelled" in again.text


def test_a_read_receipt_with_a_malformed_message_id_is_refused_at_the_edge():
    from bot.inbound import problem
    from tests.support import activities as act

    receipt = act._personal("event", "1", "https://smba.example/", None, "Person 1", act.TENANT)
    receipt["name"] = "application/vnd.microsoft.readReceipt"
    for good in ("1735725600000", "activity-3"):
        receipt["value"] = {"lastReadMessageId": good}
        assert problem(receipt) is None
    for bad in (1735725600000, "", "x" * 201, "17357\n25600000"):
        receipt["value"] = {"lastReadMessageId": bad}
        assert "lastReadMessageId" in (problem(receipt) or "")


async def test_a_message_in_flight_at_a_correction_is_updated_once_it_is_out(services, fake_connector):
    from capabilities.broadcasts.duties import BroadcastCorrectionDuty

    db = services.db
    await add_people(db, fake_connector.url, 4)
    sent = await flow.send(ctx_at(db), None, flow.Draft("Notice", "Wrong words", ["everyone"]), now=NOW, via="test")
    async with db.sessions.begin() as s:
        ids = (await s.scalars(select(BroadcastRecipient.outbox_id).where(
            BroadcastRecipient.broadcast_id == sent.broadcast_id).order_by(BroadcastRecipient.id))).all()
        # Two went out; one is being sent right now; one is still queued.
        for row_id in ids[:2]:
            await s.execute(OutboxMessage.__table__.update().where(OutboxMessage.id == row_id)
                            .values(state="sent", activity_id=f"activity-{row_id}", sent_at=NOW))
        await s.execute(OutboxMessage.__table__.update().where(OutboxMessage.id == ids[2])
                        .values(state="sending", claimed_by="elsewhere", claimed_until=NOW + timedelta(seconds=6)))
    done = await flow.correct(ctx_at(db), None, sent.broadcast_id, "Right words", via="test", now=NOW)
    assert (done.updated, done.queued) == (2, 1)
    async with db.sessions.begin() as s:  # the one in flight goes out, with the old words
        await s.execute(OutboxMessage.__table__.update().where(OutboxMessage.id == ids[2])
                        .values(state="sent", activity_id="activity-99", sent_at=NOW))
    duty = BroadcastCorrectionDuty(CAL)
    await sweep(services, NOW + timedelta(minutes=2), [duty])  # not yet due
    await sweep(services, NOW + timedelta(minutes=16), [duty])
    async with db.sessions() as s:
        updates = (await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "broadcast-update"))).all()
    assert sorted(u.payload["replaces"] for u in updates) == sorted(
        [f"activity-{ids[0]}", f"activity-{ids[1]}", "activity-99"])
    assert all("Right words" in str(u.payload["card"]) for u in updates)
