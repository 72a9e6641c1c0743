"""Who may act on broadcasts: the QA unit composes, sends, cancels, corrects and reads reports (the
command line's operator acts for it); a recipient acknowledges only their own copy (flow.acknowledge)."""
from __future__ import annotations

from qa.framework import Role
from storage.models import Person

QA_ONLY = "Broadcasts are for the QA unit."


def may_broadcast(person: Person | None) -> bool:
    return person is not None and person.active and person.role == Role.QA_UNIT


RECIPIENTS_FOR = "A broadcast's recipients are for its author and the QA unit. Nothing was sent."


def may_have_recipients(person: Person | None, created_by_id: int | None) -> bool:
    """The QA unit, or the broadcast's author (while on the roster)."""
    return may_broadcast(person) or (person is not None and person.active and person.id == created_by_id)
