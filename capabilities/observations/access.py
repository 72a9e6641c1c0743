"""Who may record and act on observations, floor walks and feedback: plain predicates on roster
people and records, used by the use cases (flow.py) and by the conversations that offer them."""
from __future__ import annotations

from qa.observations import OBSERVER_ROLES, SENIOR_ROLES
from storage.models import Allocation, Audit, Observation, Person


def observes(person: Person) -> bool:
    """Practice managers, service leads, heads of service and deputy directors observe practice."""
    return person.role in OBSERVER_ROLES


def observes_anyone(person: Person) -> bool:
    """Senior managers may observe anyone on the roster, not only their own supervisees."""
    return person.role in SENIOR_ROLES


def may_observe(actor: Person, supervisee: Person | None) -> bool:
    """An active person other than the actor: one of their supervisees, or anyone for a senior manager."""
    if supervisee is None or not supervisee.active or supervisee.id == actor.id:
        return False
    return observes_anyone(actor) or supervisee.supervisor_email == actor.email


def may_reflect(person: Person, observation: Observation) -> bool:
    """Only the observed supervisee adds their reflection."""
    return observation.supervisee_id == person.id


def walks_the_floor(person: Person) -> bool:
    """Service leads, heads of service and deputy directors record walking the floor."""
    return person.role in SENIOR_ROLES


def owes_family_view(person: Person, allocation: Allocation | None, audit: Audit | None) -> bool:
    """The auditor of an audit that asked for the family's view records it (or why it was not possible)."""
    return (allocation is not None and audit is not None and allocation.auditor_id == person.id
            and audit.seek_family_views)
