"""qa/escalations.py: when an urgent review's updates are due, reminded and chased (working days in
England's calendar, London time), and what a regrade or an update must hold. No database."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from qa.calendar import WorkingCalendar
from qa.escalations import (
    REASON_MAX,
    UPDATE_MAX,
    RuleError,
    check_regrade,
    check_update,
    first_update_due,
    further_update_due,
    parse_day,
    second_update_due,
    update_dates,
)

CAL = WorkingCalendar(tz=ZoneInfo("Europe/London"))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize(("escalated", "first", "second"), [
    (utc(2026, 12, 2, 11), date(2026, 12, 7), date(2026, 12, 9)),  # Wed: Thu, Fri, Mon; a week on is a Wednesday
    (utc(2026, 12, 5, 11), date(2026, 12, 9), date(2026, 12, 14)),  # Sat: Mon-Wed; Sat 12th -> Mon 14th
    (utc(2026, 12, 18, 11), date(2026, 12, 23), date(2026, 12, 29)),  # Christmas Day (Fri) -> Tue 29th
    (utc(2026, 12, 24, 11), date(2026, 12, 31), date(2026, 12, 31)),  # 25th, weekend, Boxing Day substitute skipped
    (utc(2026, 12, 2, 23, 30), date(2026, 12, 7), date(2026, 12, 9)),  # 23:30 UTC is still Wednesday in London
    (utc(2026, 6, 30, 23, 30), date(2026, 7, 6), date(2026, 7, 8)),  # 00:30 BST on Wed 1 July
])
def test_update_due_days(escalated, first, second):
    assert first_update_due(escalated, CAL).due_on == first
    assert second_update_due(escalated, CAL).due_on == second


def test_an_update_is_due_at_the_end_of_its_day_reminded_that_morning_and_chased_the_next_working_day():
    dates = update_dates(date(2026, 12, 25), CAL)  # Christmas Day: moved to Tuesday 29th
    assert dates.due_on == date(2026, 12, 29)
    assert dates.due_at == utc(2026, 12, 30, 0, 0)  # local midnight ending the 29th (GMT)
    assert dates.remind_at == utc(2026, 12, 29, 9, 0)
    assert dates.chase_at == utc(2026, 12, 30, 9, 0)
    thursday = update_dates(date(2026, 12, 31), CAL)  # the chase skips New Year's Day and the weekend
    assert thursday.chase_at == utc(2027, 1, 4, 9, 0)
    summer = update_dates(date(2026, 7, 3), CAL)  # a Friday in BST: chased Monday at 09:00 local = 08:00Z
    assert (summer.due_at, summer.chase_at) == (utc(2026, 7, 3, 23, 0), utc(2026, 7, 6, 8, 0))


def test_a_further_update_must_be_after_today_and_moves_off_a_day_off():
    now = utc(2026, 12, 30, 11)
    assert further_update_due(date(2027, 1, 2), now, CAL).due_on == date(2027, 1, 4)  # a Saturday
    assert further_update_due(date(2027, 1, 1), now, CAL).due_on == date(2027, 1, 4)  # New Year's Day
    assert further_update_due(date(2026, 12, 31), now, CAL).due_on == date(2026, 12, 31)
    for bad in (date(2026, 12, 30), date(2026, 12, 1), date(2027, 6, 1), None):
        with pytest.raises(RuleError):
            further_update_due(bad, now, CAL)


def test_a_regrade_needs_another_grade_and_a_reason():
    assert check_regrade("Good", "  Oversight was regular ") == ("Good", "Oversight was regular")
    with pytest.raises(RuleError, match="reason"):
        check_regrade("Good", "   ")
    with pytest.raises(RuleError, match="grade you would give"):
        check_regrade("Inadequate", "It is fine")
    with pytest.raises(RuleError, match="grade you would give"):
        check_regrade(None, "It is fine")
    with pytest.raises(RuleError, match=str(REASON_MAX)):
        check_regrade("Good", "x" * (REASON_MAX + 1))


def test_an_update_needs_text_within_its_length():
    assert check_update(" Strategy meeting held ") == "Strategy meeting held"
    for empty in ("", "   ", None):
        with pytest.raises(RuleError, match="write the update"):
            check_update(empty)
    with pytest.raises(RuleError, match=str(UPDATE_MAX)):
        check_update("x" * (UPDATE_MAX + 1))


def test_parse_day_reads_input_date_values_only():
    assert parse_day("2027-01-02") == date(2027, 1, 2)
    assert parse_day("2/1/2027") is None and parse_day(None) is None and parse_day("") is None
