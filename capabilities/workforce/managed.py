"""The one step a manager's workforce use case begins with: the person they act for, from the roster, once the
actor may act for them (their supervisor, someone above them on the roster, or the QA unit:
access.may_record_asye). Appraisals, induction confirmations and personal development plans share it."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo

from capabilities.kit import Act, refuse
from capabilities.workforce.access import may_record_asye
from storage.workforce import StaffMember, workforce


async def managed_person(act: Act, tz: tzinfo, person_id: int, may_do: str,
                         nothing: str) -> tuple[StaffMember, Mapping[int, StaffMember]]:
    """(the person `person_id`, the roster's staff by id). Stop REFUSED when they are no longer on the roster, or
    when the actor may not act for them ("Only <name>'s manager (...) can `may_do`."), each followed by `nothing`
    (what was not done). `tz`: the council's time zone, for the roster's dates."""
    staff = await workforce(act.session, tz)
    about = staff.get(person_id)
    if about is None:
        refuse("This person is no longer on the roster. " + nothing)
    if not await act.may(lambda actor: may_record_asye(staff, about, actor)):
        refuse(f"Only {about.name}'s manager (their supervisor, or someone above them) can {may_do}. " + nothing)
    return about, staff
