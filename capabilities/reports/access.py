"""Who gets which report (framework 9.3: managers get "detailed feedback about the judgements made
regarding their teams"; section 16: the principal social worker reports to senior leaders): the QA
unit, the deputy director and the principal social worker the whole service, each service lead and
head of service their own service areas, each practice manager their team's audits. Checked on the
server every time (a consent card's context and a button's data carry the report's kind and period
only)."""
from __future__ import annotations

from dataclasses import dataclass

from qa.framework import Role
from storage.models import Person

WHOLE = (Role.QA_UNIT, Role.DEPUTY_DIRECTOR, Role.PRINCIPAL_SOCIAL_WORKER)
AREAS = (Role.SERVICE_LEAD, Role.HEAD_OF_SERVICE)
TEAM = Role.PRACTICE_MANAGER
ROLES = frozenset({*WHOLE, *AREAS, TEAM})
# Who the monthly duty sends the analysis to unasked (the others ask with `report`).
MONTHLY_WHOLE = (Role.QA_UNIT, Role.DEPUTY_DIRECTOR)
MONTHLY_AREA = Role.SERVICE_LEAD
NOT_FOR_YOU = ("Reports are for the QA unit, the deputy director, the principal social worker, heads of service "
               "and service leads (for their service areas) and practice managers (for their team). Nothing was sent.")
NO_AREAS = ("The roster gives you no service area, so I have no figures to send you. Please ask the QA unit "
            "to update the roster.")
NO_TEAM = ("The roster gives you no team, so I have no figures to send you. Please ask the QA unit "
           "to update the roster.")


@dataclass(frozen=True)
class Scope:
    """What one person's report covers: `areas` (service areas; () = the whole service), and within
    them, when `team` is given, that team's allocations only (a practice manager's)."""

    areas: tuple[str, ...] = ()
    team: str | None = None


def scope_of(person: Person | None) -> Scope | str:
    """The whole service, a service lead's or head of service's areas, a practice manager's team,
    or why they get no report."""
    if person is None or person.role not in ROLES:
        return NOT_FOR_YOU
    if person.role in WHOLE:
        return Scope()
    if person.role == TEAM:
        return Scope(tuple(person.service_areas), person.team) if person.team else NO_TEAM
    return Scope(tuple(person.service_areas)) if person.service_areas else NO_AREAS
