"""The QA calendar's cards (framework 9.3's schedule, 9.4's surveys): what is coming in the next weeks, the
reminders of forums, reflective groups and assurance clinics with **I'll be there** / **Can't make it**, the
survey window reminders, and the organiser's "who's coming" with attendance marked afterwards. Pure.

Buttons carry ids only (`event_id`); the server looks the rest up and re-checks who may act on every press.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time

from dialogs.card_kit import (
    action_set,
    attention,
    card,
    container,
    execute,
    facts,
    format_day,
    heading,
    quote,
    subheading,
    text,
)

KIND_WORDS = {
    "practice_week": "Practice week", "learning_forum": "Learning and Improvement Forum",
    "practice_forum": "Practice forum", "reflective_group": "Reflective group",
    "assurance_clinic": "Assurance clinic", "survey": "Survey window", "thematic_audit": "Thematic audit",
    "report": "Report",
}
DETAILS_SHOWN = 300  # characters of an event's details on the calendar card
NAMES_SHOWN = 25  # names under "Coming" / "Can't make it" on the organiser's card
MAX_EVENTS = 8  # events on the organiser's card
MAX_CHOICES = 60  # people on one attendance form


class Verb:
    COMING = "calendar.coming"  # I'll be there
    NOT_COMING = "calendar.not_coming"  # Can't make it
    ATTENDANCE = "calendar.attendance"  # the organiser saves who attended


ATTENDED_INPUT = "attended"


def attended_input(event_id: int) -> str:
    """The id of an event's attendance choice on the organiser's card."""
    return f"{ATTENDED_INPUT}-{event_id}"


@dataclass(frozen=True)
class EventView:
    kind: str
    title: str
    starts_on: date
    ends_on: date
    details: str = ""
    starts_at: time | None = None
    ends_at: time | None = None


def when_words(event: EventView) -> str:
    """"Thursday 19 January 2023, 15:00 to 17:00", or the days of a longer event."""
    hours = ""
    if event.starts_at is not None:
        hours = f", {event.starts_at:%H:%M}" + (f" to {event.ends_at:%H:%M}" if event.ends_at else "")
    if event.starts_on == event.ends_on:
        return format_day(event.starts_on) + hours
    return f"{format_day(event.starts_on)} to {format_day(event.ends_on)}" + hours


def event_heading(event: EventView) -> str:
    """"Practice forum: Voice of the child", or the title alone when it already names its kind ("Learning and
    Improvement Forum: the child's lived experience", not the kind twice)."""
    kind = KIND_WORDS.get(event.kind, event.kind)
    return event.title if event.title.casefold().startswith(kind.casefold()) else f"{kind}: {event.title}"


def _details(value: str) -> dict:
    return quote(value if len(value) <= DETAILS_SHOWN else value[:DETAILS_SHOWN - 1] + "…")


ATTENDED_SHOWN = 10  # the reader's most recent attended events on the calendar card


def calendar_card(events: Sequence[EventView], *, start: date, end: date,
                  attended: Sequence[EventView] = ()) -> dict:
    """What is coming from `start` to `end` that concerns the reader, earliest first; then the events the reader
    attended (as their organisers marked it: the learning record's events), most recent first."""
    body = [heading("The QA calendar"),
            text(f"What's coming from {format_day(start)} to {format_day(end)}.", subtle=True)]
    if not events:
        body.append(text(f"Nothing on the QA calendar concerns you in these {(end - start).days // 7} weeks."))
    for event in events:
        items = [subheading(event_heading(event)), text(when_words(event))]
        if event.details:
            items.append(_details(event.details))
        body.append(container(items))
    if attended:
        recent = sorted(attended, key=lambda e: e.starts_on, reverse=True)
        more = len(recent) - ATTENDED_SHOWN
        body.append(container([
            subheading(f"You attended {len(recent)} event{'s' if len(recent) != 1 else ''} in the last 12 months"),
            text("Forums, reflective groups and clinics, as their organisers marked it: for your learning record.",
                 subtle=True, spacing="Small"),
            *(text(f"{format_day(e.starts_on)}: {event_heading(e)}", spacing="Small") for e in recent[:ATTENDED_SHOWN]),
            *([text(f"and {more} more", subtle=True, spacing="Small")] if more > 0 else [])]))
    return card(body)


def calendar_summary(count: int) -> str:
    return (f"{count} event{'s' if count != 1 else ''} on the QA calendar in the next 8 weeks" if count
            else "Nothing on the QA calendar concerns you in the next 8 weeks")


# -- reminders -------------------------------------------------------------------------------------

ANSWER_WORDS = {"coming": "You said you'll be there.", "not_coming": "You said you can't make it."}


@dataclass(frozen=True)
class ReminderView:
    """A reminder of a forum, reflective group or assurance clinic (`soon`: the hour-before one)."""

    event_id: int
    event: EventView
    soon: bool = False
    answer: str | None = None  # "coming", "not_coming": what the reader said so far
    organiser: str = ""


def reminder_title(view: ReminderView) -> str:
    kind = KIND_WORDS.get(view.event.kind, view.event.kind)
    return f"{'Starting soon' if view.soon else 'Coming up'}: {kind}"


def calendar_reminder_card(view: ReminderView) -> dict:
    """The reminder, with **I'll be there** / **Can't make it** (pressed again, the answer changes)."""
    body = [heading(reminder_title(view)), text(view.event.title, weight="Bolder"),
            facts([("When", when_words(view.event))] + ([("Organiser", view.organiser)] if view.organiser else []))]
    if view.event.details:
        body.append(_details(view.event.details))
    if view.answer:
        body.append(text(ANSWER_WORDS[view.answer] + " You can change your answer.", color="Good", weight="Bolder"))
    data = {"event_id": view.event_id}
    body.append(action_set([execute("I'll be there", Verb.COMING, data, style="positive"),
                            execute("Can't make it", Verb.NOT_COMING, data)]))
    return card(body)


@dataclass(frozen=True)
class SurveyView:
    """A survey window opening (`closing` False) or closing in a week (framework 9.4)."""

    event: EventView
    closing: bool = False


def survey_reminder_card(view: SurveyView) -> dict:
    """To the auditors and the principal social work team: a children and families survey window."""
    title = f"Survey window closes {format_day(view.event.ends_on)}" if view.closing else "Survey window open"
    body = [heading(title), text(view.event.title, weight="Bolder"),
            facts([("Open", f"{format_day(view.event.starts_on)} to {format_day(view.event.ends_on)}")]),
            text("Ask the children and families you work with for their views while the survey is open "
                 "(framework 9.4).", subtle=True)]
    if view.event.details:
        body.append(_details(view.event.details))
    return card(body)


# -- the organiser's card ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    person_id: int
    name: str
    answer: str | None
    attended: bool | None


@dataclass(frozen=True)
class OrganisedEvent:
    event_id: int
    event: EventView
    answers: tuple[Answer, ...] = ()
    markable: bool = False  # it has started: attendance can be marked
    marked: str = ""  # "Attendance marked: 12 attended, 3 did not." once saved


@dataclass(frozen=True)
class OrganiserView:
    today: date
    events: tuple[OrganisedEvent, ...] = field(default_factory=tuple)
    problem: str | None = None


def _names(answers: Sequence[Answer], value: str) -> str:
    names = [a.name for a in answers if a.answer == value]
    shown = ", ".join(names[:NAMES_SHOWN]) + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN
                                               else "")
    return f"{len(names)}" + (f": {shown}" if names else "")


def _organised(item: OrganisedEvent) -> dict:
    e = item.event
    items = [subheading(event_heading(e)), text(when_words(e), subtle=True),
             facts([("I'll be there", _names(item.answers, "coming")),
                    ("Can't make it", _names(item.answers, "not_coming"))])]
    if item.marked:
        items.append(text(item.marked, color="Good", weight="Bolder"))
    if item.markable:
        people = list(item.answers[:MAX_CHOICES])
        if any(a.attended is not None for a in people):
            chosen = [a for a in people if a.attended]
        else:
            chosen = [a for a in people if a.answer == "coming"]
        if people:
            items.append({"type": "Input.ChoiceSet", "id": attended_input(item.event_id), "isMultiSelect": True,
                          "style": "expanded", "label": "Who attended",
                          "value": ",".join(str(a.person_id) for a in chosen),
                          "choices": [{"title": a.name, "value": str(a.person_id)} for a in people]})
            items.append(action_set([execute("Save attendance", Verb.ATTENDANCE, {"event_id": item.event_id},
                                             inputs="auto", style="positive")]))
        else:
            items.append(text("Nobody answered the reminders, so there is nobody to mark.", subtle=True))
    return {**container(items), "id": f"event-{item.event_id}"}


def organiser_card(view: OrganiserView) -> dict:
    """`who's coming`: the forums, reflective groups and clinics the reader organises (the QA unit: all), from
    two weeks back to eight weeks ahead: who said they would come, and for those started, who attended."""
    body = [heading("Who's coming"),
            text(f"{format_day(view.today)}: the events you organise, with the answers to their reminders. Mark "
                 "who attended once an event has taken place: it counts toward their learning record (they see it when "
                 "they type calendar).", subtle=True)]
    if view.problem:
        body.append(attention(view.problem))
    if not view.events:
        body.append(text("You organise no forum, reflective group or assurance clinic in these weeks."))
    body += [_organised(item) for item in view.events[:MAX_EVENTS]]
    return card(body)


def organiser_summary(count: int) -> str:
    return f"Who's coming: {count} event{'s' if count != 1 else ''}"
