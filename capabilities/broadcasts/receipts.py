"""Teams' read receipts (RSC ChatMessageReadReceipt.Read.Chat), registered as an event: a receipt
in a personal chat marks the broadcasts there read, up to the message it names."""
from __future__ import annotations

from capabilities.broadcasts import flow
from capabilities.registry import EventHandler, InboundEvent

READ_RECEIPT = "application/vnd.microsoft.readReceipt"


async def read_receipt(event: InboundEvent) -> None:
    value = event.value
    last = value.get("lastReadMessageId") if isinstance(value, dict) else None
    if isinstance(last, str) and 0 < len(last) <= 200 and event.conversation_id:
        await flow.read_receipt(event.ctx, event.conversation_id, last, event.now)


EVENT = EventHandler(READ_RECEIPT, read_receipt)
