"""The QA calendar's use cases: answer a reminder (**I'll be there** / **Can't make it**), see who is coming
(the organiser, or the QA unit), and mark who attended afterwards. Each is one `kit.unit` (or `kit.look` to
read): it re-checks on the server who may act (access.py; a card carries the event's id only), writes the
answer or the attendance and a trail row (counts and flags only)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from capabilities.context import Context
from capabilities.kit import NOTHING_CHANGED, Outcome, Status, invalid, look, refuse, unit, use_case
from capabilities.qa_calendar.access import may_see, organises
from dialogs import calendar_cards as cc
from qa.audience import AudienceError, parse_audience_cell
from qa.qa_calendar import REMINDED_KINDS
from storage import qa_calendar as stored
from storage.models import CalendarEvent, CalendarResponse, Person

GONE = "This event is no longer on the QA calendar. " + NOTHING_CHANGED
NOT_REMINDED = "Only forums, reflective groups and assurance clinics take answers. " + NOTHING_CHANGED
NOT_FOR_YOU = "This event is not for your role, service area or team. " + NOTHING_CHANGED
PASSED = "This event has already taken place. " + NOTHING_CHANGED
ONLY_ORGANISER = "Only the organiser or the QA unit marks attendance. " + NOTHING_CHANGED
NOT_YET = "Attendance is marked once the event has taken place. " + NOTHING_CHANGED
NOT_ANSWERED = "Choose from the people listed. " + NOTHING_CHANGED
LOOK_BACK_DAYS = 14  # the organiser's card shows events this far back, to mark their attendance
LOOK_AHEAD_WEEKS = 8


@dataclass
class CalendarOutcome(Outcome):
    reminder: cc.ReminderView | None = None  # the reminder card, with the answer given
    organiser: cc.OrganiserView | None = None  # the organiser's card


def event_view(event: CalendarEvent) -> cc.EventView:
    return cc.EventView(event.kind, event.title, event.starts_on, event.ends_on, event.details, event.starts_at,
                        event.ends_at)


async def organiser_name(session, event: CalendarEvent) -> str:
    if event.organiser_id is None:
        return ""
    person = await session.get(Person, event.organiser_id)
    return person.display_name if person is not None else ""


@use_case(CalendarOutcome)
async def answer(ctx: Context, actor_id: int | None, event_id: int, value: str, *, now: datetime,
                 via: str) -> CalendarOutcome:
    """Record the actor's answer (storage.qa_calendar.COMING or NOT_COMING) to a reminded event they may see,
    before its last day is over; pressing again changes the answer. Status.UNCHANGED when it was already so."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        event = await act.get(CalendarEvent, event_id, missing=GONE)
        if event.kind not in REMINDED_KINDS:
            refuse(NOT_REMINDED)
        try:
            audience = parse_audience_cell(event.audience)
        except AudienceError:
            refuse(NOT_FOR_YOU)
        if not may_see(act.actor, audience):
            refuse(NOT_FOR_YOU)
        today = act.calendar.local_date(now)
        if today > event.ends_on:
            refuse(PASSED)
        changed = await stored.answer(act.session, event.id, act.actor.id, value, now)
        act.trail("calendar_event", event.id, "calendar_answered", answer=value, changed=changed)
        view = cc.ReminderView(event.id, event_view(event), soon=today == event.starts_on, answer=value,
                               organiser=await organiser_name(act.session, event))
    words = "Thank you: the organiser knows you'll be there." if value == stored.COMING \
        else "Thank you: the organiser knows you can't make it."
    return CalendarOutcome(Status.DONE if changed else Status.UNCHANGED, words, reminder=view)


async def _organised(session, person: Person, today: date) -> list[CalendarEvent]:
    events = await stored.events_between(session, (today - timedelta(days=LOOK_BACK_DAYS),
                                                   today + timedelta(weeks=LOOK_AHEAD_WEEKS)))
    return [e for e in events if e.kind in REMINDED_KINDS and organises(person, e)][:cc.MAX_EVENTS]


async def _view(session, person: Person, today: date, marked: dict[int, str] | None = None) -> cc.OrganiserView:
    events = await _organised(session, person, today)
    responses = await stored.responses_for(session, [e.id for e in events])
    return cc.OrganiserView(today, tuple(
        cc.OrganisedEvent(e.id, event_view(e), tuple(cc.Answer(r.person_id, r.name, r.answer, r.attended)
                                                     for r in responses[e.id]),
                          markable=e.starts_on <= today, marked=(marked or {}).get(e.id, ""))
        for e in events))


@use_case(CalendarOutcome)
async def who_is_coming(ctx: Context, actor_id: int | None, *, now: datetime, via: str) -> CalendarOutcome:
    """The events the actor organises (the QA unit: every forum, reflective group and clinic) from two weeks
    back to eight weeks ahead, with their answers and, once started, their attendance form. Reads only."""
    async with look(ctx, actor_id, now=now, via=via) as act:
        view = await _view(act.session, act.actor, act.calendar.local_date(now))
    return CalendarOutcome(Status.DONE, organiser=view)


@use_case(CalendarOutcome)
async def mark_attendance(ctx: Context, actor_id: int | None, event_id: int, attended: Iterable[int], *,
                          now: datetime, via: str) -> CalendarOutcome:
    """The organiser (or the QA unit) marks who attended an event that has started: everyone chosen attended,
    everyone else who answered did not; stored per person for their learning record. The people chosen must be
    among those who answered (the form lists them). Marking again replaces the last marking."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        event = await act.lock(CalendarEvent, event_id, missing=GONE)
        if event.kind not in REMINDED_KINDS:
            refuse(NOT_REMINDED)
        if not organises(act.actor, event):
            refuse(ONLY_ORGANISER)
        today = act.calendar.local_date(now)
        if today < event.starts_on:
            invalid(NOT_YET)
        came = set(attended)
        answered = set((await act.session.execute(select(CalendarResponse.person_id).where(
            CalendarResponse.event_id == event.id))).scalars().all())
        if not came <= answered:
            invalid(NOT_ANSWERED)
        yes, no = await stored.mark_attendance(act.session, event.id, came, act.actor.id, now)
        act.trail("calendar_event", event.id, "calendar_attendance_marked", attended=yes, not_attended=no)
        words = f"Attendance marked: {yes} attended, {no} did not."
        view = await _view(act.session, act.actor, today, {event.id: words})
    return CalendarOutcome(Status.DONE, words, organiser=view)
