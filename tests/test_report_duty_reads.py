"""The monthly analysis duty reads the register once per report, not once per service lead's areas
(at 50 service areas that was most of a 30-second sweep), and each service lead's payload is the
one `delivery.report_payload` makes reading the register itself."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from capabilities.reports import build, delivery
from capabilities.reports.config import Schedule
from capabilities.reports.duties import AuditReportDuty
from qa.calendar import WorkingCalendar
from scheduler.sweep import sweep
from storage.models import OutboxMessage
from tests.support.reports import add_history, add_people

CAL = WorkingCalendar()
SEVENTH = datetime(2026, 10, 7, 8, 5, tzinfo=timezone.utc)  # Wednesday 7 October, 09:05 in London


async def test_the_register_is_read_once_per_report_and_each_area_gets_its_own(db, services, monkeypatch):
    people = await add_people(db)
    await add_history(db, people)
    reads: list[tuple[str, str]] = []
    real = build.stored.register_rows

    async def counted(session, first, last):
        reads.append((first, last))
        return await real(session, first, last)

    monkeypatch.setattr(build.stored, "register_rows", counted)
    result = await sweep(services, SEVENTH, [AuditReportDuty(CAL, Schedule())])
    assert result.ran == [("audit-report", "2026-09")] and not result.failed
    # September is a quarter month: the monthly analysis and the quarterly report, one read each,
    # for the whole service and both service leads' areas (North, South).
    assert reads == [("2026-06", "2026-09"), ("2025-10", "2026-09")]

    monkeypatch.setattr(build.stored, "register_rows", real)
    async with db.sessions() as session:
        sent = {(m.person_id, m.idempotency_key.split(":")[1]): m.payload for m in (await session.execute(
            select(OutboxMessage).where(OutboxMessage.kind == str(delivery.REPORT)))).scalars()}
        for name, areas in (("Nora", ("North",)), ("Sol", ("South",)), ("Quinn", ())):
            for kind in ("monthly", "quarterly"):
                request = build.Request.ending(kind, "2026-09", Schedule())
                alone, _ = await delivery.report_payload(session, request, CAL, SEVENTH.date(), areas)
                assert sent[(people[name], kind)] == alone.to_json(), (name, kind)
    assert "North" in str(sent[(people["Nora"], "monthly")]) and "South" not in str(sent[(people["Nora"], "monthly")])
