"""Where an outbox row goes: its chat (a conversation id, else the person's reachable personal
chat) and that chat's service and tenant."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, or_, select

from storage.db import Database
from storage.models import Channel, Conversation, OutboxMessage, Person, Team
from storage.outbox.states import REASON_LENGTH


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


def not_for(tenants: Collection[str]):
    """Rows whose tenant is none of `tenants` (a row with no chat has none: anyone may settle it)."""
    tenant = tenant_of_row()
    return or_(tenant.is_(None), tenant.not_in(sorted({t.strip().lower() for t in tenants})))



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


