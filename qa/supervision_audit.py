"""Supervision audits (framework 9.1's Supervision Audit Framework, on 9.3's schedule of audits): the QA
unit allocates a supervisee's supervision file to an auditor, on the supervision audit form. Pure rules.

- The subject is a person, never a child: the allocation's `case_ref` is the supervision file's reference,
  FILE_PREFIX and the supervisee's roster id ("SUP-42"), so a supervision audit goes through the cycle,
  oversight, the register and the analysis as any audit does, and no child's case reference is held for it.
- The supervisee must be active on the roster with an active supervisor; the auditor is neither the
  supervisee nor their supervisor (the audit is an independent look at the supervision).
- 9.3's schedule marks the months supervision files are audited (default every other month, SCHEDULE);
  allocating one in another month is allowed, and the import summary says so (`off_schedule_line`).
"""
from __future__ import annotations

import re
from collections.abc import Collection

FILE_PREFIX = "SUP-"
# The months (1-12) 9.3's schedule marks for supervision audits: every other month, from February.
SCHEDULE = (2, 4, 6, 8, 10, 12)
# What the allocation's Annex A list says for a supervision file (it is on no Annex A list).
FILE_LIST = "Supervision file"
_FILE_REF = re.compile(rf"^{FILE_PREFIX}(\d+)$", re.IGNORECASE)


def file_ref(person_id: int) -> str:
    """The supervision file's reference for the supervisee with roster id `person_id`: "SUP-42"."""
    return f"{FILE_PREFIX}{person_id}"


def supervisee_of(case_ref: str) -> int | None:
    """The roster id a supervision file's reference names ("SUP-42" -> 42), None for any other reference."""
    match = _FILE_REF.match((case_ref or "").strip())
    return int(match.group(1)) if match else None


def parse_months(text: str) -> tuple[int, ...]:
    """"2,4,6" -> (2, 4, 6): the schedule's months, numbers 1 to 12 separated by commas or spaces, sorted,
    each once. Empty text: SCHEDULE. Raises ValueError naming what is not a month."""
    words = [w for w in re.split(r"[,\s;]+", text or "") if w]
    if not words:
        return SCHEDULE
    months: set[int] = set()
    for word in words:
        if not (word.isascii() and word.isdigit()) or not 1 <= int(word) <= 12:
            raise ValueError(f"{word!r} is not a month number from 1 to 12")
        months.add(int(word))
    return tuple(sorted(months))


def subject_problem(*, supervisee_email: str | None, supervisor_email: str, supervisor_active: bool) -> str | None:
    """Why the supervisee cannot have their supervision file audited (None when they can): none named, or no
    active supervisor on the roster (there is no supervision to audit)."""
    if not supervisee_email:
        return ("is empty; a supervision audit names the supervisee here (the person whose supervision file "
                "is audited)")
    if not supervisor_email:
        return f"{supervisee_email} has no supervisor on the roster; there is no supervision file to audit"
    if not supervisor_active:
        return (f"{supervisee_email}'s supervisor ({supervisor_email}) is not an active person on the roster; "
                "update the roster first")
    return None


def auditor_problem(*, auditor_email: str, supervisee_email: str, supervisor_email: str) -> str | None:
    """Why the auditor may not audit this supervision file (None when they may): they are the supervisee,
    or the supervisor whose supervision is audited. Emails compared as given (lower case keys)."""
    if auditor_email == supervisee_email:
        return "is the supervisee; nobody audits their own supervision file"
    if auditor_email == supervisor_email:
        return (f"is {supervisee_email}'s supervisor; a supervision file is audited by someone other than the "
                "supervisor, so the audit looks at the supervision independently")
    return None


def case_ref_problem(given: str, person_id: int | None) -> str | None:
    """The case_ref cell of a supervision row: empty (the bot gives the file's reference) or that reference
    itself; anything else (a child's case reference) refused."""
    text = (given or "").strip()
    if not text or person_id is None or text.upper() == file_ref(person_id):
        return None
    return (f"{text!r} is not this supervision file's reference; leave case_ref empty for a supervision audit "
            f"(the bot names the file {file_ref(person_id)}): its subject is a person, not a child's case")


def off_schedule_line(month: str, months: Collection[int], count: int) -> str | None:
    """The import summary's line when `count` supervision audits are allocated in `month` ("YYYY-MM"), a month
    the schedule (`months`) does not mark; None when it does or there are none."""
    if count == 0 or int(month[5:7]) in months:
        return None
    return (f"{count} supervision audit{'s' if count != 1 else ''} allocated in {month}, a month the schedule does "
            f"not mark for supervision audits (months {', '.join(str(m) for m in sorted(months))}); allowed")
