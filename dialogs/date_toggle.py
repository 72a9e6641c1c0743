"""The way to keep a date on a card: the re-shown form gets the person's text back and a toggle.

When screening questions a date on its own in a card's free text (qa/identifiers.py `screen`,
inside `card_press`), the Teams edge (bot/card_actions.py) passes the card the use case answered
with through `with_date_toggle`: if it is the form again (an input the person sent and a button to
send it), each input the person filled shows what they sent, and DATE_KEPT_TOGGLE is added after the
last text box they filled; sent with it on, the date is kept (every other identifier still refused).
Where the answer is not the form (a short message, a card without the inputs), `without_toggle`
says to write the day without its year instead, the way a card without the toggle keeps a date.
Pure: JSON in, JSON out, for every card the same.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogs import card_tree
from qa.identifiers import DATE_KEPT_INPUT, DATE_KEPT_TOGGLE, KEEP_WITH_TOGGLE, KEEP_WITHOUT_YEAR

Card = dict[str, Any]
SENDS = ("Action.Execute", "Action.Submit")
LISTS = ("body", "items", "columns")  # where a card's elements are listed, the shown cards' bodies too


def toggle() -> Card:
    """The Input.Toggle that keeps a questioned date (off until the person turns it on)."""
    return {"type": "Input.Toggle", "id": DATE_KEPT_INPUT, "title": DATE_KEPT_TOGGLE, "value": "false",
            "valueOn": "true", "valueOff": "false", "wrap": True}


def with_date_toggle(card: Card, sent: Mapping[str, Any]) -> Card | None:
    """`card` (the form the use case re-showed) with the inputs the person `sent` filled with what
    they sent and the toggle after the last text box they filled; None when `card` is not that form
    (no text box among what was sent, or nothing to send it with). Input ids come from the card; the
    values are the person's own, shown back only to them."""
    if not any(True for kind in SENDS for _ in card_tree.actions(card, kind)):
        return None
    # Anywhere in the card: a box may sit in the card an Action.ShowCard opens (a reason, a comment).
    boxes = [e["id"] for e in card_tree.nodes(card)
             if e.get("type") == "Input.Text" and isinstance(sent.get(e.get("id")), str)]
    if not boxes:
        return None
    last = boxes[-1]

    def change(element: Card) -> list[Card]:
        if element.get("id") == DATE_KEPT_INPUT:
            return []  # shown again: one toggle, after the box
        if element.get("type", "").startswith("Input.") and isinstance(sent.get(element.get("id")), str):
            element = {**element, "value": sent[element["id"]]}
            return [element, toggle()] if element["id"] == last else [element]
        return [element]

    def rework(node: Any) -> Any:
        if isinstance(node, list):
            return [rework(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key in LISTS and isinstance(value, list):
                out[key] = [new for item in value
                            for new in (change(rework(item)) if isinstance(item, dict) else [item])]
            else:
                out[key] = rework(value)
        return out

    return rework(card)


def without_toggle(value: Any) -> Any:
    """`value` (a card or a message) saying to write the day without its year where it said to turn
    the toggle on: for answers that cannot carry the toggle."""
    if isinstance(value, str):
        return value.replace(KEEP_WITH_TOGGLE, KEEP_WITHOUT_YEAR)
    if isinstance(value, list):
        return [without_toggle(v) for v in value]
    if isinstance(value, dict):
        return {k: without_toggle(v) for k, v in value.items()}
    return value
