"""The QA calendar's cards (framework 9.3's schedule): what is coming in the next weeks. Pure."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dialogs.card_kit import card, container, format_day, heading, quote, subheading, text

KIND_WORDS = {
    "practice_week": "Practice week", "learning_forum": "Learning and Improvement Forum",
    "practice_forum": "Practice forum", "reflective_group": "Reflective group",
    "assurance_clinic": "Assurance clinic", "survey": "Survey window", "thematic_audit": "Thematic audit",
    "report": "Report",
}
DETAILS_SHOWN = 300  # characters of an event's details on the calendar card


@dataclass(frozen=True)
class EventView:
    kind: str
    title: str
    starts_on: date
    ends_on: date
    details: str = ""


def _when(event: EventView) -> str:
    if event.starts_on == event.ends_on:
        return format_day(event.starts_on)
    return f"{format_day(event.starts_on)} to {format_day(event.ends_on)}"


def calendar_card(events: Sequence[EventView], *, start: date, end: date) -> dict:
    """What is coming from `start` to `end` that concerns the reader, earliest first."""
    body = [heading("The QA calendar"),
            text(f"What's coming from {format_day(start)} to {format_day(end)}.", subtle=True)]
    if not events:
        body.append(text("Nothing on the QA calendar concerns you in the next weeks."))
    for event in events:
        items = [subheading(f"{KIND_WORDS.get(event.kind, event.kind)}: {event.title}"), text(_when(event))]
        if event.details:
            shown = event.details if len(event.details) <= DETAILS_SHOWN else event.details[:DETAILS_SHOWN - 1] + "…"
            items.append(quote(shown))
        body.append(container(items))
    return card(body)


def calendar_summary(count: int) -> str:
    return (f"{count} event{'s' if count != 1 else ''} on the QA calendar in the next 8 weeks" if count
            else "Nothing on the QA calendar concerns you in the next 8 weeks")
