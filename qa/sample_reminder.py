"""When the QA unit is asked for the month's Annex A extract (framework 9.3 "Selection and
distribution": "Cases for the monthly audit will be selected by Quality Assurance Unit, using the
Ofsted Annex A case list", and the allocations are distributed on the 3rd). Pure: dates and counts
in, no SQL, no clock.

Rules decided here:
- The reminder for month M falls `days_before` working days before M's allocation day (the 3rd,
  moved on to the next working day when it is not one: qa/audit_calendar.py), counted on the
  working calendar (weekends and bank holidays skipped); 0 (no reminder) is for a caller that wants none.
- It asks only while M has no allocations and no confirmed sample: an allocation list already
  sent, or a sample already used, needs no extract. A sample proposed but not used still asks
  (the card says it is there).
"""
from __future__ import annotations

from datetime import date

from qa.audit_calendar import cycle_dates, month_key
from qa.calendar import WorkingCalendar

DEFAULT_DAYS_BEFORE = 5  # a working week before the 3rd: time to run the extract and propose the sample
MAX_DAYS_BEFORE = 15


def reminder_day(year: int, month: int, days_before: int, cal: WorkingCalendar) -> date | None:
    """The local working day on which the QA unit is asked for (year, month)'s Annex A extract:
    `days_before` working days before the month's allocation day; None when `days_before` is 0
    (no reminder). Raises ValueError for a negative `days_before`."""
    if days_before < 0:
        raise ValueError(f"days_before must be 0 or more, got {days_before}")
    if days_before == 0:
        return None
    return cal.add_working_days(cycle_dates(year, month, cal).allocation_notice_day, -days_before)


def month_to_ask_for(day: date, days_before: int, cal: WorkingCalendar) -> str | None:
    """The coming month ("YYYY-MM") whose reminder falls on local date `day`, or None. The
    reminder for month M falls late in M-1 or, when the 3rd moves far, early in M: both are looked at."""
    candidates = [(day.year, day.month), (day.year + day.month // 12, day.month % 12 + 1)]
    for year, month in candidates:
        if reminder_day(year, month, days_before, cal) == day:
            return month_key(year, month)
    return None


def should_ask(allocations: int, sample_confirmed: bool) -> bool:
    """Whether the QA unit is asked for the extract: the month has no allocations (`allocations`,
    a count) and no confirmed sample."""
    return allocations == 0 and not sample_confirmed
