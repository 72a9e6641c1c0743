"""The sender's protocol (bot/sender.py drives it): claiming due rows, renewing and handing
back claims, and what to wake for."""
from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update

from storage.db import Database
from storage.models import OutboxMessage
from storage.outbox.states import OPEN_STATES, aware
from storage.outbox.targets import not_for, target_key

# -- delivery (bot/sender.py drives these) --------------------------------------------------
#
# A row moves pending -> sending (claimed) -> sent | retrying | undeliverable; retrying ->
# sending again when its next attempt is due. A claim is a lease: `claimed_by` and
# `claimed_until` (wall clock). It is short (seconds) and its live sender renews it (`renew`)
# while it holds the row; a claim whose lease ran out (its sender died) is claimable again.
#
# PostgreSQL: the claim SELECTs ... FOR UPDATE SKIP LOCKED, so two senders pass each other by.
# SQLite has no SKIP LOCKED; every writer there (sessions.begin()) starts with BEGIN IMMEDIATE (storage/db.py),
# so claims are serialised, and the UPDATE re-checks that each row is still claimable anyway.
#
# Tenants: one sender at a time sends to a tenant (it holds the tenant's lease, bot/sender.py).
# The others pass `skip_tenants` to `claim` and `next_wake`, so those tenants' rows stay unclaimed
# for the holder. A row's tenant is its chat's, found as `resolve_targets` finds the chat.


def _claimable(now: datetime, wall_now: datetime, worker: str, reclaim_own: bool):
    condition = or_(
        and_(OutboxMessage.state.in_(("pending", "retrying")), OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.state == "sending", OutboxMessage.claimed_until < wall_now),
    )
    if reclaim_own:  # a restart under the same worker id: its old claims died with it
        condition = or_(condition, and_(OutboxMessage.state == "sending", OutboxMessage.claimed_by == worker))
    return condition


async def claim(db: Database, *, worker: str, now: datetime, wall_now: datetime, lease: timedelta,
                max_targets: int, reclaim_own: bool = False, skip_tenants: Collection[str] = (),
                bulk_kinds: Collection[str] = (), urgent_kinds: Collection[str] = ()) -> list[OutboxMessage]:
    """Claim every due row of up to `max_targets` chats (oldest first); the rows claimed.

    `now` decides what is due; `wall_now` + `lease` is how long the claim holds. Rows to
    `skip_tenants` (tenant_key form) are left alone: another sender has those tenants.

    Sharing Teams' budget: rows of `urgent_kinds` (safeguarding alerts) come before every other
    due row; rows of `bulk_kinds` (broadcasts) take turns with the rest, chat for chat, so when
    both wait each gets half the claim (and so half the sends), and either takes all when the
    other has nothing due. A broadcast of 10,000 never holds back the month's audit notices.
    """
    condition = _claimable(now, wall_now, worker, reclaim_own)
    locking = {"skip_locked": True} if db.is_postgresql else None
    async with db.sessions.begin() as session:
        def candidates_where(*where):
            query = select(OutboxMessage.id, OutboxMessage.person_id, OutboxMessage.conversation_id).where(
                condition, *where)
            if urgent_kinds:
                query = query.order_by(case((OutboxMessage.kind.in_(sorted(urgent_kinds)), 0), else_=1))
            query = query.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(max_targets * 4)
            if skip_tenants:
                query = query.where(not_for(skip_tenants))
            if locking:
                query = query.with_for_update(**locking)
            return query

        if bulk_kinds:
            bulk = sorted(bulk_kinds)
            lanes = [list((await session.execute(candidates_where(OutboxMessage.kind.not_in(bulk)))).all()),
                     list((await session.execute(candidates_where(OutboxMessage.kind.in_(bulk)))).all())]
            candidates = _take_turns(lanes)
        else:
            candidates = (await session.execute(candidates_where())).all()
        keys: list[tuple[str, Any]] = []
        ids: set[int] = set()
        for row in candidates:
            key = target_key(row)
            if key not in keys:
                if len(keys) == max_targets:
                    continue
                keys.append(key)
            ids.add(row.id)
        if not ids:
            return []
        # The rest of those chats' due rows, so each chat gets one message.
        chats = [k[1] for k in keys if k[0] == "conversation"]
        people = [k[1] for k in keys if k[0] == "person"]
        if chats or people:
            mates = select(OutboxMessage.id).where(condition, or_(
                OutboxMessage.conversation_id.in_(chats),
                and_(OutboxMessage.conversation_id.is_(None), OutboxMessage.person_id.in_(people))))
            if locking:
                mates = mates.with_for_update(**locking)
            ids.update((await session.execute(mates)).scalars())
        claimed = (await session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(sorted(ids)), condition)
            .values(state="sending", claimed_by=worker, claimed_until=wall_now + lease)
            .returning(OutboxMessage)
            .execution_options(synchronize_session=False)
        )).all()
    return sorted(claimed, key=lambda r: (r.due_at, r.id))


def _take_turns(lanes: list[list[Any]]) -> list[Any]:
    """Rows from each lane in turn, a chat at a time (a chat's rows together), in each lane's order."""
    queues = []
    for lane in lanes:
        chats: dict[tuple[str, Any], list[Any]] = {}
        for row in lane:
            chats.setdefault(target_key(row), []).append(row)
        queues.append(list(chats.values()))
    out: list[Any] = []
    while any(queues):
        for chats in queues:
            if chats:
                out += chats.pop(0)
    return out



async def release(db: Database, ids: list[int], *, worker: str, next_attempt_at: datetime | None) -> None:
    """Hand claimed rows back unsent (e.g. the chat's rate limit is further off than the lease);
    with `next_attempt_at` None they stay due when they were (another sender has their tenant)."""
    values: dict[str, Any] = {"state": case((OutboxMessage.attempts > 0, "retrying"), else_="pending"),
                              "claimed_by": None, "claimed_until": None}
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    async with db.sessions.begin() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.state == "sending", OutboxMessage.claimed_by == worker)
            .values(**values).execution_options(synchronize_session=False))


async def renew(db: Database, ids: list[int], *, worker: str, claimed_until: datetime) -> int:
    """The heartbeat: extend `worker`'s claims on `ids` that it still holds; the rows renewed.
    A row already settled, or taken over after its claim lapsed, is left alone."""
    async with db.sessions.begin() as session:
        result = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.state == "sending", OutboxMessage.claimed_by == worker)
            .values(claimed_until=claimed_until).execution_options(synchronize_session=False))
    return result.rowcount or 0


async def held_by_others(db: Database, *, worker: str, wall_now: datetime) -> dict[str, int]:
    """Rows other senders hold on a claim that has not run out: sender id -> rows."""
    async with db.sessions() as session:
        return dict((await session.execute(
            select(OutboxMessage.claimed_by, func.count())
            .where(OutboxMessage.state == "sending", OutboxMessage.claimed_by != worker,
                   OutboxMessage.claimed_until >= wall_now)
            .group_by(OutboxMessage.claimed_by).order_by(OutboxMessage.claimed_by))).all())


async def next_wake(db: Database, *, worker: str, skip_tenants: Collection[str] = ()
                    ) -> tuple[datetime | None, datetime | None]:
    """(earliest next attempt of a waiting row, earliest lease end of another sender's claim),
    rows to `skip_tenants` left out."""
    waiting = select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.state.in_(("pending", "retrying")))
    claimed = (select(func.min(OutboxMessage.claimed_until))
               .where(OutboxMessage.state == "sending", OutboxMessage.claimed_by != worker))
    if skip_tenants:
        waiting, claimed = waiting.where(not_for(skip_tenants)), claimed.where(not_for(skip_tenants))
    async with db.sessions() as session:
        attempt = (await session.execute(waiting)).scalar_one()
        lease_end = (await session.execute(claimed)).scalar_one()
    return aware(attempt), aware(lease_end)


async def count_open(db: Database, *, due_by: datetime) -> int:
    """Rows due by `due_by` that are not yet sent or given up."""
    async with db.sessions() as session:
        return (await session.execute(
            select(func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.state.in_(OPEN_STATES), OutboxMessage.due_at <= due_by))).scalar_one()


