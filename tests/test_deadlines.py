"""qa/deadlines.py: a date the bot asks someone to meet is never past, nor too close to see. Pure:
the request's instant, the framework's date and the working calendar are passed in."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from qa.audit_calendar import cycle_dates
from qa.calendar import WorkingCalendar
from qa.deadlines import UPLOAD_WORKING_DAYS, chase_moment, due_no_earlier_than

CAL = WorkingCalendar()  # England


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_oversight_confirmed_after_the_deadline_asks_for_the_upload_two_working_days_on():
    december = cycle_dates(2026, 12, CAL)
    assert december.oversight_deadline == date(2027, 1, 6)  # a Wednesday
    # Confirmed on Thursday 7 January: not "by Wednesday 6 January" but Monday 11 (the weekend skipped).
    assert due_no_earlier_than(december.oversight_deadline, at(2027, 1, 7, 10, 12), UPLOAD_WORKING_DAYS, CAL) \
        == date(2027, 1, 11)


def test_the_framework_date_stands_when_it_leaves_a_fair_time():
    assert due_no_earlier_than(date(2027, 1, 6), at(2026, 12, 16, 10), 2, CAL) == date(2027, 1, 6)
    # On the day itself: two working days on, not the framework's date.
    assert due_no_earlier_than(date(2027, 1, 6), at(2027, 1, 5, 10), 2, CAL) == date(2027, 1, 7)


def test_bank_holidays_and_weekends_are_not_counted():
    # Thursday 24 December 2026: Christmas (Fri), the weekend and the Boxing Day substitute (Mon 28) skipped.
    assert due_no_earlier_than(None, at(2026, 12, 24, 15), 2, CAL) == date(2026, 12, 30)
    # Friday 1 January 2027 is New Year's Day: asked that day, two working days are Monday 4 and Tuesday 5.
    assert due_no_earlier_than(None, at(2027, 1, 1, 12), 2, CAL) == date(2027, 1, 5)
    # Asked on a Friday evening: Monday and Tuesday.
    assert due_no_earlier_than(None, at(2027, 3, 5, 19), 2, CAL) == date(2027, 3, 9)
    # Asked on a Saturday with no fair time at all: the next working day, never the Saturday.
    assert due_no_earlier_than(None, at(2027, 3, 6, 10), 0, CAL) == date(2027, 3, 8)


def test_a_framework_date_on_a_day_off_moves_to_the_next_working_day():
    assert due_no_earlier_than(date(2027, 3, 6), at(2027, 2, 1, 9), 2, CAL) == date(2027, 3, 8)


def test_the_local_day_counts_not_utc():
    # 23:30 UTC on Sunday 28 March 2027 is 00:30 on Monday 29 March in London (summer time began).
    assert due_no_earlier_than(None, at(2027, 3, 28, 23, 30), 1, CAL) == date(2027, 3, 30)


def test_a_council_closure_day_is_skipped():
    closed = WorkingCalendar(extra_closed_days=frozenset({date(2027, 1, 8)}))
    assert due_no_earlier_than(date(2027, 1, 6), at(2027, 1, 7, 10), 2, closed) == date(2027, 1, 12)


def test_never_before_the_request_and_always_a_working_day():
    asked = at(2026, 12, 1, 10)
    for offset in range(120):
        when = asked + timedelta(days=offset)
        for framework in (None, date(2026, 12, 24), date(2027, 1, 6)):
            for days in (0, 1, 2, 5):
                due = due_no_earlier_than(framework, when, days, CAL)
                assert CAL.is_working_day(due)
                assert due >= CAL.local_date(when)
                assert framework is None or due >= framework
                if days:
                    assert due > CAL.local_date(when)


def test_the_chase_is_the_next_working_morning():
    assert chase_moment(date(2027, 1, 8), CAL) == at(2027, 1, 11, 9)  # Friday -> Monday 09:00 (GMT)
    assert chase_moment(date(2026, 12, 24), CAL) == at(2026, 12, 29, 9)
    assert chase_moment(date(2027, 6, 4), CAL) == at(2027, 6, 7, 8)  # 09:00 BST is 08:00 UTC


@pytest.mark.parametrize("days", [-1, 1.5, True, "2"])
def test_a_bad_fair_time_is_refused(days):
    with pytest.raises(ValueError, match="working days"):
        due_no_earlier_than(None, at(2027, 1, 7, 10), days, CAL)


def test_a_naive_request_time_is_refused():
    with pytest.raises(ValueError, match="naive"):
        due_no_earlier_than(None, datetime(2027, 1, 7, 10), 2, CAL)
