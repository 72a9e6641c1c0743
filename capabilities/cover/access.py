"""Who may see and change cover: the QA unit (framework section 21). Who may act on covered work is
the kit's `Act.may` (the absent person's own check, passed by their cover)."""
from __future__ import annotations

from storage.models import Person
from storage.people import is_qa_unit


def may_manage_cover(person: Person | None) -> bool:
    """`who covers` and changing a cover: the QA unit."""
    return person is not None and person.active and is_qa_unit(person)
