"""A broadcast shares Teams' budget (issue 13 item 5): the outbox claim takes turns, chat for chat,
between broadcast rows and the others, and urgent rows (safeguarding alerts) come first, on both
databases; the sender delivers a broadcast and a month's notices interleaved."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from storage import outbox
from storage.models import OutboxMessage
from tests.support.broadcasts import NOW, add_people

BULK = frozenset({"broadcast"})
URGENT = frozenset({"safeguarding-alert"})


async def add(db, rows: list[tuple[str, int, int]]) -> None:
    """(kind, person id, minutes before NOW it was due)."""
    async with db.sessions.begin() as s:
        await s.execute(insert(OutboxMessage.__table__), [
            {"idempotency_key": f"{kind}:{person}:{n}", "kind": kind, "person_id": person, "conversation_id": None,
             "payload": {"text": "x"}, "due_at": NOW - timedelta(minutes=ago),
             "next_attempt_at": NOW - timedelta(minutes=ago), "state": "pending", "attempts": 0, "created_at": NOW}
            for n, (kind, person, ago) in enumerate(rows)])


async def test_broadcast_rows_take_turns_with_the_others_and_urgent_ones_go_first(db):
    people = await add_people(db, "https://smba.example/", 120)
    # A broadcast to 100 people due an hour ago; 15 audit notices due a minute ago; one alert due now.
    await add(db, [("broadcast", people[n], 60) for n in range(100)]
              + [("allocation-notice", people[100 + n], 1) for n in range(15)]
              + [("safeguarding-alert", people[119], 0)])
    kinds = []
    for _ in range(3):
        rows = await outbox.claim(db, worker="w", now=NOW, wall_now=NOW, lease=timedelta(seconds=30), max_targets=10,
                                  bulk_kinds=BULK, urgent_kinds=URGENT)
        kinds.append(sorted(r.kind for r in rows))
    assert kinds[0] == ["allocation-notice"] * 4 + ["broadcast"] * 5 + ["safeguarding-alert"]
    assert kinds[1] == ["allocation-notice"] * 5 + ["broadcast"] * 5
    assert kinds[2] == ["allocation-notice"] * 5 + ["broadcast"] * 5
    rows = await outbox.claim(db, worker="w", now=NOW, wall_now=NOW, lease=timedelta(seconds=30), max_targets=10,
                              bulk_kinds=BULK, urgent_kinds=URGENT)
    assert sorted(r.kind for r in rows) == ["allocation-notice"] + ["broadcast"] * 9  # the last notice; then all
    rows = await outbox.claim(db, worker="w", now=NOW, wall_now=NOW, lease=timedelta(seconds=30), max_targets=10,
                              bulk_kinds=BULK, urgent_kinds=URGENT)
    assert [r.kind for r in rows] == ["broadcast"] * 10
    # Without lanes, the oldest go first: the broadcast would have taken every claim.
    await add(db, [("allocation-notice", people[n], 1) for n in range(5)])
    plain = await outbox.claim(db, worker="w2", now=NOW, wall_now=NOW, lease=timedelta(seconds=30), max_targets=10)
    assert {r.kind for r in plain} == {"broadcast"}
