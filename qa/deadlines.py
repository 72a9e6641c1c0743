"""Fair deadlines: no date the bot asks someone to meet is already past, or too close to see.

The framework sets its own dates (audits by the 28th, oversight by the 6th, section 9.3), but a
request can be made after them: oversight confirmed on the 7th asks for an upload that the
framework wanted by the 6th; an audit submitted late reaches its service lead after the oversight
deadline. Each such date is the later of the framework's date and a fair time after the request,
counted in working days in the council's WorkingCalendar (qa/calendar.py: weekends, bank holidays
and closure days are not working days). Pure: dates and aware instants in, local dates out.
"""
from __future__ import annotations

from datetime import date, datetime

from qa.calendar import WorkingCalendar

# Working days an auditor is given to upload an audit to the child's file once oversight is
# confirmed (framework 9.3 names no time; the QA_UPLOAD_WORKING_DAYS setting overrides it).
UPLOAD_WORKING_DAYS = 2
# Working days a service lead is given for oversight of an audit reaching them after the monthly
# hand-over (submitted late, or back after a dispute): the framework gives about six, the 28th to the 6th.
OVERSIGHT_WORKING_DAYS = 3
# Working days an auditor is given for an audit allocated after the month's notice (a late import or a
# reallocation): the framework gives about three weeks, the 3rd to the 28th.
AUDIT_WORKING_DAYS = 5


def due_no_earlier_than(framework_due: date | None, asked_at: datetime, fair_working_days: int,
                        cal: WorkingCalendar) -> date:
    """The day a request made at `asked_at` (aware) is due: `framework_due` (a local date, or None when
    the framework sets none), moved forward to a working day, unless that is sooner than
    `fair_working_days` working days after the local day of `asked_at` (that day not counted), in which
    case that later working day. Never earlier than the request's own day.

    Oversight confirmed on Thu 7 Jan 2027 with an upload wanted by Wed 6 Jan, 2 working days fair:
    due Mon 11 Jan. Raises ValueError for a negative or non-integer `fair_working_days`, TypeError or
    ValueError (qa/calendar.py) for a datetime given as a date or a naive `asked_at`.
    """
    if isinstance(fair_working_days, bool) or not isinstance(fair_working_days, int) or fair_working_days < 0:
        raise ValueError(f"fair_working_days must be a whole number of working days, not {fair_working_days!r}")
    asked_on = cal.local_date(asked_at)
    fair = cal.next_working_day(cal.add_working_days(asked_on, fair_working_days), include_self=True)
    if framework_due is None:
        return fair
    return max(cal.next_working_day(framework_due, include_self=True), fair)


def chase_moment(due: date, cal: WorkingCalendar) -> datetime:
    """When something due by the end of `due` (a local date) and not done is chased: the send time
    (09:00 local) of the next working day, as an aware UTC instant."""
    return cal.at_send_time(cal.next_working_day(due))
