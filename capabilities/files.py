"""What follows a press on Allow on a file consent card (bot/file_consent.py does the HTTP).

Teams shows "Something went wrong" when a `fileConsent/invoke` takes more than about ten
seconds, and a person who sees that presses Allow again; so the edge answers the press at once
and uploads in the background. What the person sees goes through the outbox, each message under
an idempotency key made from the chat and the consent card's message (`Consent`):

- `accept`: the first Allow changes the consent card's message in place (kind
  `file-consent-accepted`: the card it carried, without the consent card, and "Saving ...").
  The row is the record that this consent was taken: a second press, or Teams replaying the
  invoke after the upload finished, finds it and changes nothing.
- `saved`: the file info card, once the bytes are in the person's OneDrive (kind `file-sent`).
- `not_saved`: why not, when the offer refused or the upload failed after its retries (kind
  `file-not-sent`).

The kinds are registered by the capability that offers files (reports). Rows are due at once;
the edge delivers them through the Deliver port.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from capabilities.context import Context
from capabilities.registry import OutboxKind
from dialogs import report_cards as rc
from dialogs.payload import Payload
from storage import outbox


def _samples() -> dict[str, dict]:
    from dialogs import samples

    return samples.report_card_samples()


ACCEPTED = OutboxKind("file-consent-accepted", rc.file_saving_card, lambda: _samples()["file_saving"])
SENT = OutboxKind("file-sent", rc.file_saved_card, lambda: _samples()["file_saved"])
NOT_SENT = OutboxKind("file-not-sent", rc.file_not_saved_card, lambda: _samples()["file_not_saved"])
KINDS = (ACCEPTED, SENT, NOT_SENT)


@dataclass(frozen=True)
class Consent:
    """One file consent card's answer: the chat, the consent card's message (its activity id, or
    the upload's unique id when Teams gives no replyToId), who pressed (None: not on the roster)
    and the file's name."""

    conversation_id: str
    consent_id: str
    person_id: int | None
    name: str

    def key(self, kind: str) -> str:
        """The outbox idempotency key of this consent's `kind` message."""
        return f"{kind}:{self.conversation_id}:{self.consent_id}"


async def accept(ctx: Context, consent: Consent, shown: Mapping[str, Any] | None, *, replaces: str | None,
                 now: datetime) -> bool:
    """Record the first Allow on `consent`: the consent card's message (`replaces`, its activity
    id; None to send a new message instead) is changed to show `shown` (the card it carried, or
    None) and that the file is being saved. Returns True for the first Allow, False when this
    consent was taken already (a second press, or a replay): then nothing is written."""
    card = rc.file_saving_card(consent.name, dict(shown) if shown is not None else None)
    payload = Payload.of(card, f"Saving {consent.name} to your OneDrive", replaces=replaces)
    return await _enqueue(ctx, consent, ACCEPTED, payload, now)


async def saved(ctx: Context, consent: Consent, info: Mapping[str, Any], *, now: datetime) -> bool:
    """The file info card (`info`, dialogs.report_cards.file_info_attachment) for a file now in the
    person's OneDrive; False if it was queued already."""
    payload = Payload.of(rc.file_saved_card(consent.name), f"Saved {consent.name} to your OneDrive",
                         attachments=(dict(info),))
    return await _enqueue(ctx, consent, SENT, payload, now)


async def not_saved(ctx: Context, consent: Consent, reason: str, *, now: datetime) -> bool:
    """Tell the person `consent`'s file was not saved and why (`reason`, one or two sentences)."""
    payload = Payload.of(rc.file_not_saved_card(consent.name, reason), reason)
    return await _enqueue(ctx, consent, NOT_SENT, payload, now)


async def _enqueue(ctx: Context, consent: Consent, kind: OutboxKind, payload: Payload, now: datetime) -> bool:
    async with ctx.db.sessions.begin() as session:
        return await outbox.enqueue(session, key=consent.key(kind), kind=kind, person_id=consent.person_id,
                                    conversation_id=consent.conversation_id, payload=payload, due_at=now, now=now)
