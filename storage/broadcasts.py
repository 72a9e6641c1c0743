"""Broadcasts in the database: queueing one to thousands at once (bulk inserts), the
per-recipient status for the report, read receipts, acknowledgements, cancel and correct.

A recipient's delivery is its outbox row's: queued while the row is open, sent with the Teams
message id (outbox.activity_id), failed with the sender's undeliverable reason. Reading and
acknowledging are kept on the recipient.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from qa.audience import Audience, selects
from qa.broadcasts import CANCELLED_REASON, RecipientStatus, read_by, status_of
from storage.models import Broadcast, BroadcastRecipient, Channel, Conversation, OutboxMessage, Person, Team
from storage.outbox import JsonPayload, stored

WITHDRAWABLE = ("pending", "retrying")


@dataclass(frozen=True)
class Recipient:
    person_id: int | None
    area: str
    channel_id: str | None = None


async def select_recipients(session: AsyncSession, audience: Audience) -> list[Recipient]:
    """The active roster people `audience` selects (by id), then its installed channels."""
    rows = (await session.execute(
        select(Person.id, Person.role, Person.team, Person.service_area).where(Person.left_at.is_(None))
        .order_by(Person.id))).all()
    out = []
    for person_id, role, team, areas in rows:
        split = [a for a in (s.strip() for s in (areas or "").split(";")) if a]
        if selects(audience, role=role, areas=split, team=team):
            out.append(Recipient(person_id, split[0] if split else ""))
    if audience.channels:
        live = set((await session.scalars(
            select(Channel.channel_id).join(Team, Channel.team_id == Team.id)
            .where(Channel.channel_id.in_(audience.channels), Channel.deleted_at.is_(None),
                   Team.removed_at.is_(None)))).all())
        out += [Recipient(None, "", channel) for channel in audience.channels if channel in live]
    return out


async def roster_areas_and_teams(session: AsyncSession) -> tuple[list[str], list[str]]:
    """The service areas and the teams of the active roster, each sorted, once each."""
    rows = (await session.execute(select(Person.team, Person.service_area).where(Person.left_at.is_(None))
                                  .distinct())).all()
    areas = {a.strip() for _team, field in rows for a in (field or "").split(";") if a.strip()}
    return sorted(areas), sorted({team for team, _areas in rows if team})


async def unknown_channels(session: AsyncSession, audience: Audience) -> list[str]:
    """The audience's channels where the bot is not installed."""
    if not audience.channels:
        return []
    live = set((await session.scalars(
        select(Channel.channel_id).join(Team, Channel.team_id == Team.id)
        .where(Channel.channel_id.in_(audience.channels), Channel.deleted_at.is_(None),
               Team.removed_at.is_(None)))).all())
    return [c for c in audience.channels if c not in live]


def _insert(session: AsyncSession):
    return postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert


async def add_broadcast(session: AsyncSession, *, title: str, message: str, audience: Audience, ask_ack: bool,
                        send_at: datetime, now: datetime, created_by_id: int | None, link_url: str | None = None,
                        link_title: str | None = None, key: str | None = None) -> Broadcast | None:
    """A new broadcast row (flushed, so it has its id); None when `key` was used already."""
    if key is not None and await session.scalar(select(Broadcast.id).where(Broadcast.key == key)) is not None:
        return None
    broadcast = Broadcast(key=key, title=title, message=message, link_url=link_url, link_title=link_title,
                          audience=audience.describe(), ask_ack=ask_ack, send_at=send_at, state="scheduled",
                          created_by_id=created_by_id, created_at=now)
    session.add(broadcast)
    await session.flush()
    return broadcast


def outbox_key(broadcast_id: int, recipient: Recipient) -> str:
    return (f"broadcast:{broadcast_id}:p{recipient.person_id}" if recipient.person_id is not None
            else f"broadcast:{broadcast_id}:c{recipient.channel_id}")[:300]


async def queue(session: AsyncSession, broadcast: Broadcast, recipients: Sequence[Recipient], *, kind: str,
                payload: JsonPayload, now: datetime) -> int:
    """One outbox row and one recipient row per recipient, in bulk (multi-row INSERTs, one
    statement each, RETURNING the outbox ids); the recipients queued."""
    if not recipients:
        return 0
    table = OutboxMessage.__table__
    data = stored(payload)
    rows = [{"idempotency_key": outbox_key(broadcast.id, r), "kind": kind, "person_id": r.person_id,
             "conversation_id": r.channel_id, "payload": data, "due_at": broadcast.send_at,
             "next_attempt_at": broadcast.send_at, "state": "pending", "attempts": 0, "created_at": now}
            for r in recipients]
    stmt = (_insert(session)(table).on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(table.c.id, table.c.idempotency_key))
    ids = {key: row_id for row_id, key in (await session.execute(stmt, rows)).all()}
    people = [{"broadcast_id": broadcast.id, "person_id": r.person_id, "channel_id": r.channel_id,
               "service_area": r.area[:200], "outbox_id": ids.get(outbox_key(broadcast.id, r))}
              for r in recipients]
    await session.execute(insert(BroadcastRecipient.__table__), people)
    return len(people)


# -- status and the report ------------------------------------------------------------------

@dataclass(frozen=True)
class RecipientRow:
    recipient_id: int
    person_id: int | None
    name: str
    email: str
    channel_id: str | None
    area: str
    status: str
    reason: str | None
    activity_id: str | None
    sent_at: datetime | None
    read_at: datetime | None
    acknowledged_at: datetime | None


async def recipient_rows(session: AsyncSession, broadcast_id: int, *, with_people: bool = True) -> list[RecipientRow]:
    """Every recipient of a broadcast with their status (qa.broadcasts.status_of), by recipient id."""
    r, o = BroadcastRecipient, OutboxMessage
    columns = [r.id, r.person_id, r.channel_id, r.service_area, r.failure, r.read_at, r.acknowledged_at,
               r.withdrawn_at, o.state, o.undeliverable_reason, o.activity_id, o.sent_at]
    query = select(*columns).outerjoin(o, o.id == r.outbox_id).where(r.broadcast_id == broadcast_id).order_by(r.id)
    if with_people:
        query = query.add_columns(Person.display_name, Person.email).outerjoin(Person, Person.id == r.person_id)
    found = (await session.execute(query)).all()
    # "not installed" for someone whose chat Teams said was removed or blocked: say that instead.
    lost = {row.person_id for row in found if row.undeliverable_reason == "not installed" and row.person_id}
    gone: dict[int, str] = {}
    if lost:
        for person_id, reason in (await session.execute(
                select(Conversation.person_id, Conversation.unreachable_reason)
                .where(Conversation.person_id.in_(lost), Conversation.unreachable_at.is_not(None))
                .order_by(Conversation.installed_at))).all():
            gone[person_id] = reason or "uninstalled"
    out = []
    for row in found:
        undeliverable = row.undeliverable_reason
        if undeliverable == "not installed" and row.person_id in gone:
            undeliverable = gone[row.person_id]
        status, reason = status_of(row.state, undeliverable, failure=row.failure,
                                   withdrawn=row.withdrawn_at is not None)
        out.append(RecipientRow(row.id, row.person_id, getattr(row, "display_name", None) or "",
                                getattr(row, "email", None) or "", row.channel_id, row.service_area, status, reason,
                                row.activity_id, row.sent_at, row.read_at, row.acknowledged_at))
    return out


async def status_counts(session: AsyncSession, broadcast_id: int) -> list[tuple[RecipientStatus, int]]:
    """The report's figures counted in the database (one GROUP BY, not a row per recipient):
    (status by service area, recipients)."""
    r, o = BroadcastRecipient, OutboxMessage
    # Someone "not installed" whose chat Teams said was removed or blocked: say that instead.
    gone = (select(func.max(Conversation.unreachable_reason))
            .where(Conversation.person_id == r.person_id, Conversation.unreachable_at.is_not(None))
            .correlate(r).scalar_subquery())
    reason = case((o.undeliverable_reason == "not installed", func.coalesce(gone, o.undeliverable_reason)),
                  else_=o.undeliverable_reason)
    columns = (r.service_area, o.state, reason.label("reason"), r.failure, r.withdrawn_at.is_not(None).label("gone"),
               r.read_at.is_not(None).label("read"), r.acknowledged_at.is_not(None).label("acked"))
    rows = (await session.execute(
        select(*columns, func.count()).select_from(r).outerjoin(o, o.id == r.outbox_id)
        .where(r.broadcast_id == broadcast_id).group_by(*columns))).all()
    out = []
    for area, state, why, failure, withdrawn, read, acked, n in rows:
        status, failed = status_of(state, why, failure=failure, withdrawn=bool(withdrawn))
        out.append((RecipientStatus(area or "", status, failed, bool(read), bool(acked)), n))
    return out


async def recent(session: AsyncSession, limit: int = 10) -> list[tuple[Broadcast, int]]:
    """The latest broadcasts (newest first) with their recipient counts."""
    counts = (select(BroadcastRecipient.broadcast_id, func.count().label("n"))
              .group_by(BroadcastRecipient.broadcast_id).subquery())
    rows = (await session.execute(
        select(Broadcast, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.broadcast_id == Broadcast.id)
        .order_by(Broadcast.created_at.desc(), Broadcast.id.desc()).limit(limit))).all()
    return [(b, n) for b, n in rows]


# -- read receipts and acknowledgements -----------------------------------------------------

async def mark_read(session: AsyncSession, conversation_id: str, last_read: str, now: datetime) -> int:
    """A read receipt in a personal chat: every broadcast message sent there at or before
    `last_read` (qa.broadcasts.read_by) is read. The recipients newly marked."""
    chat = await session.scalar(select(Conversation).where(Conversation.conversation_id == conversation_id))
    to_chat = OutboxMessage.conversation_id == conversation_id
    if chat is not None and chat.person_id is not None:
        to_chat = or_(to_chat, and_(OutboxMessage.conversation_id.is_(None), OutboxMessage.person_id == chat.person_id))
    rows = (await session.execute(
        select(BroadcastRecipient.id, OutboxMessage.activity_id)
        .join(OutboxMessage, OutboxMessage.id == BroadcastRecipient.outbox_id)
        .where(to_chat, OutboxMessage.state == "sent", BroadcastRecipient.read_at.is_(None)))).all()
    ids = [rid for rid, activity in rows if read_by(last_read, activity)]
    if ids:
        await session.execute(update(BroadcastRecipient).where(BroadcastRecipient.id.in_(ids))
                               .values(read_at=now).execution_options(synchronize_session=False))
    return len(ids)


async def recipient_of(session: AsyncSession, broadcast_id: int, person_id: int) -> BroadcastRecipient | None:
    return await session.scalar(select(BroadcastRecipient).where(BroadcastRecipient.broadcast_id == broadcast_id,
                                                                 BroadcastRecipient.person_id == person_id))


# -- cancel and correct ---------------------------------------------------------------------

async def cancel_queued(session: AsyncSession, broadcast_id: int, now: datetime) -> int:
    """Stop every message of the broadcast not yet started (pending or retrying): undeliverable
    "broadcast cancelled". Rows being sent at this moment finish; the rows stopped."""
    ids = select(BroadcastRecipient.outbox_id).where(BroadcastRecipient.broadcast_id == broadcast_id)
    result = await session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.state.in_(WITHDRAWABLE))
        .values(state="undeliverable", undeliverable_reason=CANCELLED_REASON, claimed_until=None)
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


async def sent_messages(session: AsyncSession, broadcast_id: int) -> list[tuple[int, str, str, str, str]]:
    """(recipient id, service url, conversation id, activity id, tenant id) of every message of the
    broadcast that went out and is not withdrawn: what a withdrawal deletes or a correction updates."""
    r, o = BroadcastRecipient, OutboxMessage
    rows = (await session.execute(
        select(r.id, r.person_id, o.conversation_id, o.activity_id)
        .join(o, o.id == r.outbox_id)
        .where(r.broadcast_id == broadcast_id, o.state == "sent", o.activity_id.is_not(None),
               r.withdrawn_at.is_(None)).order_by(r.id))).all()
    people = [p for _, p, c, _ in rows if c is None and p is not None]
    chats: dict[int, Conversation] = {}
    if people:
        for chat in (await session.scalars(select(Conversation).where(Conversation.person_id.in_(people))
                                           .order_by(Conversation.installed_at, Conversation.id))).all():
            chats[chat.person_id] = chat  # the latest installed
    channel_ids = [c for _, _, c, _ in rows if c is not None]
    channels = {}
    if channel_ids:
        channels = {ch: team for ch, team in (await session.execute(
            select(Channel.channel_id, Team).join(Team, Channel.team_id == Team.id)
            .where(Channel.channel_id.in_(channel_ids)))).all()}
    out = []
    for rid, person_id, conversation_id, activity_id in rows:
        if conversation_id is not None and conversation_id in channels:
            team = channels[conversation_id]
            out.append((rid, team.service_url, conversation_id, activity_id, team.tenant_id))
        elif person_id in chats:
            chat = chats[person_id]
            out.append((rid, chat.service_url, chat.conversation_id, activity_id, chat.tenant_id))
    return out




# -- chats the bot gets by installing itself through Graph (bot/graph.py) ------------------------

async def aad_object_id_of(db, person_id: int) -> str | None:
    """The object id to install the app for: an active person who never had a chat with the bot.
    None for someone who had one and uninstalled or blocked it (their choice is kept)."""
    async with db.sessions() as session:
        if await session.scalar(select(Conversation.id).where(Conversation.person_id == person_id).limit(1)):
            return None
        return await session.scalar(select(Person.aad_object_id).where(Person.id == person_id,
                                                                        Person.left_at.is_(None)))


async def record_installed_chat(db, person_id: int, aad_object_id: str, chat_id: str, now: datetime
                                ) -> tuple[str, str] | None:
    """Keep the personal chat Graph's install gave (Teams' own install event refreshes it later):
    reached at the service address and tenant of the latest chat the bot has (one region serves a
    tenant). (service url, tenant id), or None when the bot has no chat at all to learn them from."""
    async with db.sessions.begin() as session:
        template = await session.scalar(select(Conversation).order_by(Conversation.installed_at.desc(),
                                                                      Conversation.id.desc()).limit(1))
        if template is None:
            return None
        existing = await session.scalar(select(Conversation).where(Conversation.conversation_id == chat_id))
        if existing is not None:
            existing.person_id = existing.person_id or person_id
            existing.unreachable_at, existing.unreachable_reason = None, None
            return existing.service_url, existing.tenant_id
        session.add(Conversation(conversation_id=chat_id, tenant_id=template.tenant_id,
                                 service_url=template.service_url, bot_id=template.bot_id,
                                 user_id=f"8:orgid:{aad_object_id}", aad_object_id=aad_object_id.lower(),
                                 person_id=person_id, reference={}, installed_at=now))
        return template.service_url, template.tenant_id
