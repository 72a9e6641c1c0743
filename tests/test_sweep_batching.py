"""What the sweep's speed-ups must not change: `enqueue_many` adds exactly what one `enqueue` per
message would, and the indexed `share_out` shares exactly as comparing every item with every person."""
from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from dialogs.payload import Payload
from storage.cycle import AreaShares, area_key, share_out
from storage.models import OutboxMessage, Person
from storage.outbox import Message, enqueue, enqueue_many

NOW = datetime(2026, 12, 3, 9, tzinfo=timezone.utc)


def message(key: str, person_id: int | None = None) -> Message:
    return Message(key, "allocation-notice", person_id, Payload(key), NOW)


async def test_enqueue_many_adds_each_key_once(db):
    async with db.sessions.begin() as session:
        await enqueue(session, key="k2", kind="allocation-notice", person_id=None, due_at=NOW, now=NOW,
                      payload=Payload("first"))
    async with db.sessions.begin() as session:
        added = await enqueue_many(session, [message(k) for k in ("k1", "k2", "k3", "k1", "k4")], now=NOW)
    assert added == 3
    async with db.sessions.begin() as session:
        assert await enqueue_many(session, [message("k4"), message("k5")], now=NOW) == 1
        assert await enqueue_many(session, [], now=NOW) == 0
    async with db.sessions() as session:
        rows = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
    assert [r.idempotency_key for r in rows] == ["k2", "k1", "k3", "k4", "k5"]
    assert rows[0].payload["text"] == "first"  # an existing key keeps its message
    assert {(r.state, r.attempts, r.due_at, r.next_attempt_at, r.created_at) for r in rows} == {
        ("pending", 0, NOW, NOW, NOW)}


async def test_enqueue_many_over_several_pages_of_rows(db):
    keys = [f"notice:{n}" for n in range(2500)]  # more rows than one multi-row INSERT takes
    async with db.sessions.begin() as session:
        assert await enqueue_many(session, [message(k, None) for k in keys[:1200]], now=NOW) == 1200
    async with db.sessions.begin() as session:
        assert await enqueue_many(session, [message(k, None) for k in keys], now=NOW) == 1300
    async with db.sessions() as session:
        stored = (await session.execute(select(OutboxMessage.idempotency_key).order_by(OutboxMessage.id))).scalars()
        assert list(stored) == keys


async def test_enqueue_many_is_part_of_the_callers_transaction(db):
    class RolledBackError(Exception):
        pass

    with pytest.raises(RolledBackError):
        async with db.sessions.begin() as session:
            await enqueue_many(session, [message("lost")], now=NOW)
            raise RolledBackError
    async with db.sessions() as session:
        assert (await session.execute(select(OutboxMessage))).scalars().all() == []


def naive_share_out(items, area_of, people):
    """share_out as it was: every item against every person."""
    shares = []
    for person in people:
        areas = {area_key(a) for a in person.service_areas}
        mine = [item for item in items if area_key(area_of(item)) in areas]
        if mine:
            shares.append((person, mine))
    return shares


def test_share_out_shares_as_before():
    rng = random.Random(3)
    spellings = ["North", "north ", "NORTH", "South", "East  Side", "east side", "West", ""]
    people = [Person(id=i, email=f"p{i}@x.gov.uk", display_name=f"P{i}", role="service_lead", team="",
                     service_area=";".join(rng.sample(spellings, rng.randint(0, 3))))
              for i in range(40)]
    items = [(n, rng.choice(spellings)) for n in range(300)]
    expected = naive_share_out(items, lambda item: item[1], people)
    assert any(len(mine) > 1 for _, mine in expected) and len(expected) < len(people)
    assert share_out(items, lambda item: item[1], people) == expected
    index = AreaShares(people)  # one index, many lists: as the oversight-overdue moment uses it
    for part in (items[:10], items[100:250], []):
        assert index.share(part, lambda item: item[1]) == naive_share_out(part, lambda item: item[1], people)
