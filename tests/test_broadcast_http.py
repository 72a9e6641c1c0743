"""A broadcast to a 300-person roster end to end (issue 13's test), on both databases: through the
served app over HTTP, the fake Bot Connector and the fake Graph. Some people have a chat, some get one
by the bot installing itself through Graph (one install throttled with 429 first), some block the
bot, some uninstalled it, some cannot be reached at all. Then read receipts and "I've read this"
presses arrive over HTTP, and every recipient's status and the report are checked; a second
broadcast is cancelled in the middle from its report card."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.connector import AppCredentials
from bot.graph import GRAPH_SCOPE, GraphInstaller
from bot.sender import OutboxSender
from capabilities.broadcasts import flow, views
from capabilities.context import Context
from devtools.fake_graph import FakeGraph
from qa.broadcasts import BLOCKED, NOT_FOUND, NOT_INSTALLED, UNINSTALLED
from qa.calendar import WorkingCalendar
from storage import broadcasts as store
from storage.models import BroadcastRecipient, Conversation, OutboxMessage
from tests.support import activities as act
from tests.support.broadcasts import NOW, aad_of, add_people, chat_of

COUNT = 300
WITH_CHAT = range(0, 240)
BY_GRAPH = range(240, 290)
GRAPH_REFUSES = range(290, 295)  # the app is blocked for them by policy (403)
NO_AAD = range(295, 300)
BLOCKED_CHATS = range(10, 15)
UNINSTALLED_CHATS = range(15, 20)
GONE_CHATS = range(20, 22)  # 404


@pytest.fixture
async def fake_graph():
    graph = await FakeGraph().start()
    yield graph
    await graph.stop()


@pytest.fixture
def graph_services(services, fake_graph):
    installer = GraphInstaller(AppCredentials("app-id", "secret", token_url=fake_graph.url + "/token",
                                              scope=GRAPH_SCOPE), "catalog-app-1", base_url=fake_graph.url)
    services.__dict__["graph"] = installer  # Services.graph, as configured from the settings
    services.clock = lambda: NOW
    return services


async def post(client, activity: dict) -> dict | None:
    resp = await client.post("/api/messages", json=activity)
    assert resp.status in (200, 201), await resp.text()
    return await resp.json() if resp.content_type == "application/json" else None


def read_receipt(n: int, last: str, service_url: str) -> dict:
    activity = act._personal("event", str(n), service_url, aad_of(n), f"Person {n}", act.TENANT)
    activity["name"] = "application/vnd.microsoft.readReceipt"
    activity["value"] = {"lastReadMessageId": last}
    return activity


async def test_a_broadcast_to_300_people(graph_services, fake_connector, fake_graph, bot_client):
    services, db = graph_services, graph_services.db
    people = await add_people(db, fake_connector.url, COUNT, no_chat=set(BY_GRAPH) | set(GRAPH_REFUSES) | set(NO_AAD),
                              uninstalled=set(UNINSTALLED_CHATS), aad=set(range(COUNT)) - set(NO_AAD))
    for n in BLOCKED_CHATS:
        fake_connector.fail_always(chat_of(n), 403, "ConversationBlockedByUser")
    for n in GONE_CHATS:
        fake_connector.fail_always(chat_of(n), 404)
    for n in GRAPH_REFUSES:
        fake_graph.fail_always(aad_of(n), 403)
    fake_graph.fail_next(429, retry_after=1)
    ctx = Context(db, WorkingCalendar(), lambda: NOW)
    sent = await flow.send(ctx, None, flow.Draft("Practice week", "It starts **Monday**.", ["everyone"], ask_ack=True),
                           now=NOW, via="test")
    assert sent.recipients == COUNT

    sender = OutboxSender(services, retry_base=0.05, rng=random.Random(1))
    report = await sender.deliver_due(NOW, wait_retries=30)  # the Graph 429's Retry-After is waited out
    assert report.pending == 0

    async with db.sessions() as s:
        rows = {r.person_id: r for r in await store.recipient_rows(s, sent.broadcast_id)}
    index = {pid: n for n, pid in people.items()}
    want = {}
    for n in range(COUNT):
        if n in BLOCKED_CHATS:
            want[n] = ("failed", BLOCKED)
        elif n in UNINSTALLED_CHATS:
            want[n] = ("failed", UNINSTALLED)
        elif n in GONE_CHATS:
            want[n] = ("failed", NOT_FOUND)
        elif n in GRAPH_REFUSES or n in NO_AAD:
            want[n] = ("failed", NOT_INSTALLED)
        else:
            want[n] = ("sent", None)
    assert {index[pid]: (r.status, r.reason) for pid, r in rows.items()} == want
    # Graph: one install throttled and tried again after its Retry-After; 50 installed; 5 refused.
    assert len(fake_graph.installs(429)) == 1 and len(fake_graph.installs(201)) == len(BY_GRAPH)
    assert len(fake_graph.installs(403)) == len(GRAPH_REFUSES)
    [throttled] = fake_graph.installs(429)
    after = [c.at for c in fake_graph.installs() if c.at > throttled.at]
    assert after and min(after) - throttled.at >= 1.0  # no install until its Retry-After had passed
    async with db.sessions() as s:
        graph_chats = set((await s.scalars(select(Conversation.conversation_id)
                                           .where(Conversation.user_id.like("8:orgid:%")))).all())
    assert graph_chats == {fake_graph.chat_id(aad_of(n)) for n in BY_GRAPH}
    # Every message went once, each to its own chat, with its Teams id recorded.
    posts = [c for c in fake_connector.delivered() if c.method == "POST" and c.status < 300]
    assert len(posts) == sum(1 for s in want.values() if s[0] == "sent")
    assert len({c.conversation_id for c in posts}) == len(posts)
    assert all(rows[people[n]].activity_id for n in range(COUNT) if want[n][0] == "sent")

    # Read receipts: 30..59 read up to their message; 60..64 only up to an earlier one (not read).
    for n in range(30, 60):
        await post(bot_client, read_receipt(n, rows[people[n]].activity_id, fake_connector.url))
    for n in range(60, 65):
        await post(bot_client, read_receipt(n, "activity-0", fake_connector.url))
    # Acknowledgements: 50..79 press "I've read this" on their card; the card is updated in place.
    # 50..64 press a card sent before verbs were dotted: it carries the former spelling.
    for n in range(50, 80):
        activity = act.card_action(str(n), "broadcast_ack" if n < 65 else "broadcast.ack",
                                   {"broadcast_id": sent.broadcast_id},
                                   service_url=fake_connector.url, aad=aad_of(n))
        activity["replyToId"] = rows[people[n]].activity_id
        answer = await post(bot_client, activity)
        assert "Acknowledged on" in str(answer)
    updates = [c for c in fake_connector.updates() if c.method == "PUT"]
    assert {c.activity_id for c in updates} == {rows[people[n]].activity_id for n in range(50, 80)}
    # Someone who was not sent it (a forged press from person 12, blocked) changes nothing.
    forged = act.card_action("12", "broadcast.ack", {"broadcast_id": sent.broadcast_id},
                             service_url=fake_connector.url, aad=aad_of(12))
    assert "Acknowledged on" not in str(await post(bot_client, forged))

    view = await views.report_view(ctx, sent.broadcast_id, NOW)
    c = view.overall
    delivered = sum(1 for s in want.values() if s[0] == "sent")
    assert (c.recipients, c.sent, c.read, c.acknowledged) == (COUNT, delivered, 50, 30)
    assert dict(c.failed) == {BLOCKED: 5, UNINSTALLED: 5, NOT_FOUND: 2, NOT_INSTALLED: 10}
    assert sum(a.recipients for a in view.by_area.values()) == COUNT and view.finished

    # `broadcast report` from the QA unit (person 0) over HTTP lists it.
    before = len(fake_connector.calls)
    await post(bot_client, act.message("0", "broadcast report", service_url=fake_connector.url, aad=aad_of(0)))
    listed = [c for c in fake_connector.calls[before:] if c.method == "POST"]
    assert listed and "Practice week" in str(listed[-1].body)

    # A second broadcast, cancelled in the middle from its report card: 100 went, the rest never do,
    # and the 100 sent are withdrawn (DeleteActivity).
    second = await flow.send(ctx, None, flow.Draft("Second", "More words", ["everyone"]), now=NOW, via="test")
    async with db.sessions.begin() as s:
        ids = (await s.scalars(select(BroadcastRecipient.outbox_id).where(
            BroadcastRecipient.broadcast_id == second.broadcast_id).order_by(BroadcastRecipient.id))).all()
        await s.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids[100:]))
                        .values(next_attempt_at=NOW + timedelta(hours=1)))
    await OutboxSender(services).deliver_due(NOW, wait_retries=0)
    async with db.sessions() as s:
        went = [r for r in await store.recipient_rows(s, second.broadcast_id) if r.status == "sent"]
    press = act.card_action("0", "broadcast.cancel", {"broadcast_id": second.broadcast_id},
                            service_url=fake_connector.url, aad=aad_of(0))
    before = len(fake_connector.calls)
    answer = await post(bot_client, press)  # the withdrawals are due at once: the turn delivers them
    assert "cancelled" in str(answer)
    await OutboxSender(services).deliver_due(NOW + timedelta(hours=2), wait_retries=0)
    later = fake_connector.calls[before:]
    assert not [c for c in later if c.method == "POST" and c.conversation_id and c.activity_id is None]
    assert {c.activity_id for c in later if c.method == "DELETE"} == {r.activity_id for r in went}
    view = await views.report_view(ctx, second.broadcast_id, NOW)
    assert view.overall.withdrawn == len(went) and view.overall.sent == 0
    assert view.overall.cancelled + view.overall.failed_total + len(went) == COUNT
