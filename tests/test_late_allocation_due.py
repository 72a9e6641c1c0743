"""A case allocated after the month's notice (a late import, a reallocation) is not asked for by a 28th
already gone or too close to see: its notice names a fair day (qa/deadlines.py: five working days on),
the month's reminders and overdue notice leave it out until its own day has passed, and the `cycle`
figures count it overdue only then."""
from __future__ import annotations

import pytest

from capabilities.audit_cycle import views
from capabilities.audit_cycle.duties import AuditCycleDuty, LateAllocationNoticeDuty
from qa.calendar import WorkingCalendar
from scheduler.sweep import sweep
from tests.support.audit_cycle import DECEMBER, Case, add_roster, allocate, outbox_rows, utc

CAL = WorkingCalendar()
DEC = "2026-12"


async def sweep_at(services, now) -> dict:
    result = await sweep(services, now, [AuditCycleDuty(CAL), LateAllocationNoticeDuty(CAL)])
    assert result.failed == []
    return await outbox_rows(services.db)


@pytest.fixture
async def december(services):
    people = await add_roster(services.db)
    await allocate(services.db, people, DEC, DECEMBER)
    return people


async def test_a_case_allocated_the_day_before_the_deadline_gets_five_working_days(services, december):
    people = december
    await sweep_at(services, utc(2026, 12, 3, 9))  # the month's notices
    # Wednesday 23 December, the day before the 24 December deadline: a case reallocated to Meg.
    await allocate(services.db, people, DEC, [Case("CR-1009", "Meg", "Pat")], at=utc(2026, 12, 23, 11))
    rows = await sweep_at(services, utc(2026, 12, 23, 11, 15))
    [late] = [r for r in rows.values() if r.kind == "allocation-notice" and "CR-1009" in r.card_text]
    # 24, 29, 30, 31 December and 4 January (Christmas, Boxing Day's substitute and New Year's Day skipped).
    assert "Monday 4 January 2027" in late.card_text and "Thursday 24 December 2026" not in late.card_text
    # The case holder is told the same day, not the month's 24th (the day after their notice, already past).
    [told] = [r for r in rows.values() if r.kind == "case-holder-notice" and "CR-1009" in r.card_text]
    assert told.person_id == people["Pat"]
    assert "Monday 4 January 2027" in told.card_text and "Thursday 24 December 2026" not in told.card_text
    # The deadline-day reminder and the overdue notice on the 29th leave it out; CR-1003 (Meg's, due the 24th) not.
    rows = await sweep_at(services, utc(2026, 12, 29, 9))
    for kind in ("auditor-reminder", "audit-overdue"):
        megs = [r for r in rows.values() if r.kind == kind and r.person_id == people["Meg"]]
        assert megs and all("CR-1003" in r.card_text and "CR-1009" not in r.card_text for r in megs), kind
    status = await views.cycle_status(services.db, DEC, utc(2026, 12, 29, 12), CAL)
    assert (status.total.allocated, status.total.overdue) == (5, 4)  # the four cases due on the 24th; not CR-1009
    later = await views.cycle_status(services.db, DEC, utc(2027, 1, 5, 12), CAL)
    assert later.total.overdue == status.total.overdue + 1
