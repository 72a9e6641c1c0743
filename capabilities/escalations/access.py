"""Who may act on the escalations' records, and who is told (framework 9.3 and section 14).
Checked again in every use case; a card carries ids only."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from qa.framework import Role
from storage.cycle import area_key
from storage.models import Alert, Allocation, Person
from storage.people import active_people, covers

RAISERS = frozenset({Role.IRO, Role.CP_CHAIR, Role.QA_UNIT})  # who may raise a practice alert
REVIEWERS = (Role.SERVICE_LEAD, Role.HEAD_OF_SERVICE)  # who owes an escalation's updates
AREA_MANAGERS = REVIEWERS  # who records a case's remedial actions
PANEL = (Role.QA_UNIT, Role.HEAD_OF_SERVICE)  # the dip sample's moderation panel
ALERT_ANSWERERS = (Role.PRACTICE_MANAGER, Role.SERVICE_LEAD)  # who responds to a practice alert
# Who may be named responsible for a remedial action: people of the case's team or its area's managers.
RESPONSIBLE = (Role.PRACTITIONER, Role.PRACTICE_MANAGER, Role.SERVICE_LEAD)
# `good practice`: the QA unit and the principal social worker see every area's list (they run the
# practice forums and learning workshops); heads of service, service leads and practice managers
# see their own service areas' audits.
GOOD_PRACTICE_EVERY_AREA = frozenset({Role.QA_UNIT, Role.PRINCIPAL_SOCIAL_WORKER})
GOOD_PRACTICE_OWN_AREAS = frozenset({Role.HEAD_OF_SERVICE, Role.SERVICE_LEAD, Role.PRACTICE_MANAGER})
GOOD_PRACTICE_READERS = GOOD_PRACTICE_EVERY_AREA | GOOD_PRACTICE_OWN_AREAS
GOOD_PRACTICE_LIST = (Role.PRINCIPAL_SOCIAL_WORKER, Role.QA_UNIT)  # who receive the monthly list


def may_moderate(person: Person) -> bool:
    """Agree or regrade an Inadequate grade; close an escalation or ask for more: the QA unit."""
    return person.active and person.role == Role.QA_UNIT


def may_update(person: Person, service_area: str) -> bool:
    """Send an escalation's update: a service lead or head of service for the case's service area."""
    return person.active and person.role in REVIEWERS and covers(person, service_area)


def may_raise_alert(person: Person | None) -> bool:
    """Raise a practice alert: independent reviewing officers, conference chairs and the QA unit."""
    return person is not None and person.active and person.role in RAISERS


def may_answer(person: Person, alert: Alert) -> bool:
    """Respond to or resolve a practice alert: the team's practice manager or the area's service lead."""
    if not person.active:
        return False
    if person.role == Role.PRACTICE_MANAGER:
        return area_key(person.team) == area_key(alert.team)
    return person.role == Role.SERVICE_LEAD and covers(person, alert.service_area)


def may_list_alerts(person: Person | None) -> bool:
    """See the open practice alerts: the QA unit."""
    return person is not None and may_moderate(person)


def may_manage(person: Person, allocation: Allocation) -> bool:
    """Add or mark done a case's remedial actions: a service lead or head of service for its area."""
    return person.active and person.role in AREA_MANAGERS and covers(person, allocation.service_area)


def may_be_responsible(person: Person, allocation: Allocation) -> bool:
    """Be named responsible for a remedial action: a person of the case's team, or a practice
    manager or service lead for its area."""
    return person.role in RESPONSIBLE and (area_key(person.team) == area_key(allocation.team) or (
        person.role != Role.PRACTITIONER and covers(person, allocation.service_area)))


def on_panel(person: Person, allocation: Allocation) -> bool:
    """Record a dip-sample item: the QA unit, or a head of service for the case's area."""
    return person.active and (person.role == Role.QA_UNIT or (
        person.role == Role.HEAD_OF_SERVICE and covers(person, allocation.service_area)))


def may_see_good_practice(person: Person | None) -> bool:
    return person is not None and person.role in GOOD_PRACTICE_READERS


def good_practice_areas(person: Person) -> tuple[str, ...] | None:
    """The service areas whose good practice `person` may see: None for every area (the QA unit,
    the principal social worker), else their own roster areas (possibly none)."""
    return None if person.role in GOOD_PRACTICE_EVERY_AREA else tuple(person.service_areas)


# -- who is told -----------------------------------------------------------------------------------

async def reviewers(session: AsyncSession, service_area: str) -> list[Person]:
    """The area's service lead(s) and head(s) of service, active, by id."""
    return [p for p in await active_people(session, REVIEWERS) if covers(p, service_area)]


async def answerers(session: AsyncSession, alert: Alert) -> list[Person]:
    return [p for p in await active_people(session, ALERT_ANSWERERS) if may_answer(p, alert)]


async def heads_of_service(session: AsyncSession, service_area: str) -> list[Person]:
    return [p for p in await active_people(session, [Role.HEAD_OF_SERVICE]) if covers(p, service_area)]


async def panel_for(session: AsyncSession, allocation: Allocation) -> list[Person]:
    return [p for p in await active_people(session, PANEL) if on_panel(p, allocation)]


async def learning_for(session: AsyncSession, auditor: Person | None) -> list[Person]:
    """Who learns of a dip-sample grade given differently: the auditor (if active) and the service
    leads of the auditor's areas."""
    if auditor is None:
        return []
    told = [auditor] if auditor.active else []
    return told + [p for p in await active_people(session, [Role.SERVICE_LEAD])
                   if any(covers(p, area) for area in auditor.service_areas) and p.id != auditor.id]
