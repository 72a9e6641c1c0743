"""Supervision cadences (framework 9.1) as plain rules over whole years with England's bank holidays."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from capabilities.registry import ConfigurationError
from capabilities.supervision import config
from dialogs.supervision_cards import LineKey
from qa.calendar import WorkingCalendar
from qa.supervision import (
    AGREEMENT,
    CASE,
    ONE_TO_ONE,
    OVERDUE,
    SOON,
    TODAY,
    Asye,
    Away,
    CadenceError,
    Cadences,
    add_months,
    agreement_due,
    asye_interval,
    case_due,
    escalates_on,
    escalation_day,
    group_due,
    long_absence,
    one_to_one_due,
    record_refusal,
    standing,
    working_due,
)

CAL = WorkingCalendar()


def _run_year(start: date, joined: date, asye: Asye | None, cadences: Cadences = Cadences(),
              until: date | None = None) -> list[date]:
    """Every 1:1 held on its due day, from joining until `until` (a year by default)."""
    until = until or add_months(start, 12)
    held: list[date] = []
    last = None
    while True:
        due = one_to_one_due(last, joined, CAL, cadences, asye)
        if due >= until:
            return held
        held.append(due)
        last = due


def test_a_due_date_on_a_day_off_is_due_the_working_day_before():
    assert working_due(date(2026, 12, 25), CAL) == date(2026, 12, 24)  # Christmas Day
    assert working_due(date(2026, 12, 28), CAL) == date(2026, 12, 24)  # Boxing Day substitute
    assert working_due(date(2026, 4, 6), CAL) == date(2026, 4, 2)  # Easter Monday, Good Friday before it
    assert working_due(date(2026, 6, 10), CAL) == date(2026, 6, 10)


def test_one_to_one_every_28_days_across_a_bank_holiday():
    # 9 March + 28 days is Easter Monday; Good Friday is off too, so due Thursday 2 April.
    assert one_to_one_due(date(2026, 3, 9), date(2025, 1, 1), CAL) == date(2026, 4, 2)
    # The next counts from the day it was held.
    assert one_to_one_due(date(2026, 4, 2), date(2025, 1, 1), CAL) == date(2026, 4, 30)


def test_new_starter_first_one_to_one_seven_days_after_joining():
    assert one_to_one_due(None, date(2026, 9, 1), CAL) == date(2026, 9, 8)
    # Joined Friday 18 December: 25 December is Christmas, so due the 24th.
    assert one_to_one_due(None, date(2026, 12, 18), CAL) == date(2026, 12, 24)


def test_a_whole_year_of_one_to_ones_never_gap_more_than_28_days_and_fall_on_working_days():
    joined = date(2026, 1, 2)
    held = _run_year(joined, joined, None)
    assert held[0] == date(2026, 1, 9)
    gaps = [(b - a).days for a, b in zip(held, held[1:], strict=False)]
    assert all(CAL.is_working_day(d) for d in held)
    assert max(gaps) == 28 and min(gaps) >= 24
    assert len(held) == 13  # 9 Jan then every 4 weeks (some earlier for holidays)
    assert any(g < 28 for g in gaps)  # a bank holiday pulled at least one forward


def test_asye_weekly_for_six_weeks_then_fortnightly_then_four_weekly_at_six_months_ending_at_twelve():
    start = date(2026, 1, 5)  # a Monday
    asye = Asye(start)
    held = _run_year(start, start, asye, until=date(2027, 3, 1))
    gaps = [(b - a).days for a, b in zip([start, *held], held, strict=False)]
    # Weeks 1-6: weekly.
    assert held[:6] == [start + timedelta(weeks=w) for w in range(1, 7)]
    assert gaps[:6] == [7] * 6
    # Then fortnightly until the switch at six months (5 July), working days only (Easter moves one).
    switch = date(2026, 7, 5)
    fortnightly = [g for d, g in zip(held, gaps, strict=False) if start + timedelta(weeks=6) < d <= switch]
    assert fortnightly and all(g <= 14 for g in fortnightly) and fortnightly.count(14) >= len(fortnightly) - 2
    # 16 Feb + 7 fortnights is 25 May, the spring bank holiday: held Friday 22nd, then fortnightly from it.
    assert date(2026, 5, 22) in held and date(2026, 6, 5) in held
    after = [g for d, g in zip(held, gaps, strict=False) if d > switch + timedelta(days=28)]
    assert after and all(24 <= g <= 28 for g in after)
    # The first held at or after the switch is followed four weeks later.
    first_after_switch = next(d for d in held if d >= switch)
    assert one_to_one_due(first_after_switch, start, CAL, asye=asye) == working_due(
        first_after_switch + timedelta(days=28), CAL)
    # The ASYE year ends on 5 January 2027: the ordinary cadence (28 days) after it.
    assert asye_interval(date(2027, 1, 4), asye) == 28
    assert asye_interval(date(2027, 1, 5), asye) is None
    assert all(CAL.is_working_day(d) for d in held)


def test_the_supervisor_moves_an_asye_to_four_weekly_earlier():
    start = date(2026, 1, 5)
    early = Asye(start, four_weekly_from=date(2026, 4, 1))
    assert asye_interval(date(2026, 3, 30), early) == 14
    assert asye_interval(date(2026, 4, 1), early) == 28
    assert asye_interval(date(2026, 4, 1), Asye(start)) == 14
    # A later move keeps the fortnightly cadence past six months.
    late = Asye(start, four_weekly_from=date(2026, 9, 1))
    assert asye_interval(date(2026, 8, 3), late) == 14


def test_an_asye_who_joins_the_roster_late_starts_weekly_from_joining():
    start = date(2026, 1, 5)
    assert one_to_one_due(None, date(2026, 1, 12), CAL, asye=Asye(start)) == date(2026, 1, 19)


def test_agreement_every_six_months_first_within_four_weeks():
    assert agreement_due(None, date(2026, 9, 1), CAL) == date(2026, 9, 29)
    assert agreement_due(date(2026, 2, 27), date(2025, 1, 1), CAL) == date(2026, 8, 27)
    # 31 August + 6 months is 28 February (clamped), a Sunday in 2027: due Friday 26th.
    assert agreement_due(date(2026, 8, 31), date(2025, 1, 1), CAL) == date(2027, 2, 26)
    # A year of reviews held on their due day: two in twelve months.
    reviews, last = [], date(2026, 1, 2)
    while (due := agreement_due(last, date(2025, 1, 1), CAL)) < date(2027, 1, 2):
        reviews.append(due)
        last = due
    assert reviews == [date(2026, 7, 2), date(2027, 1, 1) - timedelta(days=1)]


def test_case_supervision_eight_weekly_unless_exempt():
    assert case_due(date(2026, 3, 2), date(2025, 1, 1), CAL) == date(2026, 4, 27)
    # 30 October + 56 days is Christmas Day: due the 24th.
    assert case_due(date(2026, 10, 30), date(2025, 1, 1), CAL) == date(2026, 12, 24)
    assert case_due(None, date(2026, 1, 5), CAL) == date(2026, 3, 2)
    assert case_due(date(2026, 3, 2), date(2025, 1, 1), CAL, exempt=True) is None
    # A whole year: about 6-7 sessions, each within 8 weeks of the last.
    held, last = [], date(2026, 1, 5)
    while (due := case_due(last, last, CAL)) < date(2027, 1, 5):
        held.append(due)
        last = due
    assert len(held) == 6 and all(CAL.is_working_day(d) for d in held)


def test_group_supervision_due_by_the_last_working_day_of_each_month_without_one():
    assert group_due([], 2026, 12, CAL) == date(2026, 12, 31)
    assert group_due([], 2027, 1, CAL) == date(2027, 1, 29)  # the 31st is a Sunday
    assert group_due([date(2026, 12, 3)], 2026, 12, CAL) is None
    assert group_due([date(2026, 11, 30)], 2026, 12, CAL) == date(2026, 12, 31)
    year = [group_due([], 2026, m, CAL) for m in range(1, 13)]
    assert all(CAL.is_working_day(d) for d in year)
    assert year[4] == date(2026, 5, 29)  # 31 May is a Sunday; Friday 29th


def test_standing_and_escalation_day():
    today = date(2026, 12, 23)  # Wednesday
    assert standing(date(2026, 12, 22), today, CAL) == OVERDUE
    assert standing(today, today, CAL) == TODAY
    assert standing(date(2026, 12, 29), today, CAL) == SOON  # two working days: 24th, 29th
    assert standing(date(2026, 12, 30), today, CAL) == "later"
    assert escalation_day(date(2026, 12, 22), CAL) == date(2026, 12, 31)  # 23, 24, 29, 30, 31


def test_away_and_long_absence():
    two_weeks = Away(date(2026, 12, 14), date(2026, 12, 31))  # 14 weekdays, less Christmas and Boxing Day (28th)
    assert two_weeks.working_days(CAL) == 12 and long_absence(two_weeks, CAL)
    assert not long_absence(Away(date(2026, 12, 14), date(2026, 12, 25)), CAL)


def test_record_refusals():
    today, joined = date(2026, 12, 10), date(2026, 6, 1)
    assert record_refusal(today, today, joined, ONE_TO_ONE) is None
    assert "future" in record_refusal(date(2026, 12, 11), today, joined, ONE_TO_ONE)
    assert "before they joined" in record_refusal(date(2026, 5, 31), today, joined, CASE)
    assert "already recorded" in record_refusal(today, today, joined, AGREEMENT, [(today, AGREEMENT)])
    assert record_refusal(today, today, joined, ONE_TO_ONE, [(today, AGREEMENT)]) is None
    assert "not a kind" in record_refusal(today, today, joined, "coaching")


def test_cadences_are_configurable_and_checked():
    assert config.from_env({"QA_SUPERVISION_CASE_DAYS": "42"}).case_days == 42
    assert case_due(date(2026, 3, 2), date(2025, 1, 1), CAL, Cadences(case_days=42)) == date(2026, 4, 13)
    with pytest.raises(ConfigurationError, match="QA_SUPERVISION_ONE_TO_ONE_DAYS"):
        config.from_env({"QA_SUPERVISION_ONE_TO_ONE_DAYS": "four"})
    with pytest.raises(ConfigurationError, match="asye_four_weekly_months"):
        config.from_env({"QA_SUPERVISION_ASYE_FOUR_WEEKLY_MONTHS": "13"})
    with pytest.raises(CadenceError):
        Cadences(one_to_one_days=0)
    with pytest.raises(CadenceError):
        Cadences(asye_four_weekly_months=13)


def test_escalation_goes_from_its_day_for_thirty_days():
    due = date(2026, 12, 14)
    assert not escalates_on(due, date(2026, 12, 18), CAL)
    assert escalates_on(due, date(2026, 12, 21), CAL)
    assert escalates_on(due, date(2027, 1, 20), CAL)
    assert not escalates_on(due, date(2027, 1, 21), CAL)


# -- the digest's line key ------------------------------------------------------------------------

def test_a_line_key_is_spelled_and_read_back():
    assert str(LineKey(12, "case")) == "s12-case" and str(LineKey(7, "group")) == "t7-group"
    for key in (LineKey(12, "case"), LineKey(3, "one_to_one"), LineKey(9, "agreement_review"), LineKey(7, "group")):
        assert LineKey.parse(str(key)) == key
    plan = LineKey.plan(12, date(2026, 11, 30))
    assert str(plan) == "o12-2026-11-30" and LineKey.parse(str(plan)) == plan and not plan.recordable


@pytest.mark.parametrize("value", ["t7-case", "s7-group", "s0-case", "x7-case", "s7-chat", "s07-case", "s7", 7, None,
                                   "s12345678901-case"])
def test_what_is_not_a_line_key_is_none(value):
    assert LineKey.parse(value) is None
