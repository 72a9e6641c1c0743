"""Who sees a QA calendar event."""
from __future__ import annotations

from qa.audience import Audience, selects
from qa.framework import Role
from storage.models import Person


def may_see(person: Person | None, audience: Audience) -> bool:
    """The QA unit, who run the calendar, see every event; someone not on the roster sees the events
    for everyone; anyone else the events whose audience includes them."""
    if person is None:
        return audience.everyone
    return person.role == Role.QA_UNIT or selects(audience, role=person.role, areas=person.service_areas,
                                                  team=person.team)
