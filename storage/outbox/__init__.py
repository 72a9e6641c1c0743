"""The outbox: proactive messages written in the caller's transaction (writing.py), claimed,
settled and handed back by the sender (bot/sender.py; claims.py, targets.py, marks.py), counted
for `python -m bot outbox status` (status.py), and looked up again when someone presses a button
on a message it sent (sent.py).

Every public name is here, so `from storage.outbox import enqueue, Message, ...` is the one way in.
"""
from __future__ import annotations

from storage.outbox.claims import claim, count_open, held_by_others, next_wake, release, renew
from storage.outbox.marks import Sent, mark_retry, mark_sent, mark_sent_many, mark_undeliverable
from storage.outbox.sent import CHANGES, chat_of, copies, is_change, record_shown, sent_rows, sent_together
from storage.outbox.states import OPEN_STATES, REASON_LENGTH
from storage.outbox.status import OutboxStatus, backlog, outbox_status
from storage.outbox.targets import Target, resolve_targets, target_key, tenant_of_row
from storage.outbox.writing import JsonPayload, Message, enqueue, enqueue_many, stored

__all__ = [
    "CHANGES", "OPEN_STATES", "REASON_LENGTH", "JsonPayload", "Message", "OutboxStatus", "Target", "backlog",
    "chat_of", "claim", "copies", "count_open", "enqueue", "enqueue_many", "held_by_others", "is_change",
    "Sent", "mark_retry", "mark_sent", "mark_sent_many", "mark_undeliverable", "next_wake", "outbox_status", "record_shown", "release",
    "renew", "resolve_targets", "sent_rows", "sent_together", "stored", "target_key", "tenant_of_row",
]
