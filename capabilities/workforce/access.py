"""Who may see and record the workforce duties: plain predicates on the roster's people
(storage.workforce.StaffMember).

An ASYE's review point is recorded as held by their supervisor, anyone above the supervisor on the roster
(who gets the digest while the supervisor is away), or the QA unit; never by the ASYE themself. The cohort's
status goes to the principal social worker.
"""
from __future__ import annotations

from collections.abc import Mapping

from qa.framework import Role
from storage.models import Person
from storage.workforce import StaffMember


def up_the_line(staff: Mapping[int, StaffMember], person_id: int) -> list[int]:
    """Everyone above `person_id` on the roster, nearest first (their supervisor, theirs ...)."""
    seen: list[int] = []
    current = staff[person_id].supervisor_id if person_id in staff else None
    while current is not None and current in staff and current not in seen and current != person_id:
        seen.append(current)
        current = staff[current].supervisor_id
    return seen


def may_record_asye(staff: Mapping[int, StaffMember], about: StaffMember, actor: Person) -> bool:
    """Whether `actor` may record one of `about`'s ASYE review points as held (see the module notes)."""
    if actor.id == about.id:
        return False
    return actor.role == Role.QA_UNIT or actor.id in up_the_line(staff, about.id)
