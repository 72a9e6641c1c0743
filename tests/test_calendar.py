"""WorkingCalendar against the real `holidays` package; expected dates worked out by hand."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from qa.calendar import WorkingCalendar

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar(tz=LONDON)


def london(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LONDON)


def utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


@pytest.mark.parametrize("day, working", [
    (date(2026, 12, 24), True),   # Thursday
    (date(2026, 12, 25), False),  # Christmas Day, Friday
    (date(2026, 12, 26), False),  # Boxing Day, Saturday
    (date(2026, 12, 28), False),  # Monday: Boxing Day substitute
    (date(2026, 12, 29), True),   # Tuesday
    (date(2027, 1, 1), False),    # New Year's Day, Friday
    (date(2027, 3, 26), False),   # Good Friday
    (date(2027, 3, 29), False),   # Easter Monday
    (date(2027, 3, 30), True),
    (date(2027, 1, 3), False),    # Sunday
    (date(2027, 1, 4), True),     # Monday
    (date(2026, 8, 31), False),   # Late Summer bank holiday (England)
])
def test_working_days_in_england(cal: WorkingCalendar, day: date, working: bool) -> None:
    assert cal.is_working_day(day) is working


def test_subdivision_matters() -> None:
    # St Andrew's Day 2026 (Monday 30 November) is a bank holiday in Scotland, not in England.
    england = WorkingCalendar(tz=LONDON)
    scotland = WorkingCalendar(tz=LONDON, subdiv="SCT")
    assert england.is_working_day(date(2026, 11, 30))
    assert not scotland.is_working_day(date(2026, 11, 30))


def test_extra_closed_days(cal: WorkingCalendar) -> None:
    closed = WorkingCalendar(tz=LONDON, extra_closed_days=frozenset({date(2026, 12, 29)}))
    assert cal.is_working_day(date(2026, 12, 29))
    assert not closed.is_working_day(date(2026, 12, 29))
    assert closed.next_working_day(date(2026, 12, 24)) == date(2026, 12, 30)


def test_next_and_previous_working_day(cal: WorkingCalendar) -> None:
    assert cal.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)
    assert cal.next_working_day(date(2026, 12, 24), include_self=True) == date(2026, 12, 24)
    assert cal.next_working_day(date(2026, 12, 25), include_self=True) == date(2026, 12, 29)
    assert cal.previous_working_day(date(2026, 12, 28), include_self=True) == date(2026, 12, 24)
    assert cal.previous_working_day(date(2026, 12, 29)) == date(2026, 12, 24)
    assert cal.previous_working_day(date(2027, 1, 4)) == date(2026, 12, 31)
    assert cal.next_working_day(date(2027, 3, 25)) == date(2027, 3, 30)  # over Easter


def test_add_working_days_across_bank_holidays(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert cal.add_working_days(date(2026, 12, 24), 3) == date(2026, 12, 31)
    assert cal.add_working_days(date(2026, 12, 24), 4) == date(2027, 1, 4)
    assert cal.add_working_days(date(2027, 1, 6), -3) == date(2026, 12, 31)
    assert cal.add_working_days(date(2027, 1, 6), -5) == date(2026, 12, 29)
    assert cal.add_working_days(date(2027, 1, 6), -6) == date(2026, 12, 24)
    assert cal.add_working_days(date(2027, 3, 24), 2) == date(2027, 3, 30)  # Good Friday, Easter Monday
    assert cal.add_working_days(date(2027, 3, 26), 0) == date(2027, 3, 26)


def test_at_send_time_follows_british_summer_time(cal: WorkingCalendar) -> None:
    # BST 2027 starts Sunday 28 March: 09:00 London is 09:00Z before, 08:00Z after.
    assert cal.at_send_time(date(2027, 3, 25)) == utc(2027, 3, 25, 9)
    assert cal.at_send_time(date(2027, 3, 30)) == utc(2027, 3, 30, 8)
    # BST 2026 ends Sunday 25 October.
    assert cal.at_send_time(date(2026, 10, 23)) == utc(2026, 10, 23, 8)
    assert cal.at_send_time(date(2026, 10, 26)) == utc(2026, 10, 26, 9)
    assert cal.at_send_time(date(2026, 10, 26)).tzinfo is UTC


def test_send_window(cal: WorkingCalendar) -> None:
    assert cal.within_send_window(london(2026, 12, 24, 8, 0))
    assert cal.within_send_window(london(2026, 12, 24, 17, 59))
    assert not cal.within_send_window(london(2026, 12, 24, 18, 0))
    assert not cal.within_send_window(london(2026, 12, 24, 7, 59))
    assert not cal.within_send_window(london(2026, 12, 25, 12, 0))  # Christmas Day
    assert not cal.within_send_window(london(2027, 1, 2, 12, 0))    # Saturday
    # In summer 17:30Z is 18:30 London: outside, though 17:30 would be inside in UTC.
    assert not cal.within_send_window(utc(2027, 6, 1, 17, 30))
    assert cal.within_send_window(utc(2027, 6, 1, 7, 30))  # 08:30 BST


def test_next_send_moment(cal: WorkingCalendar) -> None:
    inside = london(2026, 12, 22, 17, 59)
    assert cal.next_send_moment(inside) == inside
    # After the window on Christmas Eve: waits for Tuesday 29th at 09:00 (09:00Z in winter).
    assert cal.next_send_moment(london(2026, 12, 24, 18, 0)) == utc(2026, 12, 29, 9)
    # Saturday in summer: Monday 09:00 BST.
    assert cal.next_send_moment(london(2027, 6, 5, 11, 0)) == utc(2027, 6, 7, 8)
    # Before the window on a working day: the same morning at 09:00.
    assert cal.next_send_moment(london(2027, 6, 7, 6, 30)) == utc(2027, 6, 7, 8)
    # Friday evening before Easter 2027 (Good Friday is the 26th): Tuesday 30 March, now BST.
    assert cal.next_send_moment(london(2027, 3, 25, 19, 0)) == utc(2027, 3, 30, 8)


def test_custom_times() -> None:
    early = WorkingCalendar(tz=LONDON, send_at=time(8, 30), window_start=time(7, 0), window_end=time(19, 0))
    assert early.at_send_time(date(2027, 1, 4)) == utc(2027, 1, 4, 8, 30)
    assert early.within_send_window(london(2027, 1, 4, 18, 30))


@pytest.mark.parametrize("kwargs", [
    {"send_at": time(7, 0)},                                   # before the window opens
    {"send_at": time(18, 0)},                                  # at the window's close
    {"window_start": time(18, 0), "window_end": time(8, 0)},  # inverted window
    {"country": "XX"},
    {"subdiv": "NOPE"},
    {"extra_closed_days": frozenset({datetime(2026, 1, 1, 0, 0)})},
])
def test_bad_configuration_is_refused(kwargs: dict) -> None:
    with pytest.raises((ValueError, TypeError)):
        WorkingCalendar(tz=LONDON, **kwargs)


def test_bad_arguments(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="naive"):
        cal.within_send_window(datetime(2026, 12, 24, 9, 0))
    with pytest.raises(ValueError, match="naive"):
        cal.next_send_moment(datetime(2026, 12, 24, 9, 0))
    with pytest.raises(TypeError):
        cal.is_working_day(london(2026, 12, 24, 9))  # a datetime is not a calendar day
    with pytest.raises(TypeError):
        cal.add_working_days(date(2026, 12, 24), 1.5)  # type: ignore[arg-type]


def test_endless_closure_is_an_error_not_a_hang() -> None:
    start = date(2027, 1, 1)
    closed = frozenset(date.fromordinal(start.toordinal() + i) for i in range(400))
    cal = WorkingCalendar(tz=LONDON, extra_closed_days=closed)
    with pytest.raises(ValueError, match="no working day"):
        cal.next_working_day(start)


def test_calendar_is_hashable_and_default_zone_is_london() -> None:
    assert WorkingCalendar().tz == LONDON
    assert hash(WorkingCalendar()) == hash(WorkingCalendar())
