"""The annual observation rule and the practice weeks (framework section 11), pure: dates passed in."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from qa.calendar import WorkingCalendar
from qa.observations import (
    NO_RATING,
    RATINGS,
    Supervisee,
    coverage,
    digest_moment,
    due_digest_month,
    due_practice_week_moments,
    month_bounds,
    not_observed,
    observation_due,
    practice_week_moments,
    rating_value,
)

CAL = WorkingCalendar()


@pytest.mark.parametrize(("last", "today", "due"), [
    (None, date(2027, 3, 1), True),
    (date(2026, 3, 1), date(2027, 3, 1), True),     # 365 days: a year has passed
    (date(2026, 3, 2), date(2027, 3, 1), False),    # 364 days
    (date(2027, 3, 1), date(2027, 3, 1), False),
    (date(2024, 2, 29), date(2025, 2, 28), True),   # 365 days across a leap day
])
def test_observed_at_least_once_in_twelve_months(last, today, due):
    assert observation_due(last, today) is due


def test_not_observed_lists_the_most_overdue_first():
    people = [Supervisee(1, "Cat", date(2026, 9, 1)), Supervisee(2, "bob", None), Supervisee(3, "Ann", None),
              Supervisee(4, "Dan", date(2025, 1, 1)), Supervisee(5, "Eve", date(2026, 2, 1))]
    assert [s.id for s in not_observed(people, date(2027, 3, 1))] == [3, 2, 4, 5]
    assert not_observed([], date(2027, 3, 1)) == []


def test_a_practice_weeks_start_and_end_moments():
    # Monday 1 March to Thursday 4 March (the calendar's own last day, not a fixed five days).
    [start, end] = practice_week_moments([(date(2027, 3, 1), date(2027, 3, 4))], CAL)
    assert (start.key, start.at) == ("2027-03-01:start", datetime(2027, 3, 1, 9, tzinfo=UTC))
    assert (end.key, end.at) == ("2027-03-01:end", datetime(2027, 3, 4, 9, tzinfo=UTC))
    # A week starting on Easter Monday (a bank holiday) starts on the Tuesday; BST moves 9:00 to 8:00 UTC.
    # A week ending on a Sunday ends on its Friday.
    [start, end] = practice_week_moments([(date(2027, 3, 29), date(2027, 4, 4))], CAL)
    assert start.at == datetime(2027, 3, 30, 8, tzinfo=UTC) and end.at == datetime(2027, 4, 2, 8, tzinfo=UTC)
    # A "week" of one bank holiday: both on the next working day.
    [start, end] = practice_week_moments([(date(2027, 5, 3), date(2027, 5, 3))], CAL)
    assert start.at == end.at == datetime(2027, 5, 4, 8, tzinfo=UTC)


def test_practice_weeks_with_one_first_day_are_one_week_and_a_backwards_week_is_refused():
    moments = practice_week_moments([(date(2027, 6, 7), date(2027, 6, 9)), (date(2027, 3, 1), date(2027, 3, 5)),
                                     (date(2027, 6, 7), date(2027, 6, 11))], CAL)
    assert [(m.key, CAL.local_date(m.at)) for m in moments] == [
        ("2027-03-01:start", date(2027, 3, 1)), ("2027-03-01:end", date(2027, 3, 5)),
        ("2027-06-07:start", date(2027, 6, 7)), ("2027-06-07:end", date(2027, 6, 11))]
    with pytest.raises(ValueError, match="ends"):
        practice_week_moments([(date(2027, 3, 5), date(2027, 3, 1))], CAL)


def test_which_practice_week_moments_are_due():
    weeks = [(date(2027, 3, 1), date(2027, 3, 5)), (date(2027, 6, 7), date(2027, 6, 11))]
    assert due_practice_week_moments(weeks, CAL, datetime(2027, 3, 1, 8, 59, tzinfo=UTC)) == []
    assert [m.key for m in due_practice_week_moments(weeks, CAL, datetime(2027, 3, 1, 9, tzinfo=UTC))] == [
        "2027-03-01:start"]
    assert [m.key for m in due_practice_week_moments(weeks, CAL, datetime(2027, 3, 5, 12, tzinfo=UTC))] == [
        "2027-03-01:start", "2027-03-01:end"]
    assert due_practice_week_moments(weeks, CAL, datetime(2027, 4, 1, tzinfo=UTC)) == []  # long past


def test_the_monthly_digest_moment():
    assert digest_moment(2027, 3, CAL) == datetime(2027, 4, 1, 8, tzinfo=UTC)
    assert digest_moment(2026, 12, CAL) == datetime(2027, 1, 4, 9, tzinfo=UTC)  # New Year's Day, a weekend
    assert due_digest_month(datetime(2027, 1, 4, 9, tzinfo=UTC), CAL) == "2026-12"
    assert due_digest_month(datetime(2027, 1, 4, 8, 59, tzinfo=UTC), CAL) is None
    assert due_digest_month(datetime(2027, 1, 20, tzinfo=UTC), CAL) is None
    start, end = month_bounds(2027, 3, CAL.tz)
    assert (start.isoformat(), end.isoformat()) == ("2027-03-01T00:00:00+00:00", "2027-04-01T00:00:00+01:00")


def test_ratings_and_coverage():
    assert [rating_value(r) for r in RATINGS] == [1, 2, 3, 4, 5]
    assert rating_value(NO_RATING) is None and rating_value(None) is None
    with pytest.raises(ValueError):
        rating_value("6 Ecstatic")
    assert coverage({"B": (1, 3), "A": (2, 2), "C": (0, 0)}) == [("A", 2, 2, 100), ("B", 1, 3, 33), ("C", 0, 0, 0)]
