"""What the observation, walk and feedback conversations share: checking typed text, dates, the
roster person behind a conversation, and who may see an observation or a feedback entry."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.steps import AnswerError, normal
from qa.identifiers import find_identifiers, refusal
from qa.observations import MAX_TEXT, OVERSIGHT_ROLES, YEAR
from storage.models import FeedbackEntry, Observation, Person
from storage.observations import supervisors_up_the_line

NOT_ON_ROSTER = ("I can't match you to anyone active on the QA roster, so I can't record this. "
                 "Please ask the QA unit to check the roster.")
NOTHING_SAVED = "Nothing was saved."
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def checked_text(field: str, text: str, *, limit: int = MAX_TEXT) -> str:
    """Typed text kept as typed (stripped), or AnswerError: empty, too long, or holding an identifier
    (the refusal says which kind: a date of birth, a postcode, a phone number, an email...)."""
    text = text.strip()
    if len(text) < 2:
        raise AnswerError(f"{field}: please type a few words.")
    if len(text) > limit:
        raise AnswerError(f"{field} is {len(text)} characters; please keep it to {limit}.")
    kinds = find_identifiers(text)
    if kinds:
        raise AnswerError(refusal(field, kinds))
    return text


def parse_day(text: str, today: date) -> date:
    """A typed date: today, yesterday, 2026-11-28 or 28/11/2026; not in the future nor over a year
    ago. AnswerError with the reason otherwise."""
    said = normal(text)
    if said == "today":
        return today
    if said == "yesterday":
        return today - timedelta(days=1)
    try:
        match = _DMY.match(text.strip())
        day = date(int(match[3]), int(match[2]), int(match[1])) if match else date.fromisoformat(text.strip())
    except ValueError:
        raise AnswerError("Please type the date as 28/11/2026, or tap Today.") from None
    if day > today:
        raise AnswerError("That date is in the future: please give the day it happened.")
    if today - day > YEAR:
        raise AnswerError("That is over a year ago: please give a date in the last twelve months.")
    return day




async def may_see_observation(session: AsyncSession, viewer: Person | None, observation: Observation) -> bool:
    """The observer, the supervisee, the supervisee's supervisors up the line, the QA unit and the
    principal social worker (issue 12); no one else, and no one who has left."""
    if viewer is None or not viewer.active:
        return False
    if viewer.id in (observation.observer_id, observation.supervisee_id) or viewer.role in OVERSIGHT_ROLES:
        return True
    supervisee = await session.get(Person, observation.supervisee_id)
    return supervisee is not None and viewer.id in {p.id for p in await supervisors_up_the_line(session, supervisee)}


def may_see_feedback(viewer: Person | None, entry: FeedbackEntry) -> bool:
    """Its author, the QA unit, the principal social worker and the service lead of its area."""
    if viewer is None or not viewer.active:
        return False
    return (viewer.id == entry.author_id or viewer.role in OVERSIGHT_ROLES
            or (viewer.role == "service_lead" and entry.service_area in viewer.service_areas))
