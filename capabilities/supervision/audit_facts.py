"""The supervision register's facts for one supervisee, as a supervision audit's auditor sees them (framework
9.1's Supervision Audit Framework, audited on 9.3's schedule: capabilities/audit_cycle shows them on the
allocation notice and the form's first page). Read through storage/supervision.py `supervision_file`, judged by
qa/supervision.py's own cadence rules, so the audit sees what the supervision capability's compliance counts.

The lines: the supervisor; 1:1 cadence kept (in date, or overdue since when); the 1:1s held in the last three
months with their days; the last 1:1's length against the one and a half hours; the agreement last reviewed and
whether in date; case supervision in date (how many cases, how many overdue; no case references, which the
auditor reads on the file itself). No child's details: there are none in the register.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.supervision.config import cadences
from dialogs.card_kit import format_day
from qa.calendar import WorkingCalendar
from qa.supervision import (
    AGREEMENT,
    CASE,
    FULL_LENGTH,
    LENGTH_NOT_RECORDED,
    ONE_TO_ONE,
    Cadences,
    add_months,
    agreement_due,
    case_due,
    in_date,
    one_to_one_due,
    one_to_one_length,
)
from storage.supervision import SupervisionFile, supervision_file

LOOK_BACK_MONTHS = 3  # the 1:1s the auditor is shown: the last three months' (three at the four-weekly cadence)


def _short(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def fact_lines(file: SupervisionFile, today: date, cal: WorkingCalendar,
               cadences: Cadences = Cadences()) -> tuple[tuple[str, str], ...]:
    """(what, as the register shows it) for the supervisee's file on `today` (a local day); pure."""
    facts = file.facts
    last_one = facts.last.get(ONE_TO_ONE)
    due = one_to_one_due(last_one, facts.joined, cal, cadences, facts.asye, on_record_from=facts.on_record_from)
    kept = in_date(facts, ONE_TO_ONE, today, cal, cadences)
    cadence = ("Yes: next due " if kept else "No: overdue since ") + format_day(due) if kept is not None \
        else f"First 1:1 not yet due (due {format_day(due)})"
    held = ", ".join(_short(d) for d in file.one_to_ones) if file.one_to_ones else "none recorded"
    length = one_to_one_length(facts, cadences)
    length_words = {None: "No 1:1 recorded", LENGTH_NOT_RECORDED: "Not recorded",
                    FULL_LENGTH: f"At least {cadences.one_to_one_minutes} minutes"}.get(
        length, f"Short: {facts.last_one_to_one_minutes} minutes (standard {cadences.one_to_one_minutes})")
    reviewed = facts.last.get(AGREEMENT)
    agreement_kept = in_date(facts, AGREEMENT, today, cal, cadences)
    next_review = agreement_due(reviewed, facts.joined, cal, cadences, on_record_from=facts.on_record_from)
    agreement = (format_day(reviewed) if reviewed else "Not recorded") + (
        "" if agreement_kept is None else "; in date" if agreement_kept else f"; overdue since {format_day(next_review)}")
    dues = [d for c in facts.cases if (d := case_due(c.last_supervised, c.first_seen, cal, cadences, c.exempt))]
    late = sum(d < today for d in dues)
    case = "No caseload on record" if not facts.cases else \
        f"In date: all {len(dues)} cases needing it" if in_date(facts, CASE, today, cal, cadences) or not dues else \
        f"Not in date: {late} of {len(dues)} cases overdue"
    return (("Supervisor", file.supervisor_name), ("1:1 cadence kept", cadence),
            (f"1:1s in the last {LOOK_BACK_MONTHS} months", f"{len(file.one_to_ones)}: {held}" if file.one_to_ones
             else held.capitalize()),
            ("Last 1:1 length", length_words), ("Agreement last reviewed", agreement),
            ("Case supervision", case))


async def register_facts(session: AsyncSession, person_id: int, today: date,
                         cal: WorkingCalendar) -> tuple[tuple[str, str], ...]:
    """The register's facts for supervisee `person_id` on `today` (local), for a supervision audit's card; one
    line saying so when they have no supervisor on the roster any more."""
    file = await supervision_file(session, person_id, today, add_months(today, -LOOK_BACK_MONTHS), cal.tz)
    if file is None:
        return (("Supervision register", "No supervisor on the roster now: nothing to show"),)
    return fact_lines(file, today, cal, cadences())
