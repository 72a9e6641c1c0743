"""Broadcasts' use cases. Each is one transaction on the kit's `unit` (a roster person, re-checked
with access.py) or `operator` (the command line, actor_id None): it checks the broadcast's state,
changes it, writes a trail row (counts and flags, never the message) and its outbox rows, and
answers with an Outcome (a refusal's message says why; nothing was written).

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

import difflib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.broadcasts import access, kinds
from capabilities.context import Context
from capabilities.kit import Act, Outcome, Status, already, invalid, operator, refuse, unit, use_case
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
from qa.identifiers import first_refusal
from storage import broadcasts as store
from storage import follow_ups
from storage.models import Broadcast, BroadcastRecipient, OutboxMessage
from storage.outbox import Message, enqueue_many

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


@dataclass
class Sent(Outcome):
    broadcast_id: int = 0
    recipients: int = 0
    send_at: datetime | None = None


@asynccontextmanager
async def _unit(ctx: Context, actor_id: int | None, *, now: datetime, via: str, what: str) -> AsyncIterator[Act]:
    """A roster person on the QA unit (`what` they may not do otherwise), or the command line's
    operator when `actor_id` is None."""
    if actor_id is None:
        async with operator(ctx, now=now, via=via) as act:
            yield act
        return
    async with unit(ctx, actor_id, now=now, via=via) as act:
        if not access.may_broadcast(act.actor):
            refuse(f"only the QA unit can {what} broadcasts")
        yield act


async def count_recipients(ctx: Context, audience: Audience) -> int:
    async with ctx.db.sessions() as session:
        return len(await store.select_recipients(session, audience))


async def queue_broadcast(act: Act, checked: Checked, *, key: str | None = None,
                          chaser_days: int = CHASER_WORKING_DAYS) -> Sent | None:
    """`send`'s work inside the caller's unit (the practice-week duty uses it with a key, so each
    notice goes once); None when `key` was used already."""
    session, now, cal, draft = act.session, act.now, act.calendar, checked.draft
    broadcast = await store.add_broadcast(
        session, title=draft.title, message=draft.message, audience=checked.audience, ask_ack=draft.ask_ack,
        send_at=checked.send_at, now=now, created_by_id=act.actor.id if act.actor else None, link_url=draft.link_url,
        link_title=draft.link_title, key=key)
    if broadcast is None:
        return None
    missing = await store.unknown_channels(session, checked.audience)
    if missing:
        raise BroadcastRefused(f"the bot is not installed in channel {missing[0]!r}")
    recipients = await store.select_recipients(session, checked.audience)
    if not recipients and key is None:  # a notice to nobody is a mistyped audience, not a broadcast
        raise BroadcastRefused(await _matches_nobody(session, checked.audience))
    count = await store.queue(session, broadcast, recipients, kind=kinds.BROADCAST, payload=_payload(broadcast),
                              now=now)
    if draft.ask_ack:
        await follow_ups.owe(session, key=f"{CHASER_KIND}:{broadcast.id}", kind=CHASER_KIND, subject_type="broadcast",
                             subject_id=broadcast.id, due_at=chaser_due(checked.send_at, cal, chaser_days),
                             now=now)
    act.trail("broadcast", broadcast.id, "broadcast_queued", recipients=count, ack=draft.ask_ack,
              title_length=len(draft.title), message_length=len(draft.message), link=draft.link_url is not None,
              scheduled=draft.at is not None)
    return Sent(Status.DONE, broadcast_id=broadcast.id, recipients=count, send_at=checked.send_at)


async def _matches_nobody(session: AsyncSession, audience: Audience) -> str:
    """The refusal of an audience that selects nobody: the audience as given and, for its area and team
    terms, the nearest service area and team names on the roster."""
    areas, teams = await store.roster_areas_and_teams(session)
    near: list[str] = []
    for term in audience.terms:
        names = areas if term.kind == "area" else teams if term.kind == "team" else []
        near += [f"{term.kind}={n!r}" for n in difflib.get_close_matches(term.value, names, n=3, cutoff=0.4)
                 if f"{term.kind}={n!r}" not in near]
    told = f"the audience {' '.join(str(t) for t in audience.terms) or 'everyone'} matches nobody on the roster"
    if near:
        return f"{told}; nearest: {', '.join(near)}. Nothing was sent"
    return f"{told}. Nothing was sent"


@use_case(Sent)
async def send(ctx: Context, actor_id: int | None, draft: Draft, *, now: datetime, via: str,
               chaser_days: int = CHASER_WORKING_DAYS) -> Sent:
    """Queue a broadcast to everyone its audience selects. `actor_id` None: the command line (the
    operator); else they must be on the QA unit."""
    async with _unit(ctx, actor_id, now=now, via=via, what="send") as act:
        try:
            checked = check(draft, now, ctx)
            sent = await queue_broadcast(act, checked, chaser_days=chaser_days)
        except BroadcastRefused as exc:
            invalid(str(exc))
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


NOT_ON_STAFF_ROSTER = "I can't find you on the staff roster, so I can't record this."


@dataclass
class Acked(Outcome):
    notice: NoticeView | None = None  # the notice as it now is, for its card
    at: datetime | None = None  # when it was acknowledged

    @property
    def ok(self) -> bool:
        return self.at is not None


@use_case(Acked)
async def acknowledge(ctx: Context, actor_id: int | None, broadcast_id: int, pressed: Sequence[int], *,
                      now: datetime, via: str = "card:broadcast_ack") -> Acked:
    """Record "I've read this" for the person who pressed it, once; re-checked on the server: the
    pressed message (outbox ids `pressed`) must be their copy of this broadcast or its chaser."""
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=NOT_ON_STAFF_ROSTER) as act:
        # The button's id is signed: a broadcast not found was, and its records are gone.
        broadcast = await act.get(Broadcast, broadcast_id, missing=GONE)
        recipient = await store.recipient_of(act.session, broadcast_id, act.actor.id)
        if recipient is None:
            refuse("This notice wasn't sent to you, so nothing was recorded.")
        if broadcast.state == "cancelled" or recipient.withdrawn_at is not None:
            already("This notice was withdrawn by the QA unit; nothing to acknowledge.")
        if not broadcast.ask_ack:
            invalid("This notice doesn't ask for an acknowledgement.")
        chaser = await act.session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.idempotency_key == f"broadcast-chaser:{broadcast_id}:{act.actor.id}",
            OutboxMessage.kind == kinds.BROADCAST_CHASER, OutboxMessage.person_id == act.actor.id))
        if recipient.outbox_id not in pressed and (chaser is None or chaser not in pressed):
            refuse("This card is not your copy of the notice; nothing was recorded.")
        if recipient.acknowledged_at is not None:
            return Acked(Status.ALREADY, "Already acknowledged.", notice=notice_view(broadcast),
                         at=recipient.acknowledged_at)
        recipient.acknowledged_at = now
        if recipient.read_at is None:
            recipient.read_at = now
        act.trail("broadcast", broadcast_id, "broadcast_acknowledged")
        return Acked(Status.DONE, "Thank you: acknowledged.", notice=notice_view(broadcast), at=now)


# -- cancel and correct ---------------------------------------------------------------------

@dataclass
class Cancelled(Outcome):
    stopped: int = 0  # messages that will not be sent
    withdrawn: int = 0  # messages already sent that will be deleted


@use_case(Cancelled)
async def cancel(ctx: Context, actor_id: int | None, broadcast_id: int, *, now: datetime, via: str,
                 withdraw: bool = True) -> Cancelled:
    """Stop the rest of a broadcast; with `withdraw`, delete the messages already sent (through the
    outbox, at the rate limit). Refused: not QA unit; not found; already cancelled."""
    async with _unit(ctx, actor_id, now=now, via=via, what="cancel") as act:
        session = act.session
        broadcast = await act.lock(Broadcast, broadcast_id, missing=f"there is no broadcast {broadcast_id}")
        if broadcast.state == "cancelled":
            already(f"broadcast {broadcast_id} was already cancelled")
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
        act.trail("broadcast", broadcast_id, "broadcast_cancelled", stopped=stopped, withdrawn=withdrawn)
        return Cancelled(Status.DONE, stopped=stopped, withdrawn=withdrawn)


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


@dataclass
class Corrected(Outcome):
    updated: int = 0  # sent cards to update in place
    queued: int = 0  # not yet sent: they go corrected


@use_case(Corrected)
async def correct(ctx: Context, actor_id: int | None, broadcast_id: int, message: str, title: str | None = None, *,
                  now: datetime, via: str) -> Corrected:
    """Change a broadcast's message (and title): queued rows carry the corrected card; every sent
    card is updated in place through the outbox, at the rate limit."""
    async with _unit(ctx, actor_id, now=now, via=via, what="correct") as act:
        message = (message or "").strip()
        if not message or len(message) > MESSAGE_MAX:
            invalid(f"a corrected message has 1 to {MESSAGE_MAX:,} characters")
        refusal = first_refusal({"The message": message, "The title": title})
        if refusal:
            invalid(refusal)
        session = act.session
        broadcast = await act.lock(Broadcast, broadcast_id, missing=f"there is no broadcast {broadcast_id}")
        if broadcast.state == "cancelled":
            already(f"broadcast {broadcast_id} was cancelled; it can't be corrected")
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
        act.trail("broadcast", broadcast_id, "broadcast_corrected", message_length=len(message), updated=updated,
                  queued=queued)
        return Corrected(Status.DONE, updated=updated, queued=queued)
