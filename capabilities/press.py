"""One button press, as a use case sees it, and what it answers (the Teams edge, bot/card_actions.py,
carries the answer out: the invoke response, the update in place, new messages, immediate delivery)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from capabilities.context import Context
from storage.models import OutboxMessage, Person


@dataclass(frozen=True)
class Press:
    ctx: Context
    verb: str
    data: Mapping[str, Any]  # the button's data and the card's inputs, as Teams sent them (untrusted)
    actor: Person | None  # the active roster person behind the chat; None when not on the roster
    rows: list[OutboxMessage]  # the outbox rows the pressed message carried ([] if not one of ours)
    now: datetime
    teams_name: str | None = None  # the name Teams shows for the person who pressed
    aad_object_id: str | None = None  # their Entra object id, as Teams sent it


@dataclass
class Reply:
    """What a press produces at the edge."""

    card: dict | None = None  # the acted-on card's new content (the invoke response)
    text: str | None = None  # or a short message, leaving the card as it is
    update: bool = False  # also replace the acted-on message with `card` (UpdateActivity)
    send: list[tuple[dict, str]] = field(default_factory=list)  # new messages: (card, summary)
    deliver_now: bool = False  # outbox rows due now were written (safeguarding alerts)
    # Outbox row id -> the payload the acted-on message now shows, so a later press on the same
    # message rebuilds it from what people see, not from what was first sent.
    shown: dict[int, dict] = field(default_factory=dict)


UNREADABLE = "I couldn't read this card's action. Nothing was changed."


def positive_id(value: Any) -> int | None:
    """A database id from a card's data (an int or a string of digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and 0 < value < 2**31 else None
