"""A duty run late (the bot was down) computes for its occurrence, not for the day it runs: the sweep
at `tick --now` two days after the monthly analysis was due asks for the analysis as of its own day."""
from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

from capabilities.reports import duties as report_duties
from capabilities.reports.config import Schedule
from capabilities.reports.duties import AuditReportDuty
from qa.calendar import WorkingCalendar
from scheduler.sweep import sweep

CAL = WorkingCalendar()


async def test_the_analysis_run_two_days_late_is_as_of_its_own_day(services, monkeypatch):
    asked: list[tuple[str, date]] = []

    async def report_payload(session, request, cal, today, areas, rows=None):
        asked.append((request.period, today))
        nothing = SimpleNamespace(total=lambda _: SimpleNamespace(allocated=0))  # no allocations: nothing sent
        return {}, SimpleNamespace(analysis=nothing)

    monkeypatch.setattr(report_duties.delivery, "report_payload", report_payload)
    duty = AuditReportDuty(CAL, Schedule())
    # October's analysis was due on Monday 9 November 2026 (the 7th a Saturday); the bot is back on the 11th.
    result = await sweep(services, datetime(2026, 11, 11, 10, tzinfo=timezone.utc), [duty])
    assert result.ran == [("audit-report", "2026-10")] and not result.failed
    assert asked == [("2026-10", date(2026, 11, 9))]
