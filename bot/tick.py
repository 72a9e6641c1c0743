"""`python -m bot tick --now T`: one sweep at T (scheduler/sweep.py), then deliver what is due, then exit."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.sender import DeliveryReport, OutboxSender
from bot.services import Services
from capabilities.catalogue import default_duties
from capabilities.duties import Duty
from scheduler.sweep import SweepResult, sweep


@dataclass
class TickReport:
    sweep: SweepResult
    delivery: DeliveryReport

    def describe(self) -> str:
        idle = set(self.sweep.idle)
        lines = [f"ran {len(self.sweep.ran)} duty occurrence(s)" +
                 (f", {len(idle)} with nothing to do" if idle else "") +
                 (" (another instance holds the sweep lock)" if self.sweep.skipped_locked else "")]
        lines += [f"  {duty} {occurrence}" for duty, occurrence in self.sweep.ran if (duty, occurrence) not in idle]
        lines.append(self.delivery.describe())
        return "\n".join(lines)


async def tick(services: Services, now: datetime, *, wait_retries: float = 30.0,
               duties: Iterable[Duty] | None = None) -> TickReport:
    result = await sweep(services, now, duties if duties is not None else default_duties(services.settings))
    delivery = await OutboxSender(services).deliver_due(now, wait_retries=wait_retries)
    return TickReport(result, delivery)
