"""The reporting rhythm of framework 9.3's 2023 audit schedule ("Reports / reviews"): a monthly report every
month, the quarterly report in March, June and September, the annual report in November, and December a
monthly report only. The analysis of a month goes on the 7th of the month after."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from capabilities.registry import ConfigurationError
from capabilities.reports.config import Schedule, from_env
from capabilities.reports.duties import AuditReportDuty
from qa.calendar import WorkingCalendar

# The 2023 schedule's row, January to December.
SCHEDULE_2023 = ("Monthly", "Monthly", "Quarterly", "Monthly", "Monthly", "Quarterly", "Monthly", "Monthly",
                 "Quarterly", "Monthly", "Annual", "Monthly")


def kinds_over_a_year(schedule: Schedule, year: int = 2026) -> list[str]:
    duty = AuditReportDuty(WorkingCalendar(), schedule)
    out = []
    for month in range(1, 13):
        kinds = [r.kind for r in duty.requests(f"{year}-{month:02d}")]
        assert kinds[0] == "monthly"  # every month has its monthly analysis
        out.append("Annual" if "annual" in kinds else "Quarterly" if "quarterly" in kinds else "Monthly")
    return out


def test_the_default_schedule_is_the_2023_schedule():
    assert from_env({}) == Schedule()
    assert kinds_over_a_year(from_env({})) == list(SCHEDULE_2023)


def test_december_brings_no_quarterly_and_november_no_quarterly_either():
    duty = AuditReportDuty(WorkingCalendar(), from_env({}))
    assert [(r.kind, r.period) for r in duty.requests("2026-12")] == [("monthly", "2026-12")]
    assert [(r.kind, r.period) for r in duty.requests("2026-11")] == [("monthly", "2026-11"), ("annual", "2026")]
    assert [(r.kind, r.period) for r in duty.requests("2026-09")] == [("monthly", "2026-09"),
                                                                     ("quarterly", "2026-Q3")]


def test_a_council_may_keep_a_december_quarterly():
    schedule = from_env({"QA_REPORT_QUARTER_MONTHS": "3,6,9,12"})
    assert schedule.quarter_months == (3, 6, 9, 12)
    assert kinds_over_a_year(schedule)[11] == "Quarterly"
    with pytest.raises(ConfigurationError, match="QA_REPORT_QUARTER_MONTHS"):
        from_env({"QA_REPORT_QUARTER_MONTHS": "3,6,13"})


def test_each_analysis_goes_on_the_seventh_of_the_month_after():
    duty = AuditReportDuty(WorkingCalendar(), from_env({}))
    # 7 December 2026 is a Monday: November's analysis (and the annual report) goes that day.
    [occurrence] = list(duty.occurrences(datetime(2026, 12, 7, 9, 5, tzinfo=timezone.utc)))
    assert occurrence.key == "2026-11"
