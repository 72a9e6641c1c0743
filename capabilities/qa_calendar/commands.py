"""`calendar` in chat: what is coming in the next 8 weeks that concerns the person asking."""
from __future__ import annotations

from capabilities.qa_calendar.access import may_see
from capabilities.registry import CommandReply, Said
from dialogs.calendar_cards import EventView, calendar_card, calendar_summary
from qa.audience import AudienceError, parse_audience_cell
from qa.qa_calendar import upcoming_window
from storage.qa_calendar import events_between


async def calendar(said: Said) -> CommandReply:
    """Events in the next 8 weeks the person may see (capabilities/qa_calendar/access.py)."""
    start, end = upcoming_window(said.ctx.calendar.local_date(said.now))
    async with said.ctx.db.sessions() as session:
        events = await events_between(session, (start, end))
    shown = []
    for event in events:
        try:
            audience = parse_audience_cell(event.audience)
        except AudienceError:
            continue
        if not may_see(said.person, audience):
            continue
        shown.append(EventView(event.kind, event.title, event.starts_on, event.ends_on, event.details))
    return CommandReply(calendar_card(shown, start=start, end=end), calendar_summary(len(shown)))
