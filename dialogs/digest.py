"""Several notices due to one person at one moment, as one Teams message (a digest).

Pure: payloads in, Bot Framework message activities out. A payload is what `storage.outbox.
enqueue` stored: {"text": plain-text fallback, "card": an Adaptive Card or None, "summary": one
line}; optionally "alone": True for a card that must be its own message (e.g. one a later
feature updates in place: an update replaces the whole message), and "attachments": a list of
other Teams attachments sent after the card in the same message (a file consent card, for
example); a payload with attachments is always its own message.

One payload goes as its own card. Several go as one Adaptive Card 1.5: a heading "You have N
updates", then one Container per notice, separated, holding the notice's body and, in an
ActionSet at its foot, the notice's own buttons.

What does not merge goes as a message of its own, in order:
- the activity would pass MAX_ACTIVITY_BYTES (28 KB, well under Teams' 80 KB advice, so a
  digest stays quick to render): the notices are split over several messages, each under it;
- a card with inputs in its body (a button with associatedInputs "auto" would collect, and
  validate, every input in the merged card), with input ids another notice in the digest
  uses, with a `refresh` (Universal Actions would replace the whole digest with it), a payload
  marked "alone", or one that changes a message already sent ("replaces", "withdraws": the
  sender updates or deletes that activity).
A single notice whose own card passes 28 KB is sent as it is: its builder owns its size.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from dialogs import card_tree
from dialogs.payload import check_payload

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
MAX_ACTIVITY_BYTES = 28 * 1024

Payload = dict[str, Any]


def digest_activity(payloads: Sequence[Payload]) -> dict:
    """One message activity holding every payload (see the module notes); no splitting."""
    if not payloads:
        raise ValueError("a digest needs at least one payload")
    for payload in payloads:
        check_payload(payload)
    if len(payloads) == 1:
        return _single(payloads[0])
    heading = f"You have {len(payloads)} updates"
    body: list[dict] = [{"type": "TextBlock", "text": heading, "style": "heading", "size": "Large",
                         "weight": "Bolder", "wrap": True}]
    body += [_section(p) for p in payloads]
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": CARD_VERSION, "body": body}
    if any(((p.get("card") or {}).get("msteams") or {}).get("width") == "Full" for p in payloads):
        card["msteams"] = {"width": "Full"}
    summaries = [_summary(p) for p in payloads]
    fallback = heading + ": " + "; ".join(s for s in summaries if s)
    card["fallbackText"] = fallback
    return _message(fallback, card)


def digest_activities(payloads: Sequence[Payload], max_bytes: int = MAX_ACTIVITY_BYTES) -> list[tuple[dict, list[int]]]:
    """The messages to send for `payloads`, in order, each with the indexes of the payloads it
    carries: as few as the rules above allow."""
    out: list[tuple[dict, list[int]]] = []
    for group in _groups(payloads, max_bytes):
        out.append((digest_activity([payloads[i] for i in group]), group))
    return out


def activity_bytes(activity: dict) -> int:
    return len(json.dumps(activity, separators=(",", ":"), ensure_ascii=False).encode())


# -- grouping -----------------------------------------------------------------------------

def _groups(payloads: Sequence[Payload], max_bytes: int) -> Iterator[list[int]]:
    current: list[int] = []
    current_ids: set[str] = set()
    for i, payload in enumerate(payloads):
        check_payload(payload)
        if not _mergeable(payload):
            if current:
                yield current
            yield [i]
            current, current_ids = [], set()
            continue
        ids = _input_ids(payload.get("card"))
        candidate = current + [i]
        fits = not (ids & current_ids) and (
            len(candidate) == 1 or activity_bytes(digest_activity([payloads[j] for j in candidate])) <= max_bytes)
        if current and not fits:
            yield current
            current, current_ids = [i], set(ids)
        else:
            current, current_ids = candidate, current_ids | ids
    if current:
        yield current


def _mergeable(payload: Payload) -> bool:
    card = payload.get("card")
    if payload.get("alone") or payload.get("attachments") or payload.get("replaces") or payload.get("withdraws"):
        return False
    if not card:
        return True
    return "refresh" not in card and not _input_ids({"body": card.get("body") or []}, top_level_only=True)


def _input_ids(element: Any, *, top_level_only: bool = False) -> set[str]:
    """Input ids anywhere in a card (inside Action.ShowCard cards too, unless top_level_only)."""
    return {str(node["id"]) for node in card_tree.nodes(element, card_tree.skip_shown_cards if top_level_only else None)
            if str(node.get("type", "")).startswith("Input.") and "id" in node}


# -- building -----------------------------------------------------------------------------

def _summary(payload: Payload) -> str:
    return str(payload.get("summary") or payload.get("text") or "").strip()


def _single(payload: Payload) -> dict:
    card = payload.get("card")
    fallback = str(payload.get("text") or payload.get("summary") or "")
    extra = list(payload.get("attachments") or [])
    if not card:
        activity = {"type": "message", "text": fallback}
        if extra:
            activity["attachments"] = extra
        return activity
    if fallback and "fallbackText" not in card:
        card = {**card, "fallbackText": fallback}
    activity = _message(fallback, card)
    activity["attachments"] += extra
    return activity


def _message(fallback: str, card: dict) -> dict:
    # The card carries the content; `summary` is the plain text Teams shows where a card cannot
    # be (notifications, old clients). Putting it in `text` too would print it above the card.
    activity: dict[str, Any] = {"type": "message", "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}]}
    if fallback:
        activity["summary"] = fallback
    return activity


def _section(payload: Payload) -> dict:
    card = payload.get("card")
    if not card:
        items: list[dict] = [{"type": "TextBlock", "text": str(payload.get("text") or payload.get("summary")),
                              "wrap": True}]
    else:
        items = list(card.get("body") or [])
        if card.get("actions"):
            items.append({"type": "ActionSet", "actions": list(card["actions"])})
        if not items:
            items = [{"type": "TextBlock", "text": _summary(payload) or " ", "wrap": True}]
    return {"type": "Container", "separator": True, "spacing": "ExtraLarge", "items": items}
