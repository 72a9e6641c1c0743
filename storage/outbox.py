"""The outbox: proactive messages written in the caller's transaction (`enqueue`), claimed and
marked by the sender (bot/sender.py), and counted for `python -m bot outbox status`."""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Channel, Conversation, OutboxMessage, Person, Team
from storage.upsert import insert_if_absent


class JsonPayload(Protocol):
    """A message's content (dialogs.payload.Payload, checked when it was made): its stored JSON."""

    def to_json(self) -> dict[str, Any]: ...


def stored(payload: JsonPayload) -> dict[str, Any]:
    """The JSON an outbox row keeps for `payload` (a dialogs.payload.Payload); TypeError for
    anything else, so a hand-built dict never reaches the table unchecked."""
    if not callable(getattr(payload, "to_json", None)):
        raise TypeError("an outbox payload is a dialogs.payload.Payload (OutboxKind.message), not a dict")
    return payload.to_json()


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    person_id: int | None,
    payload: JsonPayload,
    due_at: datetime,
    now: datetime,
    conversation_id: str | None = None,
) -> bool:
    """Add a message unless one with the same idempotency key exists; True if added.

    `payload` is a dialogs.payload.Payload (made by `OutboxKind.message`), stored as its JSON.
    It is committed with the caller's change, or not at all.
    """
    return await insert_if_absent(
        session,
        OutboxMessage,
        {
            "idempotency_key": key,
            "kind": kind,
            "person_id": person_id,
            "conversation_id": conversation_id,
            "payload": stored(payload),
            "due_at": due_at,
            "next_attempt_at": due_at,
            "state": "pending",
            "attempts": 0,
            "created_at": now,
        },
        ["idempotency_key"],
    )


@dataclass(frozen=True)
class Message:
    """One message for `enqueue_many`: what `enqueue` takes, less the session and `now`."""

    key: str
    kind: str
    person_id: int | None
    payload: JsonPayload
    due_at: datetime
    conversation_id: str | None = None


async def enqueue_many(session: AsyncSession, messages: Sequence[Message], *, now: datetime) -> int:
    """`enqueue` for many messages: one statement compiled once, sent as multi-row INSERT ... ON
    CONFLICT DO NOTHING pages (SQLAlchemy's insertmanyvalues) rather than a statement each (a
    sweep moment writes thousands). The rows added; a message whose key exists is skipped."""
    if not messages:
        return 0
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    table = OutboxMessage.__table__
    stmt = insert(table).on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(table.c.id)
    rows = [{"idempotency_key": m.key, "kind": m.kind, "person_id": m.person_id, "conversation_id": m.conversation_id,
             "payload": stored(m.payload), "due_at": m.due_at, "next_attempt_at": m.due_at, "state": "pending",
             "attempts": 0, "created_at": now} for m in messages]
    return len((await session.execute(stmt, rows)).all())


# -- delivery (bot/sender.py drives these) --------------------------------------------------
#
# A row moves pending -> sending (claimed) -> sent | retrying | undeliverable; retrying ->
# sending again when its next attempt is due. A claim is a lease: `claimed_by` and
# `claimed_until` (wall clock). It is short (seconds) and its live sender renews it (`renew`)
# while it holds the row; a claim whose lease ran out (its sender died) is claimable again.
#
# PostgreSQL: the claim SELECTs ... FOR UPDATE SKIP LOCKED, so two senders pass each other by.
# SQLite has no SKIP LOCKED; every transaction there starts with BEGIN IMMEDIATE (storage/db.py),
# so claims are serialised, and the UPDATE re-checks that each row is still claimable anyway.
#
# Tenants: one sender at a time sends to a tenant (it holds the tenant's lease, bot/sender.py).
# The others pass `skip_tenants` to `claim` and `next_wake`, so those tenants' rows stay unclaimed
# for the holder. A row's tenant is its chat's, found as `resolve_targets` finds the chat.

OPEN_STATES = ("pending", "sending", "retrying")
REASON_LENGTH = 100  # outbox.undeliverable_reason


@dataclass(frozen=True)
class Target:
    """Where a message goes: the chat and the service and tenant that own it."""

    service_url: str
    conversation_id: str
    tenant_id: str


def target_key(row: OutboxMessage) -> tuple[str, Any]:
    """Rows with the same key go to the same chat, so they go together as one digest."""
    if row.conversation_id:
        return ("conversation", row.conversation_id)
    if row.person_id is not None:
        return ("person", row.person_id)
    return ("row", row.id)


def tenant_of_row():
    """SQL: the tenant (trimmed, lower case, as storage.conversations.tenant_key) of the chat an
    outbox row goes to, chosen as `resolve_targets` chooses it; NULL when it has none."""
    chat = (select(Conversation.tenant_id).where(Conversation.conversation_id == OutboxMessage.conversation_id)
            .limit(1).scalar_subquery())
    channel = (select(Team.tenant_id).join(Channel, Channel.team_id == Team.id)
               .where(Channel.channel_id == OutboxMessage.conversation_id).limit(1).scalar_subquery())
    personal = (select(Conversation.tenant_id)
                .where(Conversation.person_id == OutboxMessage.person_id, Conversation.unreachable_at.is_(None))
                .order_by(Conversation.installed_at.desc(), Conversation.id.desc()).limit(1).scalar_subquery())
    tenant = case((OutboxMessage.conversation_id.is_not(None), func.coalesce(chat, channel)), else_=personal)
    return func.lower(func.trim(tenant))


def _not_for(tenants: Collection[str]):
    """Rows whose tenant is none of `tenants` (a row with no chat has none: anyone may settle it)."""
    tenant = tenant_of_row()
    return or_(tenant.is_(None), tenant.not_in(sorted({t.strip().lower() for t in tenants})))


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
                query = query.where(_not_for(skip_tenants))
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


async def resolve_targets(db: Database, rows: list[OutboxMessage]) -> dict[tuple[str, Any], Target | str]:
    """Each row's chat by `target_key`, or why there is none ("left", "not installed", ...).

    A row with a conversation id goes to that chat (a personal chat we hold, or a team channel).
    Otherwise the person's reachable personal chat, the latest installed.
    """
    keys = {target_key(r) for r in rows}
    people = [k[1] for k in keys if k[0] == "person"]
    chats = [k[1] for k in keys if k[0] == "conversation"]
    out: dict[tuple[str, Any], Target | str] = {k: "no recipient" for k in keys if k[0] == "row"}
    async with db.sessions() as session:
        if people:
            left = {p.id: p.left_at for p in (await session.execute(
                select(Person.id, Person.left_at).where(Person.id.in_(people)))).all()}
            reachable = (await session.scalars(
                select(Conversation).where(Conversation.person_id.in_(people), Conversation.unreachable_at.is_(None))
                .order_by(Conversation.installed_at.desc(), Conversation.id.desc()))).all()
            latest: dict[int, Conversation] = {}
            for chat in reachable:
                latest.setdefault(chat.person_id, chat)
            for person_id in people:
                chat = latest.get(person_id)
                if left.get(person_id) is not None:
                    out[("person", person_id)] = "left"
                elif chat is None:
                    out[("person", person_id)] = "not installed"
                else:
                    out[("person", person_id)] = Target(chat.service_url, chat.conversation_id, chat.tenant_id)
        if chats:
            personal = {c.conversation_id: c for c in (await session.scalars(
                select(Conversation).where(Conversation.conversation_id.in_(chats)))).all()}
            channels = {ch.channel_id: (ch, team) for ch, team in (await session.execute(
                select(Channel, Team).join(Team, Channel.team_id == Team.id).where(Channel.channel_id.in_(chats)))).all()}
            for conversation_id in chats:
                if conversation_id in personal:
                    chat = personal[conversation_id]
                    out[("conversation", conversation_id)] = (
                        Target(chat.service_url, chat.conversation_id, chat.tenant_id) if chat.reachable
                        else (chat.unreachable_reason or "unreachable")[:REASON_LENGTH])
                elif conversation_id in channels:
                    channel, team = channels[conversation_id]
                    out[("conversation", conversation_id)] = (
                        "not installed" if channel.deleted_at or team.removed_at
                        else Target(team.service_url, conversation_id, team.tenant_id))
                else:
                    out[("conversation", conversation_id)] = "not installed"
    return out


async def mark_sent(db: Database, ids: list[int], *, activity_id: str | None, now: datetime) -> None:
    """Delivered: recorded at once, whoever holds the claim now (it went out either way)."""
    async with db.sessions.begin() as session:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.state != "sent")
            .values(state="sent", sent_at=now, activity_id=activity_id, claimed_until=None, last_error=None,
                    attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False))


async def mark_retry(db: Database, ids: list[int], *, worker: str, error: str, next_attempt_at: datetime,
                     budget: timedelta, max_attempts: int | None = None) -> tuple[int, int]:
    """A failed attempt that may succeed later: (rows to retry, rows given up as "retries exhausted"
    because their next attempt would come more than `budget` after they were due, or, with
    `max_attempts`, after that many attempts)."""
    mine = and_(OutboxMessage.id.in_(ids), OutboxMessage.state == "sending", OutboxMessage.claimed_by == worker)
    spent = OutboxMessage.due_at < next_attempt_at - budget
    if max_attempts is not None:
        spent = or_(spent, OutboxMessage.attempts + 1 >= max_attempts)
    async with db.sessions.begin() as session:
        exhausted = await session.execute(
            update(OutboxMessage).where(mine, spent)
            .values(state="undeliverable", undeliverable_reason="retries exhausted", last_error=error[:500],
                    attempts=OutboxMessage.attempts + 1, claimed_until=None)
            .execution_options(synchronize_session=False))
        retrying = await session.execute(
            update(OutboxMessage).where(mine)
            .values(state="retrying", next_attempt_at=next_attempt_at, last_error=error[:500],
                    attempts=OutboxMessage.attempts + 1, claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False))
    return retrying.rowcount or 0, exhausted.rowcount or 0


async def mark_undeliverable(db: Database, ids: list[int], *, worker: str, reason: str, error: str | None = None,
                             attempted: bool = False, unreachable_chat: str | None = None,
                             now: datetime | None = None) -> int:
    """Given up for good. With `unreachable_chat`, that personal chat is marked unreachable too
    (Teams said the bot was blocked or removed), so later messages do not try it again."""
    values: dict[str, Any] = {"state": "undeliverable", "undeliverable_reason": reason[:REASON_LENGTH],
                              "last_error": error, "claimed_until": None}
    if attempted:
        values["attempts"] = OutboxMessage.attempts + 1
    async with db.sessions.begin() as session:
        result = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.state == "sending", OutboxMessage.claimed_by == worker)
            .values(**values).execution_options(synchronize_session=False))
        if unreachable_chat is not None:
            await session.execute(
                update(Conversation)
                .where(Conversation.conversation_id == unreachable_chat, Conversation.unreachable_at.is_(None))
                .values(unreachable_at=now, unreachable_reason=reason[:200]))
    return result.rowcount or 0


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
        waiting, claimed = waiting.where(_not_for(skip_tenants)), claimed.where(_not_for(skip_tenants))
    async with db.sessions() as session:
        attempt = (await session.execute(waiting)).scalar_one()
        lease_end = (await session.execute(claimed)).scalar_one()
    return _aware(attempt), _aware(lease_end)


async def count_open(db: Database, *, due_by: datetime) -> int:
    """Rows due by `due_by` that are not yet sent or given up."""
    async with db.sessions() as session:
        return (await session.execute(
            select(func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.state.in_(OPEN_STATES), OutboxMessage.due_at <= due_by))).scalar_one()


def _aware(value: datetime | None) -> datetime | None:
    # Aggregates bypass the column type: SQLite hands back naive UTC (or a string).
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


# -- status (`python -m bot outbox status`) ------------------------------------------------

@dataclass
class OutboxStatus:
    pending: int = 0
    sending: int = 0
    retrying: int = 0
    sent: int = 0
    undeliverable: dict[str, int] = field(default_factory=dict)  # reason -> rows
    not_yet_due: int = 0  # of `pending`
    oldest_pending_due: datetime | None = None  # the longest-waiting open row that is due
    oldest_pending_age: timedelta | None = None

    @property
    def undeliverable_total(self) -> int:
        return sum(self.undeliverable.values())

    def describe(self) -> str:
        lines = [f"outbox: {self.pending} pending ({self.not_yet_due} not yet due), {self.sending} sending, "
                 f"{self.retrying} retrying, {self.sent} sent, {self.undeliverable_total} undeliverable"]
        for reason, count in sorted(self.undeliverable.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  undeliverable, {reason}: {count}")
        if self.oldest_pending_age is not None and self.oldest_pending_due is not None:
            lines.append(f"oldest waiting message: due {self.oldest_pending_due:%Y-%m-%d %H:%M} UTC, "
                         f"{_age(self.oldest_pending_age)} ago")
        else:
            lines.append("nothing is waiting")
        return "\n".join(lines)


def _age(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} days"


async def outbox_status(db: Database, now: datetime) -> OutboxStatus:
    """Counts by state (undeliverable by reason) and how long the oldest due, open row has waited."""
    status = OutboxStatus()
    async with db.sessions() as session:
        for state, reason, count in (await session.execute(
                select(OutboxMessage.state, OutboxMessage.undeliverable_reason, func.count())
                .group_by(OutboxMessage.state, OutboxMessage.undeliverable_reason))).all():
            if state == "undeliverable":
                status.undeliverable[reason or "unknown"] = status.undeliverable.get(reason or "unknown", 0) + count
            elif state in ("pending", "sending", "retrying", "sent"):
                setattr(status, state, getattr(status, state) + count)
        status.not_yet_due = (await session.execute(
            select(func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.state == "pending", OutboxMessage.due_at > now))).scalar_one()
        oldest = _aware((await session.execute(
            select(func.min(OutboxMessage.due_at))
            .where(OutboxMessage.state.in_(OPEN_STATES), OutboxMessage.due_at <= now))).scalar_one())
    if oldest is not None:
        status.oldest_pending_due = oldest
        status.oldest_pending_age = now - oldest
    return status


async def backlog(session: AsyncSession, now: datetime, *, except_kinds: Sequence[str] = ()) -> tuple[int, datetime | None]:
    """Open rows due by `now` (not of `except_kinds`): how many, and the oldest's due time."""
    count, oldest = (await session.execute(
        select(func.count(), func.min(OutboxMessage.due_at)).where(
            OutboxMessage.state.in_(OPEN_STATES), OutboxMessage.due_at <= now,
            OutboxMessage.kind.not_in(list(except_kinds)) if except_kinds else True))).one()
    return count, _aware(oldest)


CHANGES = ("replaces", "withdraws")  # payload keys: the activity id of a sent message this row updates / deletes


def is_change(payload: Mapping[str, Any] | None) -> bool:
    """The row changes a message already sent (bot/sender.py), rather than being a notice of its own."""
    return bool(payload) and any(payload.get(k) for k in CHANGES)


# -- the messages a press acted on ------------------------------------------------------------

async def sent_rows(db: Database, activity_id: str, conversation_id: str, person_id: int | None
                    ) -> list[OutboxMessage]:
    """The outbox rows a sent message carried (one notice, or a digest's several), in the order the
    sender put them in the message; [] for a message the outbox did not send."""
    if not activity_id:
        return []
    to_chat = OutboxMessage.conversation_id == conversation_id
    if person_id is not None:
        to_chat = or_(to_chat, and_(OutboxMessage.conversation_id.is_(None), OutboxMessage.person_id == person_id))
    async with db.sessions() as session:
        rows = list((await session.execute(
            select(OutboxMessage).where(OutboxMessage.activity_id == activity_id, OutboxMessage.state == "sent", to_chat)
            .order_by(OutboxMessage.due_at, OutboxMessage.id))).scalars())
    # A message later replaced in place (`replaces`) shares its activity id with the change: the
    # notices are the rows it first carried (each records what it now shows).
    return [r for r in rows if not is_change(r.payload)] or rows


async def record_shown(db: Database, shown: Mapping[int, dict]) -> None:
    """Keep, on each sent outbox row, the payload its message shows after an update in place."""
    async with db.sessions.begin() as session:
        for row_id, payload in shown.items():
            await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(payload=payload))


# -- the copies of one notice several people received (capabilities/copies.py) ------------------

async def copies(session: AsyncSession, key_prefixes: Sequence[str], *, skip: Collection[int] = ()
                 ) -> list[OutboxMessage]:
    """The rows whose idempotency key begins with one of `key_prefixes` (every copy of one notice,
    in any state), except the rows `skip` (ids), by id; locked for update on PostgreSQL."""
    if not key_prefixes:
        return []
    stmt = (select(OutboxMessage)
            .where(or_(*[OutboxMessage.idempotency_key.startswith(p, autoescape=True) for p in key_prefixes]))
            .order_by(OutboxMessage.id))
    if skip:
        stmt = stmt.where(OutboxMessage.id.not_in(list(skip)))
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return list((await session.execute(stmt)).scalars())


def chat_of(row: OutboxMessage) -> tuple[str, Any]:
    """Where a row went: its conversation, else its person's personal chat."""
    return ("conversation", row.conversation_id) if row.conversation_id else ("person", row.person_id)


async def sent_together(session: AsyncSession, rows: Sequence[OutboxMessage]
                        ) -> dict[tuple[str, tuple[str, Any]], list[OutboxMessage]]:
    """For each sent row of `rows` with an activity id, every notice its message carried (itself,
    or a digest's several), in the order the sender put them: (activity id, chat) -> rows."""
    sent = [r for r in rows if r.state == "sent" and r.activity_id]
    if not sent:
        return {}
    wanted = {(r.activity_id, chat_of(r)) for r in sent}
    found = (await session.execute(
        select(OutboxMessage).where(OutboxMessage.activity_id.in_(sorted({r.activity_id for r in sent})),
                                    OutboxMessage.state == "sent")
        .order_by(OutboxMessage.due_at, OutboxMessage.id))).scalars()
    out: dict[tuple[str, tuple[str, Any]], list[OutboxMessage]] = {}
    for row in found:
        where = (row.activity_id, chat_of(row))
        if where in wanted and not is_change(row.payload):
            out.setdefault(where, []).append(row)
    return out
