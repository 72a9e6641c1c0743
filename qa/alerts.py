"""Practice alerts (framework section 14): independent reviewing officers, child protection
conference chairs and the QA unit alert a team to drift, delay or poor practice on a case; the
team's practice manager and the area's service lead respond. Pure: dates and text in, dates out,
counted in the council's WorkingCalendar (qa/calendar.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from qa.calendar import WorkingCalendar
from qa.identifiers import CASE_REF_MAX as CASE_REF_LIMIT
from qa.identifiers import DEFAULT_CASE_REFS, CaseRefFormat, case_ref_problem

CATEGORIES = ("Drift or delay", "Plan not progressing", "Visits", "Recording", "Other")
CHASE_WORKING_DAYS = 5  # unresolved this long: chased to the practice manager and service lead
DESCRIPTION_MAX = 2000
RESPONSE_MAX = 2000
CASE_REF_MAX = CASE_REF_LIMIT


class AlertError(ValueError):
    """What is wrong with an alert or a response, said for a person."""


@dataclass(frozen=True)
class ChaseDates:
    """When an unresolved alert is chased (UTC, send_at local): `chase_at` after `days` working days
    to the practice manager and service lead; `escalate_at` after twice as many to the head of
    service and the QA unit."""

    chase_at: datetime
    escalate_at: datetime


def chase_dates(raised_at: datetime, cal: WorkingCalendar, days: int = CHASE_WORKING_DAYS) -> ChaseDates:
    """Counted from the local day of `raised_at` (aware), that day not counted: raised Monday 21 Dec
    2026, 5 working days is Wednesday 30 Dec (Christmas, the weekend and Boxing Day's substitute
    skipped), 10 is Thursday 7 Jan 2027 (New Year's Day and the weekend skipped)."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"days must be a whole number of working days, at least 1, not {days!r}")
    day = cal.local_date(raised_at)
    return ChaseDates(cal.at_send_time(cal.add_working_days(day, days)),
                      cal.at_send_time(cal.add_working_days(day, 2 * days)))


def check_alert(case_ref: str | None, team: str | None, teams: list[str], category: str | None,
                description: str | None, case_refs: CaseRefFormat = DEFAULT_CASE_REFS) -> tuple[str, str, str, str]:
    """(case ref, team, category, description), stripped; AlertError names the first thing wrong.
    `teams` are the teams an alert may go to (the roster's teams with a practice manager); the case
    reference is in the council's format `case_refs` (qa.identifiers.case_ref_problem)."""
    case_ref, team = (case_ref or "").strip(), (team or "").strip()
    category, description = (category or "").strip(), (description or "").strip()
    if not case_ref:
        raise AlertError("Please give the case reference, never a child's name.")
    if reason := case_ref_problem(case_ref, case_refs):
        raise AlertError(f"The case reference {reason}.")
    if team not in teams:
        raise AlertError("Please choose the team the case is with.")
    if category not in CATEGORIES:
        raise AlertError(f"Please choose what the alert is about: {', '.join(CATEGORIES)}.")
    if not description:
        raise AlertError("Please describe the concern about practice.")
    if len(description) > DESCRIPTION_MAX:
        raise AlertError(f"The description is {len(description)} characters; please keep it to {DESCRIPTION_MAX}.")
    return case_ref, team, category, description


def check_response(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise AlertError("Please say what actions were agreed.")
    if len(text) > RESPONSE_MAX:
        raise AlertError(f"The response is {len(text)} characters; please keep it to {RESPONSE_MAX}.")
    return text
