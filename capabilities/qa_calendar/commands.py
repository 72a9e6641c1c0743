"""`calendar` in chat: what is coming in the next 8 weeks that concerns the person asking, and what they
attended in the last 12 months; `who's coming`: the events the person organises, with the answers to their
reminders and the attendance form."""
from __future__ import annotations

from datetime import timedelta

from capabilities.kit import Status
from capabilities.qa_calendar import flow
from capabilities.qa_calendar.access import may_see
from capabilities.registry import CommandReply, Said
from dialogs.calendar_cards import (
    EventView,
    OrganiserView,
    calendar_card,
    calendar_summary,
    organiser_card,
    organiser_summary,
)
from qa.audience import AudienceError, parse_audience_cell
from qa.qa_calendar import upcoming_window
from storage.qa_calendar import attendance_of, events_between

ATTENDED_DAYS = 365  # how far back the card lists the events the person attended


async def calendar(said: Said) -> CommandReply:
    """Events in the next 8 weeks the person may see (capabilities/qa_calendar/access.py), and those they
    attended in the last 12 months (their organisers marked it): a personal chat's answer only."""
    today = said.ctx.calendar.local_date(said.now)
    start, end = upcoming_window(today)
    async with said.ctx.db.sessions() as session:
        events = await events_between(session, (start, end))
        attended = [] if said.person is None else [
            EventView(kind, title, day, day) for day, kind, title in await attendance_of(session, said.person.id)
            if today - timedelta(days=ATTENDED_DAYS) <= day <= today]
    shown = []
    for event in events:
        try:
            audience = parse_audience_cell(event.audience)
        except AudienceError:
            continue
        if not may_see(said.person, audience):
            continue
        shown.append(flow.event_view(event))
    return CommandReply(calendar_card(shown, start=start, end=end, attended=attended), calendar_summary(len(shown)))


async def who_is_coming(said: Said) -> CommandReply:
    """The events the person organises (the QA unit: all reminded ones), answers and attendance form."""
    outcome = await flow.who_is_coming(said.ctx, said.person.id if said.person else None, now=said.now,
                                       via="command:who's coming")
    if outcome.status != Status.DONE or outcome.organiser is None:
        view = OrganiserView(said.ctx.calendar.local_date(said.now), problem=outcome.message)
        return CommandReply(organiser_card(view), outcome.message)
    return CommandReply(organiser_card(outcome.organiser), organiser_summary(len(outcome.organiser.events)))
