"""A broadcast's recipients in chat: **Recipients (Excel)** on its report card offers every
recipient's status (the workbook `python -m bot broadcast report ID --out FILE` writes) through Teams'
file consent card. For its author and the QA unit, checked on the server at the press and again when
the file is made; each writes one trail row (`broadcast_recipients_asked`, `broadcast_recipients_exported`:
the rows, never names)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from capabilities.broadcasts import access, views
from capabilities.context import Context
from capabilities.kit import Outcome, Status, refuse, unit, use_case
from capabilities.press import positive_id
from capabilities.registry import FileMade, OutboxKind
from dialogs import report_cards as rc
from dialogs.payload import Payload
from storage.models import Broadcast

OFFER = "broadcast-recipients"
SENDING = "I'm sending the workbook to you here now: press Allow on the file card to save it."


def _sample() -> dict:
    from dialogs import samples

    return samples.report_card_samples()["report_file_offer"]


RECIPIENTS_OFFER = OutboxKind("broadcast-recipients", rc.file_offer_card, _sample)


@dataclass
class FileOutcome(Outcome):
    file: FileMade | None = None


async def _checked(act, broadcast_id: object) -> Broadcast:
    found = positive_id(broadcast_id)
    broadcast = await act.get(Broadcast, found, missing="That broadcast no longer exists.")
    if not access.may_have_recipients(act.actor, broadcast.created_by_id):
        refuse(access.RECIPIENTS_FOR)
    return broadcast


@use_case(Outcome)
async def send_recipients(ctx: Context, actor_id: int | None, broadcast_id: object, *, now: datetime,
                          via: str) -> Outcome:
    """Queue the offer of broadcast `broadcast_id`'s recipients workbook to the actor, due now."""
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=access.RECIPIENTS_FOR) as act:
        broadcast = await _checked(act, broadcast_id)
        data, rows = await views.recipients_workbook(ctx, broadcast.id)
        name = f"broadcast-{broadcast.id}-recipients.xlsx"
        description = f"Broadcast {broadcast.id}: every recipient's status ({rows:,} rows)"
        consent = rc.file_consent_attachment(name, description, len(data),
                                             {"offer": OFFER, "broadcast_id": str(broadcast.id)})
        payload = Payload.of(rc.file_offer_card(f"Recipients: {broadcast.title}", description), description,
                             attachments=(consent,))
        await act.notify(RECIPIENTS_OFFER, [act.actor], payload, due_at=now,
                         key=lambda pid: f"broadcast-recipients:{broadcast.id}:{pid}:{now.isoformat()}")
        act.trail("broadcast", broadcast.id, "broadcast_recipients_asked", rows=rows)
        return Outcome(Status.DONE, SENDING, urgent=True)


@use_case(FileOutcome)
async def make_recipients(ctx: Context, actor_id: int | None, broadcast_id: object, *, now: datetime,
                          via: str) -> FileOutcome:
    """The recipients workbook, made now for the actor (who may have it is checked again)."""
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=access.RECIPIENTS_FOR) as act:
        broadcast = await _checked(act, broadcast_id)
        data, rows = await views.recipients_workbook(ctx, broadcast.id)
        act.trail("broadcast", broadcast.id, "broadcast_recipients_exported", rows=rows, bytes=len(data))
        return FileOutcome(Status.DONE, file=FileMade(f"broadcast-{broadcast.id}-recipients.xlsx", data, "xlsx"))
