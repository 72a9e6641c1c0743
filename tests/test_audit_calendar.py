"""The monthly audit cycle's dates and moments; every expected date worked out by hand
from a printed calendar and the England bank holidays (the real `holidays` package)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from qa.audit_calendar import (
    KINDS,
    CycleDates,
    cycle_dates,
    cycle_moments,
    due_moments,
    month_key,
    parse_month_key,
)
from qa.calendar import WorkingCalendar

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar(tz=LONDON)


def london(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LONDON)


def utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def test_december_2026_christmas(cal: WorkingCalendar) -> None:
    # 28 Dec is the Boxing Day substitute (Mon), 27 Sun, 26 Sat, 25 Christmas (Fri): deadline Thu 24.
    assert cycle_dates(2026, 12, cal) == CycleDates(
        year=2026, month=12,
        allocation_notice_day=date(2026, 12, 3),       # Thursday
        audit_deadline=date(2026, 12, 24),             # Thursday
        reminder_days=(("7-days", date(2026, 12, 17)),           # Thursday
                       ("2-working-days", date(2026, 12, 22)),   # Tuesday (23rd is one, 22nd two)
                       ("deadline-day", date(2026, 12, 24))),
        audit_overdue_day=date(2026, 12, 29),          # Tuesday, after Christmas and the substitute
        oversight_deadline=date(2027, 1, 6),           # Wednesday
        # 5 Jan (1), 4 Jan (2), New Year's Day and the weekend skipped, 31 Dec (3).
        oversight_reminder_days=(("3-working-days", date(2026, 12, 31)),
                                 ("deadline-day", date(2027, 1, 6))),
        oversight_overdue_day=date(2027, 1, 7),        # Thursday
        service_lead_digest_day=date(2026, 12, 24),
    )


def test_january_2027_third_is_a_sunday(cal: WorkingCalendar) -> None:
    dates = cycle_dates(2027, 1, cal)
    assert dates.allocation_notice_day == date(2027, 1, 4)  # Monday
    assert dates.audit_deadline == date(2027, 1, 28)        # Thursday
    assert dates.reminder_days == (("7-days", date(2027, 1, 21)),
                                   ("2-working-days", date(2027, 1, 26)),
                                   ("deadline-day", date(2027, 1, 28)))
    assert dates.audit_overdue_day == date(2027, 1, 29)     # Friday
    # 6 February 2027 is a Saturday: oversight by Friday 5th; 3 working days before is Tuesday 2nd.
    assert dates.oversight_deadline == date(2027, 2, 5)
    assert dates.oversight_reminder_days == (("3-working-days", date(2027, 2, 2)),
                                             ("deadline-day", date(2027, 2, 5)))
    assert dates.oversight_overdue_day == date(2027, 2, 8)  # Monday


def test_february_2026_28th_is_a_saturday(cal: WorkingCalendar) -> None:
    dates = cycle_dates(2026, 2, cal)
    assert dates.allocation_notice_day == date(2026, 2, 3)   # Tuesday
    assert dates.audit_deadline == date(2026, 2, 27)         # Friday
    assert dates.service_lead_digest_day == date(2026, 2, 27)
    assert dates.reminder_days == (("7-days", date(2026, 2, 20)),
                                   ("2-working-days", date(2026, 2, 25)),
                                   ("deadline-day", date(2026, 2, 27)))
    assert dates.audit_overdue_day == date(2026, 3, 2)       # Monday
    assert dates.oversight_deadline == date(2026, 3, 6)      # Friday
    assert dates.oversight_reminder_days[0] == ("3-working-days", date(2026, 3, 3))
    assert dates.oversight_overdue_day == date(2026, 3, 9)   # Monday


def test_march_2027_easter_and_the_clocks_going_forward(cal: WorkingCalendar) -> None:
    # 28 Mar is Easter Sunday, 27 Sat, 26 Good Friday: deadline Thursday 25th; overdue after
    # Easter Monday, on Tuesday 30th, which is in BST (clocks went forward on the 28th).
    moments = {(m.kind, m.label): m.due_at for m in cycle_moments(2027, 3, cal)}
    assert moments == {
        ("allocation-notice", "allocation"): utc(2027, 3, 3, 9),
        ("auditor-reminder", "7-days"): utc(2027, 3, 18, 9),
        ("auditor-reminder", "2-working-days"): utc(2027, 3, 23, 9),
        ("auditor-reminder", "deadline-day"): utc(2027, 3, 25, 9),
        ("service-lead-digest", "digest"): utc(2027, 3, 25, 9),
        ("audit-overdue", "overdue"): utc(2027, 3, 30, 8),
        ("oversight-reminder", "3-working-days"): utc(2027, 4, 1, 8),
        ("oversight-reminder", "deadline-day"): utc(2027, 4, 6, 8),
        ("oversight-overdue", "overdue"): utc(2027, 4, 7, 8),
    }


def test_october_2026_clocks_going_back(cal: WorkingCalendar) -> None:
    # 3 Oct 2026 is a Saturday; BST ends Sunday 25 October.
    moments = {(m.kind, m.label): m.due_at for m in cycle_moments(2026, 10, cal)}
    assert moments[("allocation-notice", "allocation")] == utc(2026, 10, 5, 8)   # Mon, 09:00 BST
    assert moments[("auditor-reminder", "7-days")] == utc(2026, 10, 21, 8)       # Wed, 09:00 BST
    assert moments[("auditor-reminder", "2-working-days")] == utc(2026, 10, 26, 9)  # Mon, 09:00 GMT
    assert moments[("auditor-reminder", "deadline-day")] == utc(2026, 10, 28, 9)


def test_cycle_moments_are_in_time_order_with_unique_keys(cal: WorkingCalendar) -> None:
    moments = cycle_moments(2026, 12, cal)
    assert [m.key for m in moments] == [
        "allocation-notice:allocation",
        "auditor-reminder:7-days",
        "auditor-reminder:2-working-days",
        "auditor-reminder:deadline-day",
        "service-lead-digest:digest",
        "audit-overdue:overdue",
        "oversight-reminder:3-working-days",
        "oversight-reminder:deadline-day",
        "oversight-overdue:overdue",
    ]
    assert {m.kind for m in moments} == set(KINDS)


def test_coinciding_reminders_keep_the_more_urgent_label() -> None:
    # Council closed Fri 22, Mon 25, Tue 26 January 2027: two working days before Thursday
    # 28th are Wed 27th and Thu 21st, which is also 7 calendar days before. One reminder.
    closed = frozenset({date(2027, 1, 22), date(2027, 1, 25), date(2027, 1, 26)})
    dates = cycle_dates(2027, 1, WorkingCalendar(tz=LONDON, extra_closed_days=closed))
    assert dates.reminder_days == (("2-working-days", date(2027, 1, 21)),
                                   ("deadline-day", date(2027, 1, 28)))


def test_every_moment_is_on_a_working_day_inside_the_window(cal: WorkingCalendar) -> None:
    for year in (2026, 2027, 2028):
        for month in range(1, 13):
            dates = cycle_dates(year, month, cal)
            assert dates.allocation_notice_day.day >= 3
            assert dates.audit_deadline.day <= 28 and dates.audit_deadline.month == month
            assert dates.oversight_deadline.day <= 6
            for moment in cycle_moments(year, month, cal):
                assert cal.within_send_window(moment.due_at), (year, month, moment)
                assert moment.due_at.astimezone(LONDON).hour == 9


def test_due_moments_on_christmas_eve(cal: WorkingCalendar) -> None:
    # Look-back 40 days from 24 Dec 10:00 reaches 14 Nov 10:00: November's allocation (3 Nov)
    # and October's oversight moments (6 and 9 Nov) are older and left out.
    due = due_moments(london(2026, 12, 24, 10, 0), cal)
    assert [(ym, m.key, m.due_at) for ym, m in due] == [
        ((2026, 11), "auditor-reminder:7-days", utc(2026, 11, 20, 9)),
        ((2026, 11), "auditor-reminder:2-working-days", utc(2026, 11, 25, 9)),
        ((2026, 11), "auditor-reminder:deadline-day", utc(2026, 11, 27, 9)),
        ((2026, 11), "service-lead-digest:digest", utc(2026, 11, 27, 9)),
        ((2026, 11), "audit-overdue:overdue", utc(2026, 11, 30, 9)),
        # 6 Dec 2026 is a Sunday: oversight by Friday 4th, reminder Tuesday 1st.
        ((2026, 11), "oversight-reminder:3-working-days", utc(2026, 12, 1, 9)),
        ((2026, 12), "allocation-notice:allocation", utc(2026, 12, 3, 9)),
        ((2026, 11), "oversight-reminder:deadline-day", utc(2026, 12, 4, 9)),
        ((2026, 11), "oversight-overdue:overdue", utc(2026, 12, 7, 9)),
        ((2026, 12), "auditor-reminder:7-days", utc(2026, 12, 17, 9)),
        ((2026, 12), "auditor-reminder:2-working-days", utc(2026, 12, 22, 9)),
        ((2026, 12), "auditor-reminder:deadline-day", utc(2026, 12, 24, 9)),
        ((2026, 12), "service-lead-digest:digest", utc(2026, 12, 24, 9)),
    ]


def test_due_moments_boundary_is_inclusive(cal: WorkingCalendar) -> None:
    before = {m.key for ym, m in due_moments(london(2026, 12, 24, 8, 59), cal) if ym == (2026, 12)}
    at = {m.key for ym, m in due_moments(london(2026, 12, 24, 9, 0), cal) if ym == (2026, 12)}
    assert at - before == {"auditor-reminder:deadline-day", "service-lead-digest:digest"}


def test_due_moments_reach_into_the_previous_cycle(cal: WorkingCalendar) -> None:
    due = due_moments(london(2027, 1, 7, 9, 0), cal, months_back=1, look_back=timedelta(days=3))
    assert [(ym, m.key) for ym, m in due] == [((2027, 1), "allocation-notice:allocation"),
                                              ((2026, 12), "oversight-reminder:deadline-day"),
                                              ((2026, 12), "oversight-overdue:overdue")]
    # months_back=0: only January's own moments.
    only_january = due_moments(london(2027, 1, 7, 9, 0), cal, months_back=0)
    assert {ym for ym, _ in only_january} == {(2027, 1)}


def test_due_moments_never_in_the_future_and_repeatable(cal: WorkingCalendar) -> None:
    now = utc(2026, 1, 1, 0, 0)
    while now < utc(2027, 3, 1, 0):
        due = due_moments(now, cal)
        assert all(now - timedelta(days=40) <= m.due_at <= now for _, m in due)
        assert due == due_moments(now, cal)
        now += timedelta(hours=7)  # not a divisor of a day, so the times of day vary


def test_a_sweep_that_remembers_runs_each_moment_once_even_after_an_outage(cal: WorkingCalendar) -> None:
    # Sweep hourly from 1 Dec 2026 to 10 Jan 2027, down from 23 Dec 12:00 to 30 Dec 10:00.
    ran: dict[str, datetime] = {}
    runs = 0
    now = utc(2026, 12, 1, 0)
    while now <= utc(2027, 1, 10, 0):
        if not utc(2026, 12, 23, 12) <= now < utc(2026, 12, 30, 10):
            for (y, m), moment in due_moments(now, cal):
                key = f"{month_key(y, m)}:{moment.key}"
                if key not in ran:
                    ran[key] = now
                    runs += 1
        now += timedelta(hours=1)
    assert runs == len(ran)
    december = {k: v for k, v in ran.items() if k.startswith("2026-12:")}
    assert december == {
        "2026-12:allocation-notice:allocation": utc(2026, 12, 3, 9),
        "2026-12:auditor-reminder:7-days": utc(2026, 12, 17, 9),
        "2026-12:auditor-reminder:2-working-days": utc(2026, 12, 22, 9),
        # Missed while down; each run once by the first sweep back.
        "2026-12:auditor-reminder:deadline-day": utc(2026, 12, 30, 10),
        "2026-12:service-lead-digest:digest": utc(2026, 12, 30, 10),
        "2026-12:audit-overdue:overdue": utc(2026, 12, 30, 10),
        "2026-12:oversight-reminder:3-working-days": utc(2026, 12, 31, 9),
        "2026-12:oversight-reminder:deadline-day": utc(2027, 1, 6, 9),
        "2026-12:oversight-overdue:overdue": utc(2027, 1, 7, 9),
    }


def test_due_moments_refuses_bad_input(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="naive"):
        due_moments(datetime(2026, 12, 24, 10, 0), cal)
    with pytest.raises(ValueError):
        due_moments(london(2026, 12, 24, 10), cal, months_back=-1)
    with pytest.raises(ValueError):
        due_moments(london(2026, 12, 24, 10), cal, look_back=timedelta(days=-1))


def test_month_key() -> None:
    assert month_key(2026, 12) == "2026-12"
    assert month_key(2027, 1) == "2027-01"
    assert parse_month_key("2027-01") == (2027, 1)
    assert cycle_dates(2026, 12, WorkingCalendar(tz=LONDON)).key == "2026-12"
    for bad in ("2026-13", "2026-1", "26-12", "2026/12", "2026-12-01", "", "２０２６-12"):
        with pytest.raises(ValueError):
            parse_month_key(bad)
    with pytest.raises(ValueError):
        month_key(2026, 0)
    with pytest.raises(ValueError):
        cycle_dates(2026, 13, WorkingCalendar(tz=LONDON))
