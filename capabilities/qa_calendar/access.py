"""Who sees a QA calendar event, who answers its reminders, who organises it and marks its attendance."""
from __future__ import annotations

from qa.audience import Audience, selects
from qa.framework import Role
from storage.models import CalendarEvent, Person


def may_see(person: Person | None, audience: Audience) -> bool:
    """The QA unit, who run the calendar, see every event; someone not on the roster sees the events
    for everyone; anyone else the events whose audience includes them. Who may see an event may answer its
    reminder (I'll be there / Can't make it)."""
    if person is None:
        return audience.everyone
    return person.role == Role.QA_UNIT or selects(audience, role=person.role, areas=person.service_areas,
                                                  team=person.team)


def organises(person: Person, event: CalendarEvent) -> bool:
    """The event's organiser, or the QA unit (who run the calendar, and organise what names no one): they see
    who is coming and mark attendance afterwards."""
    return person.role == Role.QA_UNIT or (event.organiser_id is not None and event.organiser_id == person.id)
