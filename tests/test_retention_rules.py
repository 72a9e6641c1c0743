"""qa/retention.py: which records are past their period at a given `now`, on dates worked out by hand."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.calendar import WorkingCalendar
from qa.retention import (
    AUDIT_RECORDS,
    BOT_STATE,
    BROADCASTS,
    CALENDAR,
    DEFAULT_DAYS,
    DUTY_RUNS,
    KINDS,
    OUTBOX,
    PRACTICE_RECORDS,
    SUPERVISION,
    Retention,
    RetentionError,
    due_purge,
    month_end,
    purge_moment,
)

LONDON = ZoneInfo("Europe/London")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_defaults_are_the_documented_ones():
    assert dict(Retention().days) == {"outbox": 90, "duty_runs": 400, "bot_state": 30, "follow_ups": 400,
                                      "audit_records": 2192, "practice_records": 2192, "broadcasts": 400,
                                      "calendar": 400, "supervision": 2192, "supervision_away": 30,
                                      "workforce": 2192, "pdp": 1096}
    assert set(DEFAULT_DAYS) == set(KINDS)


@pytest.mark.parametrize("kind, at, expired", [
    # outbox: 90 days. 2027-04-01 12:00 less 90 days is 2027-01-01 12:00.
    (OUTBOX, utc(2027, 1, 1, 11, 59), True),
    (OUTBOX, utc(2027, 1, 1, 12, 0), False),  # exactly on the boundary: kept
    (OUTBOX, utc(2027, 1, 1, 12, 1), False),
    # bot_state: 30 days -> 2027-03-02 12:00
    (BOT_STATE, utc(2027, 3, 2, 11, 59, 59), True),
    (BOT_STATE, utc(2027, 3, 2, 12, 0), False),
    # duty_runs: 400 days -> 2026-02-25 12:00 (2026 is not a leap year)
    (DUTY_RUNS, utc(2026, 2, 25, 11), True),
    (DUTY_RUNS, utc(2026, 2, 25, 12), False),
    # practice_records: 2192 days -> 2021-03-31 12:00 (2024 is a leap year)
    (PRACTICE_RECORDS, utc(2021, 3, 31, 11), True),
    (PRACTICE_RECORDS, utc(2021, 3, 31, 12), False),
    # broadcasts: 400 days, from when they were to go -> 2026-02-25 12:00
    (BROADCASTS, utc(2026, 2, 25, 11), True),
    (BROADCASTS, utc(2026, 2, 25, 12), False),
])
def test_a_record_is_past_its_period_only_beyond_the_boundary(kind, at, expired):
    now = utc(2027, 4, 1, 12)
    assert Retention().expired(kind, at, now) is expired


def test_overrides_change_only_their_kind():
    retention = Retention.with_overrides({OUTBOX: 60})
    assert retention.days[OUTBOX] == 60
    assert retention.days[DUTY_RUNS] == 400
    now = utc(2027, 4, 1, 12)
    assert retention.expired(OUTBOX, utc(2027, 1, 30, 12), now)      # 61 days old
    assert not Retention().expired(OUTBOX, utc(2027, 1, 30, 12), now)


@pytest.mark.parametrize("today, last_past, first_kept", [
    # six years (2192 days) after the month's end: 2020-12 ends at 2021-01-01; 2192 days later is 2027-01-02
    (date(2027, 1, 1), "2020-11", "2020-12"),  # 2192 days back is 2020-12-31: 2020-12 has not ended long enough
    (date(2027, 1, 2), "2020-12", "2021-01"),  # 2192 days back is 2021-01-01: 2020-12 is past
    (date(2027, 6, 15), "2021-05", "2021-06"),
])
def test_audit_months_are_kept_six_years_after_they_end(today, last_past, first_kept):
    now = datetime.combine(today, datetime.min.time(), tzinfo=LONDON).replace(hour=9)
    retention = Retention()
    assert retention.first_kept_month(now, LONDON) == first_kept
    assert retention.month_expired(last_past, now, LONDON)
    assert not retention.month_expired(first_kept, now, LONDON)


@pytest.mark.parametrize("now, first_kept", [
    # 400 days before Thursday 1 April 2027 (local) is Tuesday 25 February 2026: an event that ended on
    # the 24th has had its day after (the 25th) plus 400 days come; one ending on the 25th is kept.
    (utc(2027, 4, 1, 12), date(2026, 2, 25)),
    # 23:30 UTC on 31 March 2027 is already 1 April in London (BST), still 31 March in UTC.
    (utc(2027, 3, 31, 23, 30), date(2026, 2, 25)),
])
def test_calendar_events_are_kept_the_period_after_the_day_they_end(now, first_kept):
    assert Retention().first_kept_day(CALENDAR, now, LONDON) == first_kept
    assert Retention().first_kept_day(CALENDAR, utc(2027, 3, 31, 23, 30), UTC) == date(2026, 2, 24)


def test_the_month_boundary_is_local_midnight():
    retention = Retention.with_overrides({AUDIT_RECORDS: 90})
    # 2027-01 ends at 2027-02-01; 90 days later is 2027-05-02 (local). 23:30 UTC on 1 May is 00:30 BST on 2 May.
    assert not retention.month_expired("2027-01", utc(2027, 5, 1, 22, 59), LONDON)
    assert retention.month_expired("2027-01", utc(2027, 5, 1, 23, 30), LONDON)
    assert not retention.month_expired("2027-01", utc(2027, 5, 1, 23, 30), UTC)


@given(st.integers(2000, 2090), st.integers(1, 12), st.integers(0, 4000), st.integers(90, 3000))
def test_a_month_is_past_exactly_when_its_end_plus_the_period_has_come(year, month, offset, days):
    key = f"{year:04d}-{month:02d}"
    today = month_end(key) + timedelta(days=offset - 200)
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC).replace(hour=12)
    retention = Retention.with_overrides({AUDIT_RECORDS: days})
    assert retention.month_expired(key, now, UTC) is (month_end(key) + timedelta(days=days) <= today)


@pytest.mark.parametrize("overrides, message", [
    ({"outbx": 30}, "unknown kind 'outbx'"),
    ({OUTBOX: 10}, "outbox must be at least 45 days, not 10"),
    ({DUTY_RUNS: 59}, "duty_runs must be at least 60 days"),
    ({PRACTICE_RECORDS: 365}, "practice_records must be at least 366 days"),  # the twelve-month rule
    ({BROADCASTS: 89}, "broadcasts must be at least 90 days"),
    ({CALENDAR: 29}, "calendar must be at least 30 days"),
    ({SUPERVISION: 365}, "supervision must be at least 366 days"),  # the agreement review's six months, an ASYE year
    ({OUTBOX: "90"}, "outbox must be a whole number of days"),
    ({OUTBOX: True}, "outbox must be a whole number of days"),
])
def test_unusable_periods_are_refused(overrides, message):
    with pytest.raises(RetentionError, match=message):
        Retention.with_overrides(overrides)


def test_naive_moments_are_refused():
    with pytest.raises(ValueError, match="aware"):
        Retention().expired(OUTBOX, datetime(2027, 1, 1), utc(2027, 4, 1))


@pytest.mark.parametrize("now, key, moment", [
    # 1 Jan 2027 is a bank holiday (Friday): January's purge is Monday 4 Jan, 09:00 GMT
    (utc(2027, 1, 4, 8, 59), "2026-12", utc(2026, 12, 1, 9)),
    (utc(2027, 1, 4, 9, 0), "2027-01", utc(2027, 1, 4, 9)),
    # 1 May 2027 is a Saturday: Monday 3 May is the early May bank holiday -> Tuesday 4 May, 09:00 BST
    (utc(2027, 5, 4, 7, 59), "2027-04", utc(2027, 4, 1, 8)),
    (utc(2027, 5, 4, 8, 0), "2027-05", utc(2027, 5, 4, 8)),
    (utc(2027, 5, 31, 12), "2027-05", utc(2027, 5, 4, 8)),
])
def test_the_purge_is_due_on_the_first_working_day_at_nine(now, key, moment):
    cal = WorkingCalendar(tz=LONDON)
    assert due_purge(now, cal) == (key, moment)
    assert purge_moment(int(key[:4]), int(key[5:]), cal) == moment
