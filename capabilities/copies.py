"""The other copies of a notice several people received, updated in place (shared machinery).

When one of several recipients decides (a QA-unit member agrees a moderation, a panel member
records a dip-sample item, a team member resolves a practice alert), every other copy should show
who decided, with no button left to press. `update_copies`, called inside the decision's
transaction, writes what makes that happen:

- a copy already sent (an outbox row sent, with its Teams activity id): one outbox row of `kind`
  whose payload says `"replaces": <activity id>`; the sender (bot/sender.py) delivers it as an
  UpdateActivity at Teams' pace, in the copy's lane. A copy sent inside a digest has the whole
  digest rebuilt with its section changed, the other notices as they were. The copy's own row
  records the payload its message now shows (as a press's `Reply.shown` does), so a later press
  on it rebuilds from what people see; `storage.outbox.sent_rows` leaves the change rows out.
- a copy not yet sent (pending, retrying): it goes out showing the new card.
- a copy in flight at that moment ("sending"), undeliverable, or the pressed one (`skip`): left
  alone. The pressed message is replaced by the press's own answer (bot/card_actions.py); a card
  in flight still carries its Universal Actions `refresh`, where it has one, and a press on it
  finds the record decided and answers politely, changing nothing.

The update rows are keyed `<key>:<copy row id>`, so writing the same decision's updates twice adds
nothing. Pure of Teams: rows in, rows out.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.registry import OutboxKind
from dialogs.digest import digest_activity
from dialogs.payload import Payload
from storage import outbox
from storage.models import OutboxMessage


@dataclass(frozen=True)
class CopiesUpdated:
    updated: int  # sent messages to be replaced in place (UpdateActivity through the sender)
    queued: int  # copies not yet sent, which now go out showing the new card


def _message_card(payloads: Sequence[dict]) -> tuple[dict | None, str]:
    """The card and text one message shows for `payloads` (one notice, or a digest of several)."""
    activity = digest_activity(payloads)
    attachments = activity.get("attachments") or []
    return (attachments[0].get("content") if attachments else None), str(activity.get("text") or "")


async def update_copies(session: AsyncSession, key_prefixes: Sequence[str], card: dict | Callable[[dict], dict],
                        summary: str, *, kind: OutboxKind, key: str, now: datetime, skip: Collection[int] = (),
                        only: Callable[[OutboxMessage], bool] | None = None) -> CopiesUpdated:
    """Make every copy of a notice (outbox rows whose idempotency key begins with one of
    `key_prefixes`, and that `only` keeps), except the rows `skip`, show `card` (see the module notes):
    a card, or a change from the card a copy shows to the card it should (one section of a notice about
    several cases, say). In the caller's transaction; `key` names this change (one decision)."""
    rows = [r for r in await outbox.copies(session, key_prefixes, skip=skip) if only is None or only(r)]
    mine = {r.id for r in rows}
    fixed = None if callable(card) else Payload.of(card, summary).to_json()

    def new_for(row: OutboxMessage) -> dict:
        if fixed is not None:
            return dict(fixed)
        return Payload.of(card((row.payload or {}).get("card") or {}), summary).to_json()  # type: ignore[operator]

    new = {r.id: new_for(r) for r in rows}
    queued = 0
    for row in rows:
        if row.state in ("pending", "retrying"):
            row.payload = new[row.id]
            queued += 1
    messages: list[outbox.Message] = []
    for (activity_id, _chat), carried in (await outbox.sent_together(session, rows)).items():
        payloads = [dict(new[r.id]) if r.id in mine else dict(r.payload or {}) for r in carried]
        content, text = _message_card(payloads)
        if content is None:
            continue
        first = next(r for r in carried if r.id in mine)
        for row in carried:
            if row.id in mine:
                row.payload = dict(new[row.id])
        messages.append(outbox.Message(
            key=f"{key}:{first.id}", kind=kind, person_id=first.person_id, conversation_id=first.conversation_id,
            due_at=now, payload=Payload.of(content, summary, text=text or None, alone=True, replaces=activity_id)))
    await session.flush()
    updated = await outbox.enqueue_many(session, messages, now=now)
    return CopiesUpdated(updated, queued)


def pressed(rows: Sequence[OutboxMessage]) -> list[int]:
    """The outbox rows of the pressed message (a `Press`'s rows): the press replaces that one itself."""
    return [r.id for r in rows]
