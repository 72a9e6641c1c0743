"""What the observation, walk and feedback conversations and use cases share: checking typed text
and dates, and what to say to someone not on the roster."""
from __future__ import annotations

import re
from datetime import date, timedelta

from capabilities.settings import case_refs
from dialogs.steps import AnswerError, normal
from qa.identifiers import DATE_KEPT, case_ref_problem, screen
from qa.observations import MAX_TEXT, YEAR

NOT_ON_ROSTER = ("I can't match you to anyone active on the QA roster, so I can't record this. "
                 "Please ask the QA unit to check the roster.")
KEEP_DATE = f'tap "{DATE_KEPT}" (or type it)'
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def checked_text(field: str, text: str, *, limit: int = MAX_TEXT, keep: str | None = KEEP_DATE) -> str:
    """Typed text kept as typed (stripped), or AnswerError: empty, too long, holding an identifier
    (the refusal says which kind: a date of birth, a postcode, a street address, a phone number, an
    email...), or holding a date on its own not yet kept (the question offers a DATE_KEPT button
    whose value is the text, so tapping it keeps the answer; `keep` None: a card's box, which has no
    such button, and the question says how to keep the day instead). Names cannot be recognised: the
    questions say not to type them."""
    text = text.strip()
    if len(text) < 2:
        raise AnswerError(f"{field}: please type a few words.")
    if len(text) > limit:
        raise AnswerError(f"{field} is {len(text)} characters; please keep it to {limit}.")
    found = screen(field, text, keep=keep)
    if found:  # in a dialog, a date on its own may be kept with the button the question adds
        raise AnswerError(found.message, keep=(DATE_KEPT, text) if found.questioned and keep else None)
    return text


def checked_case_ref(text: str) -> str:
    """A typed case reference, upper case, in the council's format (QA_CASE_REF_PATTERN), or
    AnswerError saying why not (never repeating it: it may be a child's name)."""
    ref = text.strip().upper()
    reason = case_ref_problem(ref, case_refs())
    if reason:
        raise AnswerError(f"That case reference {reason}.")
    return ref


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

