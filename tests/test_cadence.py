"""The named cadences (qa/cadence.py): pure date rules over the working calendar, dates worked out by hand
(England, Europe/London: 09:00 local is 09:00Z in winter, 08:00Z in summer)."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.cadence import (
    DayOfMonth,
    EachWorkingMorning,
    Every,
    FirstWorkingDayOfMonth,
    Occurrence,
    SendWindowSlots,
)
from qa.calendar import WorkingCalendar
from qa.observations import digest_moment
from qa.reports import report_day
from qa.retention import due_purge

CAL = WorkingCalendar()


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def test_each_working_morning_skips_the_christmas_holidays_and_keys_by_day():
    cadence = EachWorkingMorning(CAL)
    assert cadence.between(utc(2026, 12, 24), utc(2026, 12, 29, 9)) == [
        Occurrence("2026-12-24", utc(2026, 12, 24, 9)),  # Thursday; Christmas, the weekend, Boxing Day off
        Occurrence("2026-12-29", utc(2026, 12, 29, 9)),
    ]
    assert cadence.between(utc(2026, 12, 24), utc(2026, 12, 29, 8, 59)) == [Occurrence("2026-12-24",
                                                                                       utc(2026, 12, 24, 9))]


def test_a_morning_at_its_own_time_and_in_summer_time():
    assert EachWorkingMorning(CAL, at=time(7, 0)).today(utc(2026, 7, 10, 6)) == [
        Occurrence("2026-07-10", utc(2026, 7, 10, 6))]  # 07:00 BST
    assert EachWorkingMorning(CAL).today(utc(2026, 7, 10, 7, 59)) == []


def test_today_is_only_nows_day_and_latest_looks_back_over_days_off():
    cadence = EachWorkingMorning(CAL)
    assert cadence.today(utc(2026, 12, 26, 12)) == []  # Saturday: not Thursday's
    assert cadence.latest(utc(2026, 12, 28, 12)) == Occurrence("2026-12-24", utc(2026, 12, 24, 9))


def test_the_first_working_day_of_the_month_moves_past_new_years_day_and_the_weekend():
    cadence = FirstWorkingDayOfMonth(CAL)
    assert cadence.of(2027, 1) == Occurrence("2027-01", utc(2027, 1, 4, 9))
    assert cadence.latest(utc(2027, 1, 4, 8, 59)) == Occurrence("2026-12", utc(2026, 12, 1, 9))
    assert cadence.latest(utc(2027, 1, 4, 9)) == Occurrence("2027-01", utc(2027, 1, 4, 9))
    # Keyed by the month before, at 07:00: the supervision compliance figures.
    compliance = FirstWorkingDayOfMonth(CAL, at=time(7, 0), key_month=-1)
    assert compliance.this_month(utc(2027, 1, 4, 6, 59)) == []
    assert compliance.this_month(utc(2027, 1, 20)) == [Occurrence("2026-12", utc(2027, 1, 4, 7))]
    assert compliance.this_month(utc(2027, 2, 1, 6, 59)) == []  # not January's again


def test_day_n_moves_to_the_next_working_day_and_a_look_back_spans_months():
    cadence = DayOfMonth(CAL, 7, key_month=-1)
    assert cadence.of(2026, 11) == Occurrence("2026-10", utc(2026, 11, 9, 9))  # Saturday 7th -> Monday 9th
    assert cadence.between(utc(2026, 11, 20), utc(2026, 12, 8, 9)) == [Occurrence("2026-11", utc(2026, 12, 7, 9))]
    assert [o.key for o in cadence.between(utc(2026, 11, 1), utc(2026, 12, 8))] == ["2026-10", "2026-11"]
    assert cadence.between(utc(2026, 11, 10), utc(2026, 12, 7, 8)) == []


@pytest.mark.parametrize("day", [0, 29, 31, True])
def test_day_n_is_a_day_every_month_has(day):
    with pytest.raises(ValueError):
        DayOfMonth(CAL, day)


def test_the_send_window_slots_from_the_send_time_to_the_window_end():
    cadence = SendWindowSlots(CAL)
    slots = cadence.on(date(2026, 12, 10))
    assert len(slots) == 36 and slots[0] == Occurrence("2026-12-10T09:00Z", utc(2026, 12, 10, 9))
    assert slots[-1].due_at == utc(2026, 12, 10, 17, 45)
    assert cadence.on(date(2026, 12, 12)) == []  # Saturday
    assert [o.key for o in cadence.between(utc(2026, 12, 10, 9, 10), utc(2026, 12, 10, 9, 45))] == [
        "2026-12-10T09:15Z", "2026-12-10T09:30Z", "2026-12-10T09:45Z"]
    assert cadence.latest(utc(2026, 12, 12, 10)).key == "2026-12-11T17:45Z"
    assert cadence.latest(utc(2026, 7, 10, 8, 20)).due_at == utc(2026, 7, 10, 8, 15)  # 09:15 BST
    with pytest.raises(ValueError):
        SendWindowSlots(CAL, timedelta(0))


def test_every_counts_day_and_night():
    cadence = Every(timedelta(minutes=5))
    assert cadence.latest(utc(2026, 12, 12, 3, 7)) == Occurrence("2026-12-12T03:05Z", utc(2026, 12, 12, 3, 5))
    assert [o.key for o in cadence.between(utc(2026, 12, 12, 3, 1), utc(2026, 12, 12, 3, 10))] == [
        "2026-12-12T03:05Z", "2026-12-12T03:10Z"]


def test_a_naive_or_endless_window_is_refused():
    with pytest.raises(ValueError):
        EachWorkingMorning(CAL).between(datetime(2026, 12, 1), utc(2026, 12, 2))
    with pytest.raises(ValueError):
        EachWorkingMorning(CAL).between(utc(2000, 1, 1), utc(2026, 12, 2))


# -- the rules the duties used to write by hand, now each a cadence -------------------------------------

instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2029, 12, 31),
                        timezones=st.just(UTC))
look_backs = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60))


@settings(max_examples=200, deadline=None)
@given(now=instants, back=look_backs)
def test_every_morning_falls_on_a_working_day_inside_the_window_once_each(now, back):
    start = now - back
    found = EachWorkingMorning(CAL).between(start, now)
    assert all(start <= o.due_at <= now and CAL.is_working_day(CAL.local_date(o.due_at)) for o in found)
    assert all(o.due_at == CAL.at_send_time(date.fromisoformat(o.key)) for o in found)
    assert len({o.key for o in found}) == len(found) and found == sorted(found, key=lambda o: o.due_at)
    day, working = CAL.local_date(start), 0  # and none is missed
    while day <= CAL.local_date(now):
        working += CAL.is_working_day(day) and start <= CAL.at_send_time(day) <= now
        day += timedelta(days=1)
    assert working == len(found)


@settings(max_examples=200, deadline=None)
@given(now=instants, back=look_backs, day=st.integers(1, 28))
def test_day_n_falls_on_the_first_working_day_on_or_after_n(now, back, day):
    for o in DayOfMonth(CAL, day).between(now - back, now):
        local = CAL.local_date(o.due_at)
        assert now - back <= o.due_at <= now and CAL.is_working_day(local)
        # Keyed by the month whose day N it is, even when the days off carry it into the next month.
        nominal = date(int(o.key[:4]), int(o.key[5:]), day)
        assert nominal <= local and (local.year, local.month) <= (nominal + timedelta(days=31)).timetuple()[:2]
        assert all(not CAL.is_working_day(nominal + timedelta(days=d)) for d in range((local - nominal).days))


@settings(max_examples=200, deadline=None)
@given(now=instants)
def test_the_slots_latest_is_the_calendars_and_the_last_of_the_window_before_now(now):
    cadence = SendWindowSlots(CAL)
    latest = cadence.latest(now)
    assert latest.due_at == CAL.latest_send_slot(now, timedelta(minutes=15)) and latest.due_at <= now
    assert cadence.between(latest.due_at, now) == [latest]


@settings(max_examples=200, deadline=None)
@given(now=instants)
def test_the_monthly_cadences_say_what_the_framework_rules_say(now):
    assert FirstWorkingDayOfMonth(CAL).latest(now) == Occurrence(*due_purge(now, CAL))
    today = CAL.local_date(now)
    digest = FirstWorkingDayOfMonth(CAL, key_month=-1).of(today.year, today.month)
    assert digest.due_at == digest_moment(*(int(p) for p in digest.key.split("-")), CAL)
    report = DayOfMonth(CAL, 7, key_month=-1).of(today.year, today.month)
    assert CAL.local_date(report.due_at) == report_day(report.key, CAL)


def test_day_n_carried_into_the_next_month_is_still_found():
    # 28 February 2026 is a Saturday: its occurrence falls on Monday 2 March, keyed February.
    found = DayOfMonth(CAL, 28).between(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC))
    assert [(o.key, CAL.local_date(o.due_at)) for o in found] == [("2026-02", date(2026, 3, 2))]
