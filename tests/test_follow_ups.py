"""Follow-ups with a due date (storage/follow_ups.py, capabilities/follow_ups.py) on both databases:
owed once, sent once when due and inside working hours, settled as done, cancelled or superseded."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from capabilities.follow_ups import FollowUpDuty, Settled
from dialogs.payload import Payload
from qa.calendar import WorkingCalendar
from scheduler.sweep import sweep
from storage import follow_ups
from storage.models import FollowUp, OutboxMessage
from storage.outbox import enqueue
from tests.support.audit_cycle import utc

CAL = WorkingCalendar()


class Chaser(FollowUpDuty):
    """A test kind: each follow-up due sends one outbox row; subject 13 has moved on (cancelled)."""

    name = "test-chasers"
    kinds = ("chaser",)

    async def settle(self, session, owed: Sequence[FollowUp], slot: datetime, due_at: datetime,
                     now: datetime) -> Settled:
        done, cancelled = [], []
        for follow_up in owed:
            if follow_up.subject_id == 13:
                cancelled.append(follow_up.id)
                continue
            await enqueue(session, key=f"chaser:{follow_up.key}", kind="chaser", person_id=None, payload=Payload("chaser"),
                          due_at=due_at, now=now)
            done.append(follow_up.id)
        return {follow_ups.DONE: done, follow_ups.CANCELLED: cancelled}


async def owe(db, key: str, subject: int, due: datetime, now: datetime, kind: str = "chaser") -> bool:
    async with db.sessions.begin() as session:
        return await follow_ups.owe(session, key=key, kind=kind, subject_type="escalation", subject_id=subject,
                                    due_at=due, now=now)


async def states(db) -> dict[str, str]:
    async with db.sessions() as session:
        return {f.key: f.state for f in (await session.execute(select(FollowUp))).scalars()}


async def sent(db) -> dict[str, datetime]:
    async with db.sessions() as session:
        return {r.idempotency_key: r.due_at for r in (await session.execute(select(OutboxMessage))).scalars()}


async def test_owing_is_idempotent_and_needs_aware_times(db):
    at = utc(2026, 12, 7, 10)
    assert await owe(db, "update-1:3-working-days", 1, at, at) is True
    assert await owe(db, "update-1:3-working-days", 1, at + timedelta(days=1), at) is False
    with pytest.raises(ValueError):
        await owe(db, "naive", 1, datetime(2026, 12, 7, 10), at)
    assert await states(db) == {"update-1:3-working-days": "open"}


async def test_sent_once_when_due_inside_working_hours_and_settled(services):
    db = services.db
    written = utc(2026, 12, 4, 10)  # a Friday
    # Due Friday 17:30; the next is due on Saturday, when nothing goes out.
    await owe(db, "a", 1, utc(2026, 12, 4, 17, 30), written)
    await owe(db, "b", 2, utc(2026, 12, 5, 11), written)
    await owe(db, "moved-on", 13, utc(2026, 12, 4, 12), written)
    duty = Chaser(CAL)
    assert (await sweep(services, utc(2026, 12, 4, 11, 50), [duty])).ran  # the slot runs; nothing is due yet
    assert await sent(db) == {}
    await sweep(services, utc(2026, 12, 4, 17, 40), [duty])
    assert await sent(db) == {"chaser:a": utc(2026, 12, 4, 17, 30)}  # this slot, at once
    assert (await states(db))["moved-on"] == "cancelled"
    await sweep(services, utc(2026, 12, 4, 17, 50), [duty])  # the same slot again: nothing more
    assert list(await sent(db)) == ["chaser:a"]
    # Saturday: the latest slot is Friday's last, already run; Monday 09:00 takes b.
    await sweep(services, utc(2026, 12, 5, 12), [duty])
    assert list(await sent(db)) == ["chaser:a"]
    await sweep(services, utc(2026, 12, 7, 9, 1), [duty])
    assert await sent(db) == {"chaser:a": utc(2026, 12, 4, 17, 30), "chaser:b": utc(2026, 12, 7, 9)}
    assert await states(db) == {"a": "done", "b": "done", "moved-on": "cancelled"}


async def test_a_record_that_moves_on_cancels_what_it_owes(db):
    at = utc(2026, 12, 7, 10)
    await owe(db, "x:1", 5, at, at)
    await owe(db, "x:2", 5, at, at, kind="other")
    await owe(db, "y:1", 6, at, at)
    async with db.sessions.begin() as session:
        assert await follow_ups.cancel_for(session, "escalation", [5], at, kinds=["chaser"]) == 1
        assert await follow_ups.cancel_for(session, "escalation", [6], at, state=follow_ups.SUPERSEDED) == 1
        with pytest.raises(ValueError):
            await follow_ups.settle(session, [1], "open", at)
    assert await states(db) == {"x:1": "cancelled", "x:2": "open", "y:1": "superseded"}


def test_slots_follow_the_send_window():
    duty = Chaser(CAL)
    assert [o.key for o in duty.occurrences(utc(2026, 12, 4, 17, 40))] == ["2026-12-04T17:30Z"]
    assert [o.key for o in duty.occurrences(utc(2026, 12, 6, 12))] == ["2026-12-04T17:45Z"]  # Sunday
    with pytest.raises(ValueError):
        Chaser(CAL, slot=timedelta(minutes=-1))
