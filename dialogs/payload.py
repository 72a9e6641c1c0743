"""One outbox message's content, typed and checked when it is made.

An outbox row stores its payload as JSON (`outbox.payload`): {"text": plain-text fallback,
"card": an Adaptive Card or None, "summary": one line for notifications and digests}, and,
where they apply, "alone" (never folded into a digest), "attachments" (Teams attachments after
the card, e.g. a file consent card; such a message is always its own), "replaces" or
"withdraws" (the activity id of a sent message this row updates in place or deletes).

`Payload` is the one way to make that JSON: capabilities build it through
`capabilities.registry.OutboxKind.message` (or `Payload.of` for a card they already hold), and
`storage.outbox.enqueue` stores `payload.to_json()`. A wrong shape raises ValueError where the
message is made, inside the use case's transaction, not minutes later in the sender.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Card = dict[str, Any]


@dataclass(frozen=True)
class Payload:
    """What one outbox row sends (see the module notes). Raises ValueError when malformed."""

    summary: str  # one line: the notification, the digest's line, the text where no card shows
    card: Card | None = None
    text: str | None = None  # the fallback text when it differs from `summary`
    alone: bool = False  # its own message, never folded into a digest
    attachments: tuple[Mapping[str, Any], ...] = ()
    replaces: str | None = None  # the activity id of a sent message this one updates in place
    withdraws: str | None = None  # the activity id of a sent message this one deletes

    def __post_init__(self) -> None:
        card = self.card
        if card is not None and not (isinstance(card, dict) and card.get("type") == "AdaptiveCard"):
            raise ValueError("a payload's card must be an Adaptive Card (type AdaptiveCard) or None")
        if not card and not (self.text or self.summary):
            raise ValueError("a payload needs a card or some text")
        if not all(isinstance(a, Mapping) and isinstance(a.get("contentType"), str) for a in self.attachments):
            raise ValueError("a payload's attachments are a list of attachments, each with a contentType")
        if self.replaces is not None and self.withdraws is not None:
            raise ValueError("a payload replaces or withdraws a message, not both")

    @classmethod
    def of(cls, card: Card | None, summary: str, **more: Any) -> Payload:
        """A payload for a card already built (a copy's new content, a rebuilt digest)."""
        return cls(summary=summary, card=card, **more)

    def to_json(self) -> dict[str, Any]:
        """The JSON stored in `outbox.payload` (only the optional keys that are set)."""
        data: dict[str, Any] = {"text": self.text or self.summary, "card": self.card, "summary": self.summary}
        if self.alone:
            data["alone"] = True
        if self.attachments:
            data["attachments"] = [dict(a) for a in self.attachments]
        if self.replaces is not None:
            data["replaces"] = self.replaces
        if self.withdraws is not None:
            data["withdraws"] = self.withdraws
        return data

    @classmethod
    def from_json(cls, data: Any) -> Payload:
        """The payload a stored row holds. ValueError if it is not one (an old or hand-edited row)."""
        if not isinstance(data, Mapping):
            raise ValueError("a payload is a dict with text, card and summary")
        attachments = data.get("attachments")
        if attachments is not None and not isinstance(attachments, Sequence):
            raise ValueError("a payload's attachments are a list of attachments, each with a contentType")
        return cls(summary=str(data.get("summary") or ""), card=data.get("card"), text=data.get("text"),
                   alone=bool(data.get("alone")), attachments=tuple(attachments or ()),
                   replaces=data.get("replaces"), withdraws=data.get("withdraws"))


def check_payload(payload: Any) -> None:
    """ValueError unless `payload` (stored JSON) is a well-formed Payload."""
    Payload.from_json(payload)
