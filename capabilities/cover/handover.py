"""Work already sent to someone handed to their cover when they go (away, or left), and given back when
they return (framework section 21). The rule for new work is capabilities/addressing.py; this moves
what was addressed before the absence began.

- `hand_over`: each open notice of a covered kind of the person's (sent within `LOOK_BACK_DAYS`, its work
  still to do by the item's own state, capabilities/cover/open_work.py; or not yet sent) goes to whoever qa.cover.receiver names, with
  "Covering for <name>"; a sent one is also updated in place in the person's chat ("<cover> is covering
  this"), a copy inside a digest by rebuilding the digest with only its section changed.
- `give_back`: on the morning they are back, each covered notice whose work is still to do (the same
  test, open_work.py: an oversight not yet confirmed, an update not yet received, an alert not yet
  resolved) comes back to them, and one
  card says what went to their cover and what the cover did for them.

Deadlines do not move: the follow-ups that chase the work are addressed through the same rule.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.cover import kinds
from capabilities.cover.open_work import still_open
from capabilities.registry import covered_kinds
from dialogs import cover_cards as cc
from dialogs.card_kit import format_day
from dialogs.digest import digest_activity
from dialogs.payload import Payload
from qa import emails
from qa.cover import AWAY, receiver
from storage import cover as store
from storage import outbox
from storage.models import OutboxMessage, Person, TrailEvent
from storage.people import person_by_email

LOOK_BACK_DAYS = 60  # a notice older than this is past its cycle; its own chases bring it up again


async def named_cover(session: AsyncSession, email: str, who: int | None) -> tuple[Person | None, str | None]:
    """The cover named by `email` (None when empty: their manager), or why it cannot be (one sentence)."""
    typed = (email or "").strip()
    if not typed:
        return None, None
    if emails.key(typed) is None:
        return None, "The cover's email is not an email address. Give it, or leave it empty for their manager."
    cover = await person_by_email(session, typed)
    if cover is None or not cover.active:
        return None, "I can't find that cover on the roster. Give the email of someone on it, or leave it empty."
    if cover.id == who:
        return None, "Someone can't cover for themselves. Give someone else, or leave it empty for their manager."
    return cover, None


def _trail(session: AsyncSession, person_id: int, cover_id: int, kind: str, key: str, reason: str, *, now: datetime,
           via: str) -> None:
    session.add(store.work_covered(person_id, cover_id, kind, key, reason, now=now, via=via))


async def _update_in_place(session: AsyncSession, row: OutboxMessage, new: dict, summary: str, *, key: str,
                           now: datetime) -> None:
    """Make the sent `row`'s message show `new` (a digest rebuilt with only its section changed)."""
    for (activity_id, _chat), carried in (await outbox.sent_together(session, [row])).items():
        fresh = Payload.of(new, summary).to_json()
        payloads = [fresh if r.id == row.id else dict(r.payload or {}) for r in carried]
        activity = digest_activity(payloads)
        attachments = activity.get("attachments") or []
        if not attachments:
            continue
        row.payload = fresh
        await outbox.enqueue_many(session, [outbox.Message(
            key=f"{key}:{row.id}", kind=kinds.HANDED_OVER, person_id=row.person_id, conversation_id=row.conversation_id,
            due_at=now, payload=Payload.of(attachments[0].get("content"), summary,
                                           text=str(activity.get("text") or "") or None, alone=True,
                                           replaces=activity_id))], now=now)


async def hand_over(session: AsyncSession, person_id: int, *, now: datetime, day: date, via: str) -> list[str]:
    """Hand `person_id`'s open covered work to their cover for `day` (see the module notes). In the caller's
    transaction. Returns the kinds moved (one per notice); none when they are there or nobody covers."""
    route = receiver(person_id, day, await store.directory(session, day))
    if not route.moved:
        return []
    names = await store.names(session, {person_id, route.to})
    name, cover_name = names.get(person_id, "a colleague"), names.get(route.to, "a colleague")
    moved: list[str] = []
    copies: list[outbox.Message] = []
    rows = await store.open_rows_of(session, person_id, covered_kinds(), now - timedelta(days=LOOK_BACK_DAYS))
    to_do = await still_open(session, [r for r in rows if r.state not in ("pending", "retrying")])
    for row in rows:
        payload = Payload.from_json(row.payload)
        if row.state in ("pending", "retrying"):  # not yet sent: it goes to the cover instead
            row.person_id, row.conversation_id = route.to, None
            row.payload = cc.covering(payload, name, route.reason).to_json()
            _trail(session, person_id, route.to, row.kind, row.idempotency_key, route.reason, now=now, via=via)
            moved.append(row.kind)
            continue
        if row.id not in to_do:
            continue
        copy_key = f"{row.idempotency_key}:cover:{route.to}"
        copies.append(outbox.Message(key=copy_key, kind=row.kind, person_id=route.to,
                                     payload=cc.covering(payload, name, route.reason), due_at=now))
        _trail(session, person_id, route.to, row.kind, copy_key, route.reason, now=now, via=via)
        if route.reason == AWAY:  # a leaver's chat is not read again
            await _update_in_place(session, row, cc.handed_over(payload.card, cover_name), payload.summary,
                                   key=f"cover-handover:{day.isoformat()}", now=now)
        moved.append(row.kind)
    await session.flush()
    await outbox.enqueue_many(session, copies, now=now)
    return moved


def _what(kind: str) -> str:
    return kind.replace("-", " ").capitalize()


async def give_back(session: AsyncSession, person_id: int, first: date, last: date, *, since: datetime,
                    now: datetime, via: str, done_words) -> int:
    """On the morning `person_id` is back: covered notices still open come back to them (the cover line
    off), and one welcome-back card lists what went to whom and what was done for them. `since` is the
    start of the absence (UTC); `done_words(DoneFor, names) -> str` words what the cover did. Returns the
    items given back; nothing is written when nothing went to a cover."""
    covered = await store.covered_since(session, since, [person_id])
    if not covered:
        return 0
    rows = await store.rows_by_keys(session, [c.key for c in covered])
    names = await store.names(session, {c.cover_id for c in covered} | {person_id})
    back: list[outbox.Message] = []
    to_do = await still_open(session, list(rows.values()))
    for c in covered:
        row = rows.get(c.key)
        if row is not None and row.id in to_do:
            payload = Payload.from_json(row.payload)
            back.append(outbox.Message(key=f"{c.key}:back", kind=kinds.GIVEN_BACK, person_id=person_id,
                                       payload=Payload.of(cc.given_back(payload.card),
                                                          payload.summary.split(": ", 1)[-1]), due_at=now))
    done = await store.done_for(session, person_id, {c.cover_id for c in covered}, since, now)
    view = cc.ReturnView(names.get(person_id, ""), first, last,
                         tuple((_what(c.kind), names.get(c.cover_id, "a colleague")) for c in covered),
                         tuple(done_words(d, names) for d in done), len(back))
    summary = f"Welcome back: {len(covered)} item(s) went to your cover; {len(back)} come back to you"
    await outbox.enqueue_many(session, [outbox.Message(
        key=f"{kinds.RETURN_SUMMARY}:{person_id}:{last.isoformat()}", kind=kinds.RETURN_SUMMARY, person_id=person_id,
        payload=kinds.RETURN_SUMMARY.message(view, summary=summary), due_at=now)] + back, now=now)
    session.add(TrailEvent(subject_type="person", subject_id=person_id, month=None, actor_id=None,
                           action=store.RETURN_SUMMARY, via=via, at=now,
                           detail={"covered": len(covered), "given_back": len(back), "done": len(done)}))
    return len(back)


def done_words(d: store.DoneFor, names: dict[int, str]) -> str:
    """"Hana Example: practice alert responded, 9 Dec" for one thing a cover did."""
    return f"{names.get(d.actor_id or 0, 'Someone')}: {d.action.replace('_', ' ')} ({d.subject_type} {d.subject_id}), " \
           f"{format_day(d.at.date())}"
