"""Who gets which report: the QA unit and the deputy director the whole service, each service lead
their own service areas. Checked on the server every time (a consent card's context and a button's
data carry the report's kind and period only)."""
from __future__ import annotations

from qa.framework import Role
from storage.models import Person

WHOLE = (Role.QA_UNIT, Role.DEPUTY_DIRECTOR)
AREA = Role.SERVICE_LEAD
ROLES = frozenset({*WHOLE, AREA})
NOT_FOR_YOU = ("Reports are for the QA unit, the deputy director and service leads (for their service areas). "
               "Nothing was sent.")
NO_AREAS = ("The roster gives you no service area, so I have no figures to send you. Please ask the QA unit "
            "to update the roster.")


def scope_of(person: Person | None) -> tuple[str, ...] | str:
    """() for the whole service, a service lead's areas, or why they get no report."""
    if person is None or person.role not in ROLES:
        return NOT_FOR_YOU
    if person.role in WHOLE:
        return ()
    return tuple(person.service_areas) or NO_AREAS
