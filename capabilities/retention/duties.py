"""The monthly purge (docs/privacy.md): on the first working day of each month at 09:00 local, the
records past their retention period are deleted in the sweep's transaction, with one trail row."""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.duties import Occurrence
from capabilities.registry import RetentionRule
from capabilities.retention.purge import purge
from qa.calendar import WorkingCalendar
from qa.retention import KINDS, Retention, due_purge

log = logging.getLogger(__name__)

VIA = "duty:retention"


class RetentionDuty:
    name = "retention"

    def __init__(self, cal: WorkingCalendar, retention: Retention, rules: Sequence[RetentionRule]) -> None:
        self.cal = cal
        self.retention = retention
        self.rules = rules  # in purge order (capabilities/retention/rules.py)

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        key, due_at = due_purge(now, self.cal)
        yield Occurrence(key, due_at)

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        report = await purge(session, self.retention, now, self.cal.tz, self.rules, via=VIA)
        log.info("retention purge %s: %s", occurrence.key,
                 ", ".join(f"{kind} {report.total(kind)}" for kind in KINDS))
