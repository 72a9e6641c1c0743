"""The workforce duties' rules (qa/workforce.py), with dates passed in: an ASYE's review points on the working
calendar (a due date on a weekend or bank holiday moves to the next working day), what the supervisor's digest
shows, what goes to the supervisor's supervisor, and points due before the bot held the record."""
from __future__ import annotations

from datetime import date

import pytest

from qa.calendar import WorkingCalendar
from qa.workforce import (
    BEFORE_RECORD,
    FINAL,
    HELD,
    REVIEW_3,
    REVIEW_6,
    REVIEW_12,
    appraisal_due,
    appraisal_in_date,
    asye_digest_points,
    asye_due_dates,
    asye_escalations,
    asye_in_cohort,
    asye_points,
    confirm_by,
    point_words,
    renewal_moments,
)

CAL = WorkingCalendar()
pytestmark = pytest.mark.fast


def test_a_mid_month_start_counts_calendar_months_and_the_final_four_weeks_after():
    assert asye_due_dates(date(2026, 1, 15), CAL) == {
        REVIEW_3: date(2026, 4, 15), REVIEW_6: date(2026, 7, 15), REVIEW_12: date(2027, 1, 15),
        FINAL: date(2027, 2, 12)}


def test_a_sunday_then_a_bank_holiday_moves_to_the_tuesday():
    # 2 May 2027 is a Sunday and Monday 3 May the early May bank holiday.
    assert asye_due_dates(date(2026, 11, 2), CAL)[REVIEW_6] == date(2027, 5, 4)


def test_christmas_and_the_boxing_day_substitute_move_to_the_next_working_day():
    # 25 December 2026 is a Friday; Boxing Day falls on the Saturday, so Monday 28th is the bank holiday.
    assert asye_due_dates(date(2026, 9, 25), CAL)[REVIEW_3] == date(2026, 12, 29)


def test_a_start_on_a_weekend_and_a_month_end_start():
    assert asye_due_dates(date(2026, 8, 29), CAL)[REVIEW_3] == date(2026, 11, 30)  # Sunday 29 Nov -> Monday
    # 31 August: the day clamped to the month's end; 28 Feb 2027 is a Sunday.
    assert asye_due_dates(date(2026, 8, 31), CAL) == {
        REVIEW_3: date(2026, 11, 30), REVIEW_6: date(2027, 3, 1), REVIEW_12: date(2027, 8, 31),
        FINAL: date(2027, 9, 28)}


def test_the_digest_shows_a_point_from_two_working_days_before_until_held():
    start = date(2026, 11, 2)  # the three-month review is due Tuesday 2 February 2027
    assert asye_digest_points(start, {}, date(2027, 1, 28), CAL) == []
    [soon] = asye_digest_points(start, {}, date(2027, 1, 29), CAL)  # Friday: Tuesday is two working days on
    assert (soon.point, soon.due, soon.standing) == (REVIEW_3, date(2027, 2, 2), "soon")
    assert [p.standing for p in asye_digest_points(start, {}, date(2027, 2, 2), CAL)] == ["today"]
    assert [p.standing for p in asye_digest_points(start, {}, date(2027, 3, 1), CAL)] == ["overdue"]
    assert asye_digest_points(start, {REVIEW_3: date(2027, 2, 1)}, date(2027, 3, 1), CAL) == []


def test_overdue_goes_up_five_working_days_after_the_due_day_for_thirty_days():
    start = date(2026, 11, 2)  # due Tuesday 2 February 2027; five working days on is Tuesday 9 February
    assert asye_escalations(start, {}, date(2027, 2, 8), CAL) == []
    assert [p.point for p in asye_escalations(start, {}, date(2027, 2, 9), CAL)] == [REVIEW_3]
    assert [p.point for p in asye_escalations(start, {}, date(2027, 3, 11), CAL)] == [REVIEW_3]
    assert asye_escalations(start, {}, date(2027, 3, 12), CAL) == []
    assert asye_escalations(start, {REVIEW_3: date(2027, 2, 8)}, date(2027, 2, 9), CAL) == []


def test_points_due_before_the_bot_held_the_record_are_not_asked_for():
    start = date(2026, 1, 15)  # on the roster from 1 December 2026: the 3- and 6-month reviews were before
    points = asye_points(start, {}, date(2026, 12, 7), CAL, on_record_from=date(2026, 12, 1))
    assert [p.standing for p in points] == [BEFORE_RECORD, BEFORE_RECORD, "later", "later"]
    assert asye_escalations(start, {}, date(2026, 12, 7), CAL, on_record_from=date(2026, 12, 1)) == []
    assert point_words(points[0]) == "due 15 Apr 2026, before the bot's records"


def test_the_cohort_lists_an_asye_until_their_final_assessment_is_held():
    start = date(2026, 11, 2)
    assert asye_in_cohort(asye_points(start, {}, date(2026, 10, 5), CAL), start, date(2026, 10, 5))
    assert not asye_in_cohort(asye_points(start, {}, date(2026, 9, 1), CAL), start, date(2026, 9, 1))
    overdue = asye_points(start, {}, date(2028, 1, 4), CAL)
    assert asye_in_cohort(overdue, start, date(2028, 1, 4)) and point_words(overdue[3]) == "overdue since 30 Nov 2027"
    done = asye_points(start, {FINAL: date(2027, 11, 30)}, date(2028, 1, 4), CAL)
    assert not asye_in_cohort(done, start, date(2028, 1, 4)) and done[3].standing == HELD
    assert point_words(done[3]) == "held 30 Nov 2027"


def test_an_appraisal_is_due_a_year_after_the_last_the_start_or_the_day_on_record():
    on_record = date(2026, 12, 1)
    assert appraisal_due(None, None, on_record, CAL) == date(2027, 12, 1)  # established at go-live
    # A start on a Sunday, a year on a Monday; 15 March 2027 -> Wednesday 15 March 2028 (mid-month).
    assert appraisal_due(None, date(2026, 3, 15), on_record, CAL) == date(2027, 3, 15)
    # Held on Christmas Eve 2026: a year on is Friday 24 December 2027, a working day.
    assert appraisal_due(date(2026, 12, 24), date(2020, 1, 6), on_record, CAL) == date(2027, 12, 24)
    # Held 27 December 2026 (a Sunday): 27 December 2027 is the Christmas bank holiday substitute (Monday), 28th
    # the Boxing Day one: due Wednesday 29th.
    assert appraisal_due(date(2026, 12, 27), None, on_record, CAL) == date(2027, 12, 29)
    assert appraisal_in_date(date(2027, 12, 29), date(2027, 12, 29))
    assert not appraisal_in_date(date(2027, 12, 29), date(2027, 12, 30))


def test_with_the_councils_window_an_appraisal_is_due_by_its_end_at_least_six_months_on():
    window = (6, 30)
    on_record = date(2026, 12, 1)
    # At go-live in December: by 30 June 2027 (a Wednesday).
    assert appraisal_due(None, None, on_record, CAL, window) == date(2027, 6, 30)
    # Held in this year's window: next year's; a new starter in May: not this June, next.
    assert appraisal_due(date(2027, 5, 10), None, on_record, CAL, window) == date(2028, 6, 30)
    assert appraisal_due(None, date(2027, 5, 4), on_record, CAL, window) == date(2028, 6, 30)
    # A window ending on a Sunday (30 May 2027) moves to Tuesday 1 June (31 May is the spring bank holiday).
    assert appraisal_due(None, None, date(2026, 11, 1), CAL, (5, 30)) == date(2027, 6, 1)
    # 29 February in a common year is the 28th (28 February 2027 is a Sunday: Monday 1 March).
    assert appraisal_due(None, date(2026, 8, 1), on_record, CAL, (2, 29)) == date(2027, 3, 1)


def test_a_renewal_closing_on_a_sunday_is_confirmed_by_the_friday_with_its_reminder_days():
    # 30 November 2025 was a Sunday: confirm by Friday 28th; the period opened on Monday 1 September.
    assert confirm_by(2025, CAL) == date(2025, 11, 28)
    assert [(m.name, m.day, m.audience) for m in renewal_moments(2025, CAL)] == [
        ("opens", date(2025, 9, 1), "person"), ("20-days", date(2025, 10, 31), "person"),
        ("10-days", date(2025, 11, 14), "manager"), ("5-days", date(2025, 11, 21), "person"),
        ("closed", date(2025, 12, 1), "manager")]
    # 1 September 2024 was a Sunday: the first reminder goes on Monday 2nd.
    assert renewal_moments(2024, CAL)[0].day == date(2024, 9, 2)
    # The regulator's dates in a setting: a short period drops reminders before it opens.
    short = renewal_moments(2026, CAL, ((11, 20), (11, 30)))
    assert [m.name for m in short] == ["opens", "5-days", "closed"] and short[0].day == date(2026, 11, 20)


def test_the_settings_are_read_or_refused_naming_the_variable():
    from capabilities.registry import ConfigurationError
    from capabilities.workforce.config import appraisal_window_end, swe_renewal

    assert appraisal_window_end({}) is None and appraisal_window_end({"QA_WORKFORCE_APPRAISAL_WINDOW_END": "06-30"}) == (6, 30)
    assert swe_renewal({}) == ((9, 1), (11, 30))
    assert swe_renewal({"QA_WORKFORCE_SWE_RENEWAL": "10-01..12-15"}) == ((10, 1), (12, 15))
    for name, value in (("QA_WORKFORCE_APPRAISAL_WINDOW_END", "30/06"), ("QA_WORKFORCE_APPRAISAL_WINDOW_END", "02-30"),
                        ("QA_WORKFORCE_SWE_RENEWAL", "11-30..09-01"), ("QA_WORKFORCE_SWE_RENEWAL", "09-01")):
        with pytest.raises(ConfigurationError, match=name):
            (appraisal_window_end if "APPRAISAL" in name else swe_renewal)({name: value})
