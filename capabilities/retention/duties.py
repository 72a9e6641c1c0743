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
from qa.cadence import FirstWorkingDayOfMonth
from qa.calendar import WorkingCalendar
from qa.retention import KINDS, Retention

log = logging.getLogger(__name__)

VIA = "duty:retention"


class RetentionDuty:
    name = "retention"

    def __init__(self, cal: WorkingCalendar, retention: Retention, rules: Sequence[RetentionRule]) -> None:
        self.cal = cal
        self.retention = retention
        self.rules = rules  # in purge order (capabilities/retention/rules.py)
        self.cadence = FirstWorkingDayOfMonth(self.cal)

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        """The latest purge come by `now` (a bot that was down runs it once; an earlier one would purge no more)."""
        return [self.cadence.latest(now)]

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        # Expired as of `now`, not as of the purge's day: a late purge keeps nothing past its period.
        report = await purge(session, self.retention, now, self.cal.tz, self.rules, via=VIA)
        log.info("retention purge %s: %s", occurrence.key,
                 ", ".join(f"{kind} {report.total(kind)}" for kind in KINDS))
