"""Where the bot can reach people: personal chats (Conversation) and teams (Team, Channel).

Written from install and channel events at the edge (bot/teams_bot.py); read by everything
that sends proactively. Every function runs in the caller's transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, case, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from qa.framework import Role
from storage.bot_state import deserialise, stored_key
from storage.db import Database
from storage.models import BotState, Channel, Conversation, Person, Team
from storage.people import email_keys, person_for_sign_in


def tenant_key(value: object) -> str:
    """A tenant id as it is stored and compared: trimmed, lower-case; '' when there is none.

    Tenant ids are GUIDs and Teams' casing of them is not promised, so an allow-list entry in
    capitals and an activity in lower case are the same tenant.
    """
    return value.strip().lower() if isinstance(value, str) else ""


@dataclass(frozen=True)
class PersonalChat:
    """What an install (or a first message) tells us about a 1:1 chat."""

    conversation_id: str
    tenant_id: str
    service_url: str
    bot_id: str
    user_id: str
    aad_object_id: str | None
    reference: dict[str, Any]
    email: str | None = None
    upn: str | None = None  # the userPrincipalName, when Teams gave one beside the email

    def __post_init__(self) -> None:
        tenant = tenant_key(self.tenant_id)
        object.__setattr__(self, "tenant_id", tenant)
        # The reference carries the same tenant, spelt as the Bot Connector API spells it
        # (botbuilder's serialisation drops conversation.tenantId or writes `tenantID`).
        conversation = {k: v for k, v in (self.reference.get("conversation") or {}).items()
                        if k not in ("tenantId", "tenantID")}
        if tenant:
            conversation["tenantId"] = tenant
        object.__setattr__(self, "reference", {**self.reference, "conversation": conversation})
        # The roster stores Entra object ids lower-case; Teams' casing is not promised.
        if self.aad_object_id:
            object.__setattr__(self, "aad_object_id", self.aad_object_id.strip().lower())


def _insert(session: AsyncSession):
    return postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert


async def record_personal_chat(session: AsyncSession, chat: PersonalChat, *, now: datetime) -> None:
    """Insert or refresh the chat by conversation id; a re-install makes it reachable again.

    One statement, so two install events for the same chat (Teams sends two) serialise on the
    row: a re-install after the chat went unreachable clears `welcomed_at` exactly once, and
    the next `claim_welcome` lets exactly one of them welcome.
    """
    table = Conversation.__table__
    email = chat.email.strip().lower() if chat.email else None
    stmt = _insert(session)(Conversation).values(
        conversation_id=chat.conversation_id, tenant_id=chat.tenant_id, service_url=chat.service_url,
        bot_id=chat.bot_id, user_id=chat.user_id, aad_object_id=chat.aad_object_id, email=email,
        upn=chat.upn.strip().lower() if chat.upn else None, reference=chat.reference, installed_at=now,
    )
    was_unreachable = table.c.unreachable_at.is_not(None)
    stmt = stmt.on_conflict_do_update(
        index_elements=["conversation_id"],
        set_={
            "tenant_id": stmt.excluded.tenant_id,
            "service_url": stmt.excluded.service_url,
            "bot_id": stmt.excluded.bot_id,
            "user_id": stmt.excluded.user_id,
            # Keep what an earlier event learnt when this one lacks it.
            "aad_object_id": case((stmt.excluded.aad_object_id.is_(None), table.c.aad_object_id),
                                  else_=stmt.excluded.aad_object_id),
            "email": case((stmt.excluded.email.is_(None), table.c.email), else_=stmt.excluded.email),
            "upn": case((stmt.excluded.upn.is_(None), table.c.upn), else_=stmt.excluded.upn),
            "reference": stmt.excluded.reference,
            "installed_at": case((was_unreachable, stmt.excluded.installed_at), else_=table.c.installed_at),
            "welcomed_at": case((was_unreachable, None), else_=table.c.welcomed_at),
            "unreachable_at": None,
            "unreachable_reason": None,
        },
    )
    await session.execute(stmt)


async def add_personal_chat_if_absent(session: AsyncSession, chat: PersonalChat, *, now: datetime) -> bool:
    """Record a chat first seen through a message (installed before we stored references)."""
    stmt = _insert(session)(Conversation).values(
        conversation_id=chat.conversation_id, tenant_id=chat.tenant_id, service_url=chat.service_url,
        bot_id=chat.bot_id, user_id=chat.user_id, aad_object_id=chat.aad_object_id,
        email=chat.email.strip().lower() if chat.email else None,
        upn=chat.upn.strip().lower() if chat.upn else None, reference=chat.reference, installed_at=now,
    ).on_conflict_do_nothing(index_elements=["conversation_id"])
    return (await session.execute(stmt)).rowcount == 1


async def refresh_personal_chat(session: AsyncSession, chat: PersonalChat, row: Any = None) -> list[str]:
    """Keep a known chat's address as the latest activity from it gives it; the columns changed.

    Teams can move a tenant's traffic to another serviceUrl, and the reference to write back
    with is the one from the latest activity. One read by the unique id; the row is written only
    when the serviceUrl, tenant, bot id, the user's object id or the stored reference differ, so
    the usual message costs no write. What the activity lacks (tenant, object id) is kept; a
    chat not recorded yet, or recorded for another user, is left alone. `row`: the chat's
    Conversation as just read in this session (conversation_by_id), so it is not read twice.
    """
    row = row if row is not None else (await session.execute(
        select(Conversation.id, Conversation.user_id, Conversation.tenant_id, Conversation.service_url,
               Conversation.bot_id, Conversation.aad_object_id, Conversation.reference)
        .where(Conversation.conversation_id == chat.conversation_id)
    )).one_or_none()
    if row is None or row.user_id != chat.user_id:
        return []
    return await _write_differences(session, Conversation, row, _address(chat))


def personal_chat_moved(chat: PersonalChat, row: Conversation | None) -> bool:
    """Whether refresh_personal_chat would write anything for `row` (as conversation_by_id read
    it): so a turn that only reads needs no writing transaction."""
    return row is not None and row.user_id == chat.user_id and \
        any(getattr(row, name) != value for name, value in _address(chat).items())


def _address(chat: PersonalChat) -> dict[str, Any]:
    wanted: dict[str, Any] = {"service_url": chat.service_url, "bot_id": chat.bot_id, "reference": chat.reference}
    if chat.tenant_id:
        wanted["tenant_id"] = chat.tenant_id
    if chat.aad_object_id:
        wanted["aad_object_id"] = chat.aad_object_id
    return wanted


async def conversation_by_id(session: AsyncSession, conversation_id: str) -> Conversation | None:
    return (await session.execute(
        select(Conversation).where(Conversation.conversation_id == conversation_id)
        .options(joinedload(Conversation.person))  # one statement: a turn reads it on every message
    )).scalar_one_or_none()


async def chat_and_state(session: AsyncSession, conversation_id: str, state_key: str | None
                         ) -> tuple[Conversation | None, dict[str, Any] | None]:
    """A turn's reads in ONE statement: the chat `conversation_id` as conversation_by_id reads it
    (its roster person loaded; None if not recorded) and, when `state_key` is given, the sender's
    state in it as storage.bot_state.read_in reads it ({state_key: document}, the document None
    when never written; None when no key is given). Either may be missing without the other."""
    if state_key is None:
        row = (await session.execute(_chat_and_state(False), {"conversation_id": conversation_id})).first()
        return (row[0] if row is not None else None), None  # the ORM leaves out a lone entity that is all NULL
    row = (await session.execute(_chat_and_state(True), {"conversation_id": conversation_id,
                                                         "state_key": stored_key(state_key)})).one()
    return row[0], {state_key: deserialise(row.document, row.e_tag) if row.document is not None else None}


@cache  # built once: building a statement costs a turn more than running it does
def _chat_and_state(with_state: bool) -> Select:
    one = select(literal(1).label("one")).subquery()  # one row, which a missing chat or state leaves
    query = select(Conversation).select_from(one) \
        .outerjoin(Conversation, Conversation.conversation_id == bindparam("conversation_id")) \
        .options(joinedload(Conversation.person))
    if with_state:
        query = query.add_columns(BotState.document, BotState.e_tag) \
            .outerjoin(BotState, BotState.key == bindparam("state_key"))
    return query


async def personal_chat_of(session: AsyncSession, *, user_id: str, tenant_id: str) -> Conversation | None:
    """The reachable personal chat of the Teams user `user_id` (an activity's `from.id`, which is
    the same for one user in every chat and channel with this bot) in `tenant_id`, with its roster
    person loaded; None when the bot has none. Found by the sender, never by a roster link, so
    an answer meant for the sender goes to no one else."""
    query = select(Conversation).where(Conversation.user_id == user_id, Conversation.unreachable_at.is_(None))
    if tenant_key(tenant_id):
        query = query.where(Conversation.tenant_id == tenant_key(tenant_id))
    return (await session.execute(
        query.options(joinedload(Conversation.person)).order_by(Conversation.id.desc()).limit(1)
    )).scalars().first()


async def roster_person_for(session: AsyncSession, *, aad_object_id: str | None, email: str | None,
                            upn: str | None = None) -> Person | None:
    """The active roster person for a Teams user: by Entra object id, else by email or UPN
    (storage.people.person_for_sign_in)."""
    return await person_for_sign_in(session, aad_object_id=aad_object_id, email=email, upn=upn)


async def link_chat(session: AsyncSession, conversation_id: str, person_id: int) -> None:
    await session.execute(
        update(Conversation).where(Conversation.conversation_id == conversation_id)
        .values(person_id=person_id).execution_options(synchronize_session=False)
    )


async def claim_welcome(session: AsyncSession, conversation_id: str, *, now: datetime) -> bool:
    """True for exactly one caller per installation: the one that should send the welcome."""
    result = await session.execute(
        update(Conversation)
        .where(Conversation.conversation_id == conversation_id, Conversation.welcomed_at.is_(None),
               Conversation.unreachable_at.is_(None))
        .values(welcomed_at=now).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def release_welcome(session: AsyncSession, conversation_id: str, *, claimed_at: datetime) -> None:
    """Undo a claim whose welcome could not be sent, so the next install event can try again."""
    await session.execute(
        update(Conversation)
        .where(Conversation.conversation_id == conversation_id, Conversation.welcomed_at == claimed_at)
        .values(welcomed_at=None).execution_options(synchronize_session=False)
    )


async def mark_unreachable(session: AsyncSession, conversation_id: str, *, reason: str, now: datetime) -> bool:
    """Stop proactive sends to a chat (uninstalled, blocked). True if a reachable chat changed."""
    result = await session.execute(
        update(Conversation)
        .where(Conversation.conversation_id == conversation_id, Conversation.unreachable_at.is_(None))
        .values(unreachable_at=now, unreachable_reason=reason[:200]).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def qa_unit_contact(session: AsyncSession) -> Person | None:
    """Someone in the QA unit to point people at (who is not on the roster yet)."""
    return (await session.execute(_qa_unit_contact_query())).scalars().first()


def _qa_unit_contact_query() -> Select:
    return select(Person).where(Person.role == Role.QA_UNIT, Person.left_at.is_(None)) \
        .order_by(Person.display_name, Person.id).limit(1)  # by ix_people_role, not a roster scan


async def supervisor_and_qa_contact(session: AsyncSession, supervisor_email: str | None
                                    ) -> tuple[Person | None, Person | None]:
    """(storage.people.person_by_email(supervisor_email), qa_unit_contact()) in ONE statement, as
    a whoami or welcome card names both; None for either not found (the supervisor always None
    when `supervisor_email` is None or empty)."""
    parameters = {"emails": email_keys(supervisor_email)} if supervisor_email else {}
    found: dict[int, Person] = {}
    ids: dict[str, int | None] = {"contact_id": None, "supervisor_id": None}
    for row in (await session.execute(_supervisor_and_qa_contact(bool(parameters)), parameters)).all():
        found[row[0].id] = row[0]
        ids.update({name: getattr(row, name) for name in row._fields[1:]})
    return found.get(ids["supervisor_id"]), found.get(ids["contact_id"])


@cache  # built once: building a statement costs a turn more than running it does
def _supervisor_and_qa_contact(with_supervisor: bool) -> Select:
    contact = _qa_unit_contact_query().with_only_columns(Person.id).scalar_subquery()
    columns, wanted = [contact.label("contact_id")], [contact]
    if with_supervisor:  # person_by_email's query
        supervisor = select(Person.id).where(Person.email.in_(bindparam("emails", expanding=True))).limit(1) \
            .scalar_subquery()
        columns.append(supervisor.label("supervisor_id"))
        wanted.append(supervisor)
    return select(Person, *columns).where(Person.id.in_(wanted))


# -- Teams and channels -------------------------------------------------------------------

@dataclass(frozen=True)
class TeamInstall:
    team_id: str
    aad_group_id: str | None
    name: str | None
    tenant_id: str
    service_url: str
    bot_id: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "tenant_id", tenant_key(self.tenant_id))


async def record_team(session: AsyncSession, team: TeamInstall, *, now: datetime) -> int:
    """Insert or refresh a team the bot is in; a re-add clears `removed_at`. Returns its row id."""
    table = Team.__table__
    stmt = _insert(session)(Team).values(
        team_id=team.team_id, aad_group_id=team.aad_group_id, tenant_id=team.tenant_id, name=team.name or "",
        service_url=team.service_url, bot_id=team.bot_id, installed_at=now,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["team_id"],
        set_={
            "aad_group_id": case((stmt.excluded.aad_group_id.is_(None), table.c.aad_group_id),
                                 else_=stmt.excluded.aad_group_id),
            # Events after the install often carry no name: keep the one we have.
            "name": case((stmt.excluded.name == "", table.c.name), else_=stmt.excluded.name),
            "tenant_id": stmt.excluded.tenant_id,
            "service_url": stmt.excluded.service_url,
            "bot_id": stmt.excluded.bot_id,
            "installed_at": case((table.c.removed_at.is_not(None), stmt.excluded.installed_at),
                                 else_=table.c.installed_at),
            "removed_at": None,
        },
    ).returning(table.c.id)
    return (await session.execute(stmt)).scalar_one()


async def refresh_team(session: AsyncSession, team: TeamInstall) -> list[str]:
    """Keep a team's serviceUrl, tenant and bot id as its latest activity gives them; the columns changed.

    Like refresh_personal_chat: one read, a write only when something differs. A team the bot
    is not in (never recorded, or removed) is left alone: its install event records it.
    """
    row = (await session.execute(
        select(Team.id, Team.tenant_id, Team.service_url, Team.bot_id)
        .where(Team.team_id == team.team_id, Team.removed_at.is_(None))
    )).one_or_none()
    if row is None:
        return []
    wanted = {"service_url": team.service_url, "bot_id": team.bot_id}
    if team.tenant_id:
        wanted["tenant_id"] = team.tenant_id
    return await _write_differences(session, Team, row, wanted)


async def _write_differences(session: AsyncSession, model: type, row: Any, wanted: dict[str, Any]) -> list[str]:
    """Update `model`'s row `row.id` with the `wanted` values that differ from `row`'s; their names."""
    changed = {name: value for name, value in wanted.items() if getattr(row, name) != value}
    if changed:
        await session.execute(update(model).where(model.id == row.id).values(**changed)
                              .execution_options(synchronize_session=False))
    return sorted(changed)


async def mark_team_removed(session: AsyncSession, team_id: str, *, now: datetime) -> None:
    await session.execute(update(Team).where(Team.team_id == team_id, Team.removed_at.is_(None))
                          .values(removed_at=now).execution_options(synchronize_session=False))


async def record_channel(session: AsyncSession, team_row_id: int, channel_id: str, name: str | None) -> None:
    """Insert or refresh a channel (created, renamed or restored); a name of None keeps the old one."""
    table = Channel.__table__
    stmt = _insert(session)(Channel).values(team_id=team_row_id, channel_id=channel_id, name=name or "")
    set_: dict[str, Any] = {"deleted_at": None}
    if name:
        set_["name"] = stmt.excluded.name
    await session.execute(stmt.on_conflict_do_update(index_elements=[table.c.team_id, table.c.channel_id], set_=set_))


async def mark_channel_deleted(session: AsyncSession, team_row_id: int, channel_id: str, *, now: datetime) -> None:
    await session.execute(
        update(Channel).where(Channel.team_id == team_row_id, Channel.channel_id == channel_id,
                              Channel.deleted_at.is_(None))
        .values(deleted_at=now).execution_options(synchronize_session=False)
    )


async def actor_for_chat(db: Database, conversation_id: str, user_id: str | None) -> Person | None:
    """The active roster person behind a personal chat (its Conversation's linked Person)."""
    if not conversation_id:
        return None
    async with db.sessions() as session:
        chat = (await session.execute(
            select(Conversation).where(Conversation.conversation_id == conversation_id))).scalar_one_or_none()
        if chat is None or chat.person_id is None or not user_id or chat.user_id != user_id:
            return None
        person = await session.get(Person, chat.person_id)
    return person if person is not None and person.active else None
