"""Who may see which status in chat, checked on the server at every command, press and file consent:

- `escalations` (moderations, urgent reviews): the QA unit, the principal social worker and the deputy
  director for the whole service; heads of service and service leads for their service areas.
- `supervision status` (framework 9.1): the QA unit and the principal social worker for the whole
  service; service leads for their service areas' teams (as the monthly message goes).
- `observations status` (framework 11): the QA unit and the principal social worker for the whole
  service; heads of service and service leads for their service areas.
- `delivery` (the outbox) and `close month`: the QA unit only.
"""
from __future__ import annotations

from dataclasses import dataclass

from qa.framework import Role
from storage.models import Person

ESCALATIONS, SUPERVISION, OBSERVATIONS, DELIVERY = "escalations", "supervision", "observations", "delivery"


@dataclass(frozen=True)
class Rule:
    whole: frozenset[str]  # roles that see the whole service
    areas: frozenset[str] = frozenset()  # roles that see their own service areas
    who: str = ""  # the sentence naming them, for anyone else

    @property
    def roles(self) -> frozenset[str]:
        return self.whole | self.areas


RULES = {
    ESCALATIONS: Rule(frozenset({Role.QA_UNIT, Role.PRINCIPAL_SOCIAL_WORKER, Role.DEPUTY_DIRECTOR}),
                      frozenset({Role.HEAD_OF_SERVICE, Role.SERVICE_LEAD}),
                      "The escalation figures are for the QA unit, the principal social worker and the deputy "
                      "director, and for heads of service and service leads (their service areas)."),
    SUPERVISION: Rule(frozenset({Role.QA_UNIT, Role.PRINCIPAL_SOCIAL_WORKER}), frozenset({Role.SERVICE_LEAD}),
                      "Supervision compliance is for the QA unit and the principal social worker, and for "
                      "service leads (their service areas)."),
    OBSERVATIONS: Rule(frozenset({Role.QA_UNIT, Role.PRINCIPAL_SOCIAL_WORKER}),
                       frozenset({Role.HEAD_OF_SERVICE, Role.SERVICE_LEAD}),
                       "Observation coverage is for the QA unit and the principal social worker, and for heads "
                       "of service and service leads (their service areas)."),
    DELIVERY: Rule(frozenset({Role.QA_UNIT}), frozenset(), "How messages are getting to Teams is for the QA unit."),
}
CLOSERS = frozenset({Role.QA_UNIT})
NOT_A_CLOSER = "Closing a month is for the QA unit. Nothing was changed."
NO_AREAS = ("The roster gives you no service area, so I have no figures for you. Please ask the QA unit to check "
            "the roster.")
NOT_A_STATUS = "I couldn't tell which figures these were. Nothing was sent."


@dataclass(frozen=True)
class Scope:
    """What one person sees: `areas` None for the whole service, else those service areas."""

    areas: tuple[str, ...] | None = None

    def covers(self, area: str) -> bool:
        return self.areas is None or area in self.areas

    def words(self) -> str:
        if self.areas is None:
            return "the whole service"
        return self.areas[0] if len(self.areas) == 1 else ", ".join(self.areas[:-1]) + " and " + self.areas[-1]


def scope_of(person: Person | None, name: str) -> Scope | str:
    """What `person` sees of status `name`, or the sentence saying why nothing (who it is for)."""
    rule = RULES.get(name)
    if rule is None:
        return NOT_A_STATUS
    if person is None or not person.active or person.role not in rule.roles:
        return rule.who
    if person.role in rule.whole:
        return Scope()
    return Scope(tuple(person.service_areas)) if person.service_areas else NO_AREAS


def may_close(person: Person | None) -> bool:
    return person is not None and person.active and person.role in CLOSERS
