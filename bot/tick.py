"""`python -m bot tick --now T`: one sweep at T (scheduler/sweep.py), then deliver what is due, then exit;
an unavailable database is waited for (bounded) rather than ending it."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.sender import DeliveryReport, OutboxSender
from bot.services import Services
from capabilities.catalogue import default_duties
from capabilities.duties import Duty
from scheduler.sweep import SWEEP_BEATS, SWEEP_HEARTBEAT_SECONDS, SweepResult, sweep
from storage.unavailable import ride_out


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
    """One sweep at `now` (aware), then deliver what is due. A database that is unavailable (a
    restart, a fail-over: storage/unavailable.py) is waited for, for up to QA_DATABASE_WAIT_SECONDS
    in each step, rather than ending the tick with an error; past that the error is raised."""
    wait = services.settings.database_wait_seconds
    duties = list(duties if duties is not None else default_duties(services.settings))
    # A sweeper killed a moment ago leaves its lease: wait out one lease (and a beat) for it to lapse.
    result = await ride_out(lambda: sweep(services, now, duties,
                                          wait_for_lock=SWEEP_HEARTBEAT_SECONDS * (SWEEP_BEATS + 1)),
                            wait=wait, what="sweep")
    delivery = await OutboxSender(services).deliver_due(now, wait_retries=wait_retries, ride_out=wait)
    return TickReport(result, delivery)
