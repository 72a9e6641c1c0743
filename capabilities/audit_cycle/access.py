"""Who may act on an allocation (framework 9.3 and section 8's roles). Every use case checks again
on the server; a card carries ids only. Who is told lives with the roster (storage/people.py)."""
from __future__ import annotations

from qa.framework import Role
from storage.models import Allocation, Person
from storage.people import covers, is_qa_unit


def may_audit(person: Person, allocation: Allocation) -> bool:
    """Start, save, submit, decline, upload: the allocation's auditor, or the QA unit."""
    return person.active and (person.id == allocation.auditor_id or is_qa_unit(person))


def may_oversee(person: Person, allocation: Allocation) -> bool:
    """Confirm oversight or dispute: a service lead for the allocation's service area."""
    return person.active and person.role == Role.SERVICE_LEAD and covers(person, allocation.service_area)


may_resolve = may_audit  # the auditor or the QA unit records how a dispute was settled


def may_see_findings(person: Person, allocation: Allocation) -> bool:
    """An audit's findings, reflection and supervision ask: only the allocation's case holder, and only once
    oversight is confirmed (framework 9.3; docs/privacy.md "The case holder")."""
    return (person.active and person.id == allocation.case_holder_id
            and allocation.state in ("oversight_confirmed", "complete"))
