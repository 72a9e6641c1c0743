"""Who may see and use the month's proposed sample: the QA unit (framework 9.3: "Cases for the monthly
audit will be selected by Quality Assurance Unit"). Checked on the server against the sender, every time."""
from __future__ import annotations

from qa.framework import Role
from storage.models import Person

CHOOSERS = frozenset({Role.QA_UNIT})
NOT_A_CHOOSER = "Choosing the month's audit sample is for the QA unit. Nothing was changed."


def may_choose(person: Person | None) -> bool:
    return person is not None and person.active and person.role in CHOOSERS
