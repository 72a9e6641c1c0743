"""The escalation rules of framework 9.3 ("Inadequate or Requires Improvement cases",
"Moderation and Management oversight"): when the updates owed after an agreed Inadequate grade
are due, when they are reminded and chased, and what a moderation decision may say. Pure: dates
and instants in (aware), dates and UTC instants out, counted in the council's WorkingCalendar
(qa/calendar.py: weekends, bank holidays and closure days are not working days).

An update is due by the END of its due day (local time): it is late from local midnight after it.
"""
from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from qa.calendar import WorkingCalendar
from qa.framework import GRADES

INADEQUATE = "Inadequate"
REGRADES = tuple(g for g in GRADES if g != INADEQUATE)  # what a moderator may regrade to
FIRST_UPDATE_WORKING_DAYS = 3  # the first update: within 3 working days of the escalation
SECOND_UPDATE_CALENDAR_DAYS = 7  # the second: one week after it (next working day if that is not one)
REASON_MAX = 1000  # characters of a regrade reason
UPDATE_MAX = 2000  # characters of one update


class RuleError(ValueError):
    """What a person entered breaks a rule; the message says what, in plain words."""


@dataclass(frozen=True)
class UpdateDates:
    """One owed update's dates: `due_on` (a working day, local), `due_at` (the end of that day, UTC),
    `remind_at` (send_at on the due day: the morning reminder, UTC) and `chase_at` (send_at on the
    next working day: the overdue chase to service lead and head of service, and the QA unit's report)."""

    due_on: date
    due_at: datetime
    remind_at: datetime
    chase_at: datetime


def update_dates(due_on: date, cal: WorkingCalendar) -> UpdateDates:
    """The dates of an update due on `due_on` (moved to the next working day if it is not one)."""
    due_on = cal.next_working_day(due_on, include_self=True)
    end = datetime.combine(due_on + timedelta(days=1), time(0), tzinfo=cal.tz).astimezone(UTC)
    return UpdateDates(due_on, end, cal.at_send_time(due_on), cal.at_send_time(cal.next_working_day(due_on)))


def first_update_due(escalated_at: datetime, cal: WorkingCalendar) -> UpdateDates:
    """The first update (actions taken): due at the end of the 3rd working day after the local day
    of `escalated_at` (aware), that day not counted. Escalated on Thu 24 Dec 2026 (England): due
    Thu 31 Dec (Christmas, the weekend and the Boxing Day substitute skipped)."""
    day = cal.local_date(escalated_at)
    return update_dates(cal.add_working_days(day, FIRST_UPDATE_WORKING_DAYS), cal)


def second_update_due(escalated_at: datetime, cal: WorkingCalendar) -> UpdateDates:
    """The second update (all actions addressed, or the plan for what is outstanding): 7 calendar
    days after the local day of `escalated_at`; when that is not a working day, the next working
    day. Escalated Fri 18 Dec 2026: the 25th is Christmas Day, so due Tue 29 Dec."""
    day = cal.local_date(escalated_at) + timedelta(days=SECOND_UPDATE_CALENDAR_DAYS)
    return update_dates(day, cal)


def further_update_due(asked: date, now: datetime, cal: WorkingCalendar) -> UpdateDates:
    """A further update the QA unit asks for by `asked` (a local date): it must be after today
    (local day of `now`); a day off moves to the next working day. RuleError otherwise."""
    if not isinstance(asked, date) or isinstance(asked, datetime):
        raise RuleError("Please pick the date the further update is due.")
    if asked <= cal.local_date(now):
        raise RuleError("The further update must be due after today.")
    if asked > cal.local_date(now) + timedelta(days=92):
        raise RuleError("The further update must be due within three months.")
    return update_dates(asked, cal)


def check_regrade(grade: str | None, reason: str | None) -> tuple[str, str]:
    """A regrade of an Inadequate audit: one of the other three grades and a reason (at most
    REASON_MAX characters). Returns (grade, reason stripped); RuleError says what is missing."""
    grade = (grade or "").strip()
    reason = (reason or "").strip()
    if grade not in REGRADES:
        raise RuleError(f"Please choose the grade you would give instead: {', '.join(REGRADES)}.")
    if not reason:
        raise RuleError("Please give the reason for the regrade.")
    if len(reason) > REASON_MAX:
        raise RuleError(f"The reason is {len(reason)} characters; please keep it to {REASON_MAX}.")
    return grade, reason


def check_update(text: str | None) -> str:
    """An update's text: not empty, at most UPDATE_MAX characters. Returns it stripped."""
    text = (text or "").strip()
    if not text:
        raise RuleError("Please write the update: what has been done to address the concerns.")
    if len(text) > UPDATE_MAX:
        raise RuleError(f"The update is {len(text)} characters; please keep it to {UPDATE_MAX}.")
    return text


def parse_day(value: str | None) -> date | None:
    """An Input.Date value ("2026-12-31") as a date, else None."""
    try:
        return date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


# -- remedial actions (framework 9.3: Requires Improvement and Inadequate, after oversight) -------------

REMEDIAL_GRADES = ("Requires Improvement", "Inadequate")
ACTION_MAX = 500  # characters of one remedial action


def check_remedial(text: str | None, target: date | None, now: datetime, cal: WorkingCalendar) -> tuple[str, UpdateDates]:
    """A remedial action: its text (1..ACTION_MAX characters) and target date (today or later,
    within a year, local). Returns the text stripped and the target's dates: chased on the target
    day (`remind_at`, moved to a working day) and, still not done, the next working day (`chase_at`).
    RuleError says what is wrong."""
    text = (text or "").strip()
    if not text:
        raise RuleError("Please describe the action.")
    if len(text) > ACTION_MAX:
        raise RuleError(f"The action is {len(text)} characters; please keep it to {ACTION_MAX}.")
    today = cal.local_date(now)
    if target is None:
        raise RuleError("Please pick the action's target date.")
    if target < today:
        raise RuleError("The target date has passed; please pick today or a later day.")
    if target > today + timedelta(days=366):
        raise RuleError("Please pick a target date within a year.")
    return text, update_dates(target, cal)


# -- the monthly dip sample (framework 9.3, "Moderation and Management oversight") -----------------------

DIP_SAMPLE_DAY = 10  # the day of the month the sample is drawn (moved to the next working day)
DIP_SAMPLE_PERCENT = 10  # of the previous month's submitted audits


def dip_sample_day(year: int, month: int, cal: WorkingCalendar, day: int = DIP_SAMPLE_DAY) -> date:
    """The day `month`'s dip sample is drawn: `day` (1-28), or the next working day when it is not one."""
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 28:
        raise ValueError(f"the dip-sample day is a day of the month from 1 to 28, not {day!r}")
    return cal.next_working_day(date(year, month, day), include_self=True)


def draw_dip_sample(audits: Sequence[tuple[int, str]], percent: int, seed: int) -> list[int]:
    """A reproducible random sample of `audits` ((audit id, service area) pairs): `percent` of them,
    rounded up, and at least one from every service area that has audits. The same audits, percent
    and seed always give the same sample (the ids, sorted). Areas compare as typed, case and spacing
    aside."""
    if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 100:
        raise ValueError(f"percent must be a whole number from 1 to 100, not {percent!r}")
    ordered = sorted(set(audits))
    if not ordered:
        return []
    chooser = random.Random(seed)
    by_area: dict[str, list[int]] = {}
    for audit_id, area in ordered:
        by_area.setdefault(" ".join(area.split()).casefold(), []).append(audit_id)
    chosen = {chooser.choice(ids) for _area, ids in sorted(by_area.items())}
    wanted = math.ceil(len(ordered) * percent / 100)
    rest = [audit_id for audit_id, _ in ordered if audit_id not in chosen]
    chooser.shuffle(rest)
    chosen.update(rest[:max(0, wanted - len(chosen))])
    return sorted(chosen)
