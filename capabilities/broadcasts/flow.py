"""Broadcasts' use cases (issue 13). Each is one transaction: it re-checks who may act, checks the
broadcast's state, changes it, writes a trail row (counts and flags, never the message) and
its outbox rows.

- `send`: check the draft (lengths, identifiers, audience, send time inside working hours), select
  the recipients, queue one outbox row each in bulk, owe the chaser when an acknowledgement is asked.
- `acknowledge`: "I've read this"; the card is updated in place ("Acknowledged on ...").
- `read_receipt`: Teams' read receipt marks every broadcast message in that chat at or before it read.
- `cancel`: nothing more is sent; messages already sent are withdrawn (DeleteActivity, through the
  outbox at the rate limit) when asked.
- `correct`: the message is changed; every sent card is updated in place through the outbox, at the
  rate limit, and people not yet sent it get the corrected one.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from capabilities.broadcasts import kinds
from capabilities.context import Context
from dialogs.broadcast_cards import NoticeView
from dialogs.payload import Payload
from qa.audience import Audience, AudienceError, parse_audience
from qa.broadcasts import (
    CHASER_WORKING_DAYS,
    LINK_MAX,
    MESSAGE_MAX,
    TITLE_MAX,
    BroadcastRefused,
    chaser_due,
    check_send_at,
)
from qa.calendar import WorkingCalendar
from qa.identifiers import first_refusal
from storage import broadcasts as store
from storage import follow_ups
from storage.models import Broadcast, BroadcastRecipient, OutboxMessage, Person, TrailEvent
from storage.outbox import Message, enqueue_many

QA_UNIT = "qa_unit"
CHASER_KIND = "broadcast-chaser"


@dataclass(frozen=True)
class Draft:
    title: str
    message: str
    audience: Sequence[str]  # qa.audience terms
    ask_ack: bool = False
    at: datetime | None = None  # None: now
    link_url: str | None = None
    link_title: str | None = None


@dataclass(frozen=True)
class Checked:
    draft: Draft
    audience: Audience
    send_at: datetime


def check(draft: Draft, now: datetime, ctx: Context) -> Checked:
    """The draft, checked; BroadcastRefused says the first thing wrong (for the composer)."""
    title, message = (draft.title or "").strip(), (draft.message or "").strip()
    if not title:
        raise BroadcastRefused("a broadcast needs a title")
    if not message:
        raise BroadcastRefused("a broadcast needs a message")
    if len(title) > TITLE_MAX:
        raise BroadcastRefused(f"the title is longer than {TITLE_MAX} characters")
    if len(message) > MESSAGE_MAX:
        raise BroadcastRefused(f"the message is longer than {MESSAGE_MAX:,} characters")
    link = (draft.link_url or "").strip() or None
    if link is not None and (len(link) > LINK_MAX or not link.startswith("https://") or " " in link):
        raise BroadcastRefused("the link must be one https:// address")
    refusal = first_refusal({"The title": title, "The message": message, "The link's title": draft.link_title})
    if refusal:
        raise BroadcastRefused(refusal)
    try:
        audience = parse_audience(draft.audience)
    except AudienceError as exc:
        raise BroadcastRefused(str(exc)) from None
    if not draft.audience:
        raise BroadcastRefused("say who it is for: everyone, or roles, service areas, teams or a channel")
    send_at = now if draft.at is None else draft.at
    if draft.at is not None:
        check_send_at(draft.at, now, ctx.calendar)
    clean = Draft(title, message, tuple(draft.audience), draft.ask_ack, draft.at, link,
                  (draft.link_title or "").strip()[:100] or None)
    return Checked(clean, audience, send_at)


def notice_view(broadcast: Broadcast) -> NoticeView:
    return NoticeView(broadcast.id, broadcast.title, broadcast.message, broadcast.link_url, broadcast.link_title,
                      broadcast.ask_ack)


def _payload(broadcast: Broadcast) -> Payload:
    # A broadcast is always its own message: it is updated in place later (acknowledged, corrected).
    return kinds.BROADCAST.message(notice_view(broadcast), summary=f"{broadcast.title} (from the QA unit)", alone=True)


@dataclass(frozen=True)
class Sent:
    broadcast_id: int
    recipients: int
    send_at: datetime


async def count_recipients(ctx: Context, audience: Audience) -> int:
    async with ctx.db.sessions() as session:
        return len(await store.select_recipients(session, audience))


async def queue_broadcast(session, checked: Checked, *, now: datetime, cal: WorkingCalendar, actor_id: int | None,
                          via: str,
                          key: str | None = None, chaser_days: int = CHASER_WORKING_DAYS) -> Sent | None:
    """`send`'s work inside the caller's transaction (the practice-week duty uses it with a key,
    so each notice goes once); None when `key` was used already."""
    draft = checked.draft
    broadcast = await store.add_broadcast(
        session, title=draft.title, message=draft.message, audience=checked.audience, ask_ack=draft.ask_ack,
        send_at=checked.send_at, now=now, created_by_id=actor_id, link_url=draft.link_url,
        link_title=draft.link_title, key=key)
    if broadcast is None:
        return None
    missing = await store.unknown_channels(session, checked.audience)
    if missing:
        raise BroadcastRefused(f"the bot is not installed in channel {missing[0]!r}")
    recipients = await store.select_recipients(session, checked.audience)
    count = await store.queue(session, broadcast, recipients, kind=kinds.BROADCAST, payload=_payload(broadcast),
                              now=now)
    if draft.ask_ack:
        await follow_ups.owe(session, key=f"{CHASER_KIND}:{broadcast.id}", kind=CHASER_KIND, subject_type="broadcast",
                             subject_id=broadcast.id, due_at=chaser_due(checked.send_at, cal, chaser_days),
                             now=now)
    session.add(TrailEvent(subject_type="broadcast", subject_id=broadcast.id, actor_id=actor_id,
                           action="broadcast_queued", via=via, at=now,
                           detail={"recipients": count, "ack": draft.ask_ack, "title_length": len(draft.title),
                                   "message_length": len(draft.message), "link": draft.link_url is not None,
                                   "scheduled": draft.at is not None}))
    return Sent(broadcast.id, count, checked.send_at)


async def send(ctx: Context, draft: Draft, *, actor: Person | None, via: str, now: datetime | None = None,
               chaser_days: int = CHASER_WORKING_DAYS) -> Sent:
    """Queue a broadcast to everyone its audience selects. `actor` None: the command line (the
    operator); else they must be on the QA unit. Raises BroadcastRefused."""
    now = now or ctx.clock()
    if actor is not None and actor.role != QA_UNIT:
        raise BroadcastRefused("only the QA unit can send broadcasts")
    checked = check(draft, now, ctx)
    async with ctx.db.sessions.begin() as session:
        sent = await queue_broadcast(session, checked, now=now, cal=ctx.calendar, actor_id=actor.id if actor else None,
                                     via=via, chaser_days=chaser_days)
    assert sent is not None
    return sent


# -- read receipts and acknowledgements -----------------------------------------------------

async def read_receipt(ctx: Context, conversation_id: str, last_read: str, now: datetime) -> int:
    """Teams' read receipt in a personal chat: the recipients newly marked read."""
    if not conversation_id or not last_read:
        return 0
    async with ctx.db.sessions.begin() as session:
        return await store.mark_read(session, conversation_id, last_read, now)


GONE = ("The bot no longer keeps this notice (broadcasts are deleted once past their retention period), "
        "so nothing was recorded.")


@dataclass(frozen=True)
class Acked:
    ok: bool
    message: str
    broadcast: Broadcast | None = None
    at: datetime | None = None
    outbox_id: int | None = None


async def acknowledge(ctx: Context, *, broadcast_id: int, actor: Person | None, rows: Sequence[OutboxMessage],
                      now: datetime, via: str = "card:broadcast_ack") -> Acked:
    """Record "I've read this" for the person who pressed it, once; re-checked on the server: the
    pressed message must be their copy of this broadcast (or its chaser)."""
    if actor is None:
        return Acked(False, "I can't find you on the staff roster, so I can't record this.")
    async with ctx.db.sessions.begin() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        if broadcast is None:  # the button's id is signed: the broadcast was, and its records are gone
            return Acked(False, GONE)
        recipient = await store.recipient_of(session, broadcast_id, actor.id)
        if recipient is None:
            return Acked(False, "This notice wasn't sent to you, so nothing was recorded.")
        if broadcast.state == "cancelled" or recipient.withdrawn_at is not None:
            return Acked(False, "This notice was withdrawn by the QA unit; nothing to acknowledge.", broadcast)
        if not broadcast.ask_ack:
            return Acked(False, "This notice doesn't ask for an acknowledgement.", broadcast)
        # The pressed message must be their own copy (or their chaser) of this broadcast.
        mine = [r for r in rows if r.id == recipient.outbox_id or (
            r.kind == kinds.BROADCAST_CHASER and r.person_id == actor.id
            and r.idempotency_key == f"broadcast-chaser:{broadcast_id}:{actor.id}")]
        if not mine:
            return Acked(False, "This card is not your copy of the notice; nothing was recorded.", broadcast)
        if recipient.acknowledged_at is not None:
            return Acked(True, "Already acknowledged.", broadcast, recipient.acknowledged_at, recipient.outbox_id)
        recipient.acknowledged_at = now
        if recipient.read_at is None:
            recipient.read_at = now
        session.add(TrailEvent(subject_type="broadcast", subject_id=broadcast_id, actor_id=actor.id,
                               action="broadcast_acknowledged", via=via, at=now, detail={}))
        return Acked(True, "Thank you: acknowledged.", broadcast, now, recipient.outbox_id)


# -- cancel and correct ---------------------------------------------------------------------

@dataclass(frozen=True)
class Cancelled:
    stopped: int  # messages that will not be sent
    withdrawn: int  # messages already sent that will be deleted


async def cancel(ctx: Context, broadcast_id: int, *, actor: Person | None, via: str, withdraw: bool = True,
                 now: datetime | None = None) -> Cancelled:
    """Stop the rest of a broadcast; with `withdraw`, delete the messages already sent (through the
    outbox, at the rate limit). Raises BroadcastRefused (unknown, already cancelled, not QA unit)."""
    now = now or ctx.clock()
    if actor is not None and actor.role != QA_UNIT:
        raise BroadcastRefused("only the QA unit can cancel broadcasts")
    async with ctx.db.sessions.begin() as session:
        broadcast = await session.get(Broadcast, broadcast_id, with_for_update=True)
        if broadcast is None:
            raise BroadcastRefused(f"there is no broadcast {broadcast_id}")
        if broadcast.state == "cancelled":
            raise BroadcastRefused(f"broadcast {broadcast_id} was already cancelled")
        broadcast.state, broadcast.cancelled_at = "cancelled", now
        stopped = await store.cancel_queued(session, broadcast_id, now)
        await follow_ups.cancel_for(session, "broadcast", [broadcast_id], now)
        withdrawn = 0
        if withdraw:
            sent = await store.sent_messages(session, broadcast_id)
            withdrawal = kinds.BROADCAST_WITHDRAWAL.card(broadcast.title)
            messages = [Message(key=f"broadcast-withdrawal:{broadcast_id}:{rid}", kind=kinds.BROADCAST_WITHDRAWAL,
                                person_id=None, conversation_id=conversation_id, due_at=now,
                                payload=Payload.of(withdrawal, "Notice withdrawn", alone=True, withdraws=activity))
                        for rid, _url, conversation_id, activity, _tenant in sent]
            withdrawn = await enqueue_many(session, messages, now=now)
            if sent:
                await session.execute(update(BroadcastRecipient)
                                      .where(BroadcastRecipient.id.in_([s[0] for s in sent]))
                                      .values(withdrawn_at=now).execution_options(synchronize_session=False))
        session.add(TrailEvent(subject_type="broadcast", subject_id=broadcast_id, actor_id=actor.id if actor else None,
                               action="broadcast_cancelled", via=via, at=now,
                               detail={"stopped": stopped, "withdrawn": withdrawn}))
    return Cancelled(stopped, withdrawn)


CORRECTION_KIND = "broadcast-correction"
CORRECTION_AFTER = timedelta(minutes=5)  # messages in flight at a correction are out (a claim lasts seconds)


async def queue_updates(session, broadcast: Broadcast, tz, now: datetime) -> int:
    """An update in place (outbox, kind broadcast-update) for every sent, not withdrawn message of
    the broadcast, showing its current words; keyed by the correction, so running it again for the
    same correction adds only the messages sent since. The updates queued."""
    sent = await store.sent_messages(session, broadcast.id)
    acked = dict((await session.execute(
        select(BroadcastRecipient.id, BroadcastRecipient.acknowledged_at)
        .where(BroadcastRecipient.broadcast_id == broadcast.id,
               BroadcastRecipient.acknowledged_at.is_not(None)))).all())
    view, at = notice_view(broadcast), broadcast.corrected_at or now
    messages = [Message(key=f"broadcast-update:{broadcast.id}:{rid}:{at.isoformat()}", kind=kinds.BROADCAST_UPDATE,
                        person_id=None, conversation_id=conversation_id, due_at=now,
                        payload=Payload.of(kinds.BROADCAST_UPDATE.card(view, at, tz, acknowledged_at=acked.get(rid)),
                                           f"{broadcast.title} (corrected)", alone=True, replaces=activity))
                for rid, _url, conversation_id, activity, _tenant in sent]
    return await enqueue_many(session, messages, now=now)


@dataclass(frozen=True)
class Corrected:
    updated: int  # sent cards to update in place
    queued: int  # not yet sent: they go corrected


async def correct(ctx: Context, broadcast_id: int, *, message: str, title: str | None = None,
                  actor: Person | None, via: str, now: datetime | None = None) -> Corrected:
    """Change a broadcast's message (and title): queued rows carry the corrected card; every sent
    card is updated in place through the outbox, at the rate limit. Raises BroadcastRefused."""
    now = now or ctx.clock()
    if actor is not None and actor.role != QA_UNIT:
        raise BroadcastRefused("only the QA unit can correct broadcasts")
    message = (message or "").strip()
    if not message or len(message) > MESSAGE_MAX:
        raise BroadcastRefused(f"a corrected message has 1 to {MESSAGE_MAX:,} characters")
    refusal = first_refusal({"The message": message, "The title": title})
    if refusal:
        raise BroadcastRefused(refusal)
    async with ctx.db.sessions.begin() as session:
        broadcast = await session.get(Broadcast, broadcast_id, with_for_update=True)
        if broadcast is None:
            raise BroadcastRefused(f"there is no broadcast {broadcast_id}")
        if broadcast.state == "cancelled":
            raise BroadcastRefused(f"broadcast {broadcast_id} was cancelled; it can't be corrected")
        broadcast.message = message
        if title and title.strip():
            broadcast.title = title.strip()[:TITLE_MAX]
        broadcast.corrected_at = now
        payload = _payload(broadcast)
        ids = select(BroadcastRecipient.outbox_id).where(BroadcastRecipient.broadcast_id == broadcast_id)
        queued = (await session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.state.in_(("pending", "retrying")))
            .values(payload=payload.to_json()).execution_options(synchronize_session=False))).rowcount or 0
        updated = await queue_updates(session, broadcast, ctx.calendar.tz, now)
        in_flight = (await session.execute(
            select(func.count()).where(OutboxMessage.id.in_(ids), OutboxMessage.state == "sending"))).scalar_one()
        if in_flight:  # being sent at this moment: their cards are updated once they are out
            await follow_ups.owe(session, key=f"{CORRECTION_KIND}:{broadcast_id}:{now.isoformat()}",
                                 kind=CORRECTION_KIND, subject_type="broadcast", subject_id=broadcast_id,
                                 due_at=now + CORRECTION_AFTER, now=now)
        session.add(TrailEvent(subject_type="broadcast", subject_id=broadcast_id, actor_id=actor.id if actor else None,
                               action="broadcast_corrected", via=via, at=now,
                               detail={"message_length": len(message), "updated": updated, "queued": queued}))
    return Corrected(updated, queued)
