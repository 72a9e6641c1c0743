"""Small building blocks for bot-sent Adaptive Cards (schema 1.5, Universal Actions).

Every function returns plain JSON-ready dicts. Free text typed by people (reasons, comments,
strengths) goes through `quote`, a RichTextBlock TextRun, which Teams shows literally: a
TextBlock would render markdown, so a typed `[link](...)` would become a live link.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from typing import Any, Literal

SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"  # the highest a bot may send in Teams

# Action data carries ids only; the server looks everything else up and re-checks who may act:
# `<record>_id` keys (positive ints), `month` ("2026-12") and `line` (a supervision digest line's
# id, "s12-one_to_one"). Every capability's cards build their buttons with `execute` below.
_ID_KEY = re.compile(r"[a-z]+(_[a-z]+)*_id")
_LINE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")

Element = dict[str, Any]


# --- dates, written out the way people read them (independent of the machine's locale) ---

def format_day(d: date) -> str:
    """`date(2026, 12, 24)` -> "Thursday 24 December 2026"."""
    if isinstance(d, datetime):  # a datetime is a date too; its day depends on a zone
        raise TypeError("format_day takes a date; use format_moment for a datetime")
    return f"{_DAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]} {d.year}"


def format_moment(dt: datetime, tz: tzinfo) -> str:
    """An aware datetime in `tz`: "Thursday 7 January 2027 at 10:12"."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("format_moment needs an aware datetime")
    local = dt.astimezone(tz)
    return f"{format_day(local.date())} at {local:%H:%M}"


def format_month(month: str) -> str:
    """"2026-12" -> "December 2026"."""
    if not isinstance(month, str) or not _MONTH.fullmatch(month):
        raise ValueError(f"month must look like 2026-12, got {month!r}")
    return f"{_MONTHS[int(month[5:]) - 1]} {month[:4]}"


def excerpt(value: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis when shortened."""
    value = value.strip()
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


# --- the envelope and text ---

def card(body: Sequence[Element], actions: Sequence[Element] = ()) -> Element:
    result: Element = {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": CARD_VERSION, "body": list(body)}
    if actions:
        result["actions"] = list(actions)
    return result


def heading(value: str) -> Element:
    return {"type": "TextBlock", "text": value, "style": "heading", "size": "Large", "weight": "Bolder", "wrap": True}


def subheading(value: str, *, separator: bool = True) -> Element:
    block: Element = {"type": "TextBlock", "text": value, "weight": "Bolder", "wrap": True, "spacing": "Medium"}
    if separator:
        block["separator"] = True
    return block


def text(value: str, *, subtle: bool = False, color: str | None = None, weight: str | None = None,
         size: str | None = None, spacing: str | None = None) -> Element:
    block: Element = {"type": "TextBlock", "text": value, "wrap": True}
    if subtle:
        block["isSubtle"] = True
    for key, option in (("color", color), ("weight", weight), ("size", size), ("spacing", spacing)):
        if option is not None:
            block[key] = option
    return block


def attention(value: str) -> Element:
    """A warning line, e.g. what is wrong with the field just above it."""
    return text(value, color="Attention", weight="Bolder", spacing="Small")


def quote(value: str, *, italic: bool = False) -> Element:
    """Free text as typed, shown literally (no markdown)."""
    run: Element = {"type": "TextRun", "text": value}
    if italic:
        run["italic"] = True
    return {"type": "RichTextBlock", "inlines": [run]}


def facts(pairs: Iterable[tuple[str, str]]) -> Element:
    return {"type": "FactSet", "facts": [{"title": title, "value": value} for title, value in pairs]}


def container(items: Sequence[Element], *, style: str | None = None, separator: bool = False,
              spacing: str | None = None) -> Element:
    box: Element = {"type": "Container", "items": list(items)}
    if style is not None:
        box["style"] = style
    if separator:
        box["separator"] = True
    if spacing is not None:
        box["spacing"] = spacing
    return box


# --- actions ---

def action_data(**ids: Any) -> dict[str, Any]:
    """Check that action data holds only ids: `<record>_id` (positive int), `month` ("2026-12"),
    `line` (a digest line's id). Raises ValueError naming the first key that is not one."""
    unknown = sorted(k for k in ids if k not in ("month", "line") and not _ID_KEY.fullmatch(k))
    if unknown:
        raise ValueError(f"action data may carry ids only, not {unknown}")
    for key, value in ids.items():
        if key == "month":
            format_month(value)
        elif key == "line":
            if not isinstance(value, str) or not _LINE.fullmatch(value):
                raise ValueError(f"line must be a digest line's id, got {value!r}")
        elif isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"{key} must be a positive int, got {value!r}")
    return dict(ids)


def execute(title: str, verb: str, data: Mapping[str, Any], *, inputs: Literal["auto", "none"] = "none",
            style: Literal["positive", "destructive"] | None = None) -> Element:
    """Action.Execute (Universal Actions). `inputs="auto"` sends the inputs around the button."""
    action: Element = {
        "type": "Action.Execute",
        "title": title,
        "verb": verb,
        "data": action_data(**data),
        "associatedInputs": inputs,
    }
    if style is not None:
        action["style"] = style
    return action


def show_card(title: str, body: Sequence[Element], actions: Sequence[Element]) -> Element:
    """A button that reveals a small card (e.g. a reason box and its own submit button)."""
    return {"type": "Action.ShowCard", "title": title,
            "card": {"type": "AdaptiveCard", "body": list(body), "actions": list(actions)}}


def action_set(actions: Sequence[Element]) -> Element:
    return {"type": "ActionSet", "actions": list(actions)}


# --- inputs ---

def text_input(input_id: str, label: str, *, max_length: int, multiline: bool = False, required: bool = False,
               value: str | None = None, placeholder: str | None = None,
               error_message: str | None = None) -> Element:
    box: Element = {"type": "Input.Text", "id": input_id, "label": label, "maxLength": max_length}
    if multiline:
        box["isMultiline"] = True
    if placeholder:
        box["placeholder"] = placeholder
    if value:
        box["value"] = value[:max_length]
    if required:
        box["isRequired"] = True
        box["errorMessage"] = error_message or f"{label}: this is needed."
    return box


def choice_set(input_id: str, label: str, choices: Sequence[str], *, value: str | None = None,
               placeholder: str | None = None) -> Element:
    box: Element = {"type": "Input.ChoiceSet", "id": input_id, "label": label, "style": "compact",
                    "choices": [{"title": choice, "value": choice} for choice in choices]}
    if placeholder:
        box["placeholder"] = placeholder
    if value in choices:  # a stale or unknown value would show as a blank pick anyway
        box["value"] = value
    return box


def toggle(input_id: str, label: str, title: str, *, value: bool) -> Element:
    return {"type": "Input.Toggle", "id": input_id, "label": label, "title": title,
            "value": "true" if value else "false", "valueOn": "true", "valueOff": "false"}
