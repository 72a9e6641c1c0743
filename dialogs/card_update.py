"""Changing a card that was already sent, after someone acted on it: one home for every capability.

A sent message is one notice or a digest of several (outbox rows sharing its activity id). A
press on it changes only the section whose buttons act on the pressed ids: `rebuild` applies
a change to the notices that mention those ids and puts the message back together; `Acted`
writes who did what and when over the section (or over the whole card when every button on it
acts on those ids); `polite_card` says why nothing changed, in the pressed section or alone.

Pure: card JSON and sent notices in (anything with `id` and `payload`, e.g. storage's
OutboxMessage), card JSON out. The Teams edge sends the result (bot/card_actions.py).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Protocol

from dialogs import card_tree
from dialogs.card_kit import attention, card, facts, format_moment, heading, text
from dialogs.digest import digest_activity

Keep = Callable[[dict], "dict | None"]


class SentNotice(Protocol):
    """One notice a sent message carried: its outbox row id and the payload it shows."""

    id: int
    payload: dict | None


def keep_none(_action: dict) -> dict | None:
    return None


def _matches(data: Any, ids: Mapping[str, int]) -> bool:
    return isinstance(data, dict) and any(data.get(k) == v for k, v in ids.items())


def mentions(node: Any, ids: Mapping[str, int]) -> bool:
    """Some Action.Execute in `node` (buttons in shown cards too) acts on these ids."""
    return any(_matches(action.get("data"), ids) for action in card_tree.actions(node))


def about_only(content: dict, ids: Mapping[str, int]) -> bool:
    """Every button on the card acts on these ids: the card is about this one subject."""
    actions = list(card_tree.actions(content))
    return bool(actions) and all(_matches(a.get("data"), ids) for a in actions)


def card_title(content: dict, default: str = "Audit") -> str:
    """The card's first heading."""
    for node in card_tree.elements(content.get("body") or []):
        if node.get("type") == "TextBlock" and node.get("style") == "heading" and node.get("text"):
            return str(node["text"])
    return default


def _top_actions(content: dict, ids: Mapping[str, int]) -> list[dict]:
    """The card's buttons acting on these ids, as pressed (a shown card's whole button)."""
    found = []
    for node in card_tree.elements(content.get("body") or []):
        if node.get("type") == "ActionSet":
            found += [a for a in node.get("actions") or [] if mentions(a, ids)]
    return found + [a for a in content.get("actions") or [] if mentions(a, ids)]


def mark_section(content: dict, ids: Mapping[str, int], status: dict, keep: Keep) -> dict:
    """The card with the buttons acting on these ids replaced by `status` (and whatever `keep`
    keeps of them); every other section untouched."""
    placed = [False]

    def change(node: dict) -> list[dict] | None:
        if node.get("type") != "ActionSet" or not mentions(node, ids):
            return None
        kept = [k for a in node.get("actions") or [] if (k := keep(a) if mentions(a, ids) else a) is not None]
        out: list[dict] = []
        if not placed[0]:
            out.append(status)
            placed[0] = True
        if kept:
            out.append({**node, "actions": kept})
        return out

    result = card_tree.splice(content, change)
    actions = result.get("actions") or []
    if any(mentions(a, ids) for a in actions):
        actions = [k for a in actions if (k := keep(a) if mentions(a, ids) else a) is not None]
        if not placed[0]:
            result["body"].append(status)
        if actions:
            result["actions"] = actions
        else:
            result.pop("actions", None)
    return result


def acted_card(original_title: str, outcome_text: str, actor_name: str, at: datetime, tz: tzinfo, *,
               details: Sequence[tuple[str, str]] = ()) -> dict:
    """Replaces a card once acted on (UpdateActivity): who did what, when; no buttons left."""
    body: list[dict] = [
        heading(original_title),
        text(f"{outcome_text} by {actor_name}, {format_moment(at, tz)}", color="Good", weight="Bolder"),
    ]
    if details:
        body.append(facts(details))
    return card(body)


@dataclass
class Acted:
    """Who did what and when, to write over the acted-on card (or its section)."""

    outcome: str
    actor: str
    at: datetime
    tz: tzinfo
    details: list[tuple[str, str]]
    keep: Keep

    def whole(self, title: str, kept: list[dict]) -> dict:
        new = acted_card(title, self.outcome, self.actor, self.at, self.tz, details=self.details)
        if kept:
            new["actions"] = kept
        return new

    def apply(self, content: dict, ids: Mapping[str, int]) -> dict:
        if about_only(content, ids):
            kept = [k for a in _top_actions(content, ids) if (k := self.keep(a)) is not None]
            return self.whole(card_title(content), kept)
        status = text(f"{self.outcome} by {self.actor}, {format_moment(self.at, self.tz)}", color="Good",
                      weight="Bolder")
        return mark_section(content, ids, status, self.keep)


def rebuild(rows: Sequence[SentNotice], ids: Mapping[str, int],
            change: Callable[[dict, Mapping[str, int]], dict], shown: dict[int, dict] | None = None) -> dict | None:
    """The card of the sent message `rows` made (one notice or a digest), with `change` applied to
    each notice acting on these ids; None when none of them does. Changed payloads go in `shown`."""
    payloads, hit = [], False
    for row in rows:
        payload = dict(row.payload or {})
        content = payload.get("card")
        if isinstance(content, dict) and mentions(content, ids):
            payload["card"] = change(content, ids)
            hit = True
            if shown is not None:
                shown[row.id] = payload
        payloads.append(payload)
    if not hit:
        return None
    try:
        activity = digest_activity(payloads)
    except ValueError:
        return None
    attachments = activity.get("attachments") or []
    return attachments[0].get("content") if attachments else None


def polite_card(rows: Sequence[SentNotice], ids: Mapping[str, int], message: str, title: str) -> dict:
    """Why nothing changed: in the pressed section of a message with several, else as its own
    card headed `title`."""

    def politely(content: dict, subject: Mapping[str, int]) -> dict:
        if about_only(content, subject):
            return card([heading(card_title(content)), text(message)])
        return mark_section(content, subject, attention(message), keep_none)

    rebuilt = rebuild(rows, ids, politely)
    if rebuilt is not None:
        return rebuilt
    return card([heading(title), text(message)])
