"""`python -m bot tick --now T`: one sweep at T (scheduler/sweep.py), then deliver what is due, then exit;
an unavailable database is waited for (bounded) rather than ending it. SIGTERM (or Ctrl-C) stops it
cleanly: the sweep ends after the occurrence it is running, nothing more is claimed, messages in
flight get QA_SHUTDOWN_GRACE_SECONDS, and the sweep lock, tenant leases and claims are let go, so
the next run (or a served instance) carries on at once; it exits 0, saying what was left."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from bot.sender import DeliveryReport, OutboxSender
from bot.services import Services
from capabilities.catalogue import default_duties
from capabilities.duties import Duty
from scheduler.sweep import SWEEP_BEATS, SWEEP_HEARTBEAT_SECONDS, SweepResult, sweep
from storage.unavailable import ride_out

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@dataclass
class TickReport:
    sweep: SweepResult
    delivery: DeliveryReport
    stopped: bool = False  # a stop signal came before the end

    def describe(self) -> str:
        idle = set(self.sweep.idle)
        lines = [f"ran {len(self.sweep.ran)} duty occurrence(s)" +
                 (f", {len(idle)} with nothing to do" if idle else "") +
                 (" (another instance holds the sweep lock)" if self.sweep.skipped_locked else "") +
                 ("; stopped before the rest (the next sweep runs them)" if self.sweep.stopped else "")]
        lines += [f"  {duty} {occurrence}" for duty, occurrence in self.sweep.ran if (duty, occurrence) not in idle]
        lines.append(self.delivery.describe())
        if self.stopped:
            lines.append("stopped by a signal: what was left is for the next run or a served instance")
        return "\n".join(lines)


@contextlib.contextmanager
def stop_signals(stop: Callable[[], None]) -> Iterator[None]:
    """Call `stop` on the first SIGTERM or SIGINT while inside; a second one acts as it would
    have without this (the process ends at once)."""
    loop = asyncio.get_running_loop()

    def first() -> None:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
        stop()

    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, first)
    try:
        yield
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)


async def tick(services: Services, now: datetime, *, wait_retries: float = 30.0,
               duties: Iterable[Duty] | None = None, signals: bool = False) -> TickReport:
    """One sweep at `now` (aware), then deliver what is due. A database that is unavailable (a
    restart, a fail-over: storage/unavailable.py) is waited for, for up to QA_DATABASE_WAIT_SECONDS
    in each step, rather than ending the tick with an error; past that the error is raised.
    With `signals` (the CLI), SIGTERM or SIGINT stops it as the module says; the report says so."""
    wait = services.settings.database_wait_seconds
    duties = list(duties if duties is not None else default_duties(services.settings))
    sender = OutboxSender(services)
    stopping = asyncio.Event()

    def stop() -> None:
        log.warning("stopping: up to %.0f s for the messages in flight", services.settings.shutdown_grace_seconds)
        stopping.set()
        sender.stop(services.settings.shutdown_grace_seconds)

    with stop_signals(stop) if signals else contextlib.nullcontext():
        # A sweeper killed a moment ago leaves its lease: wait out one lease (and a beat) for it to lapse.
        result = await ride_out(lambda: sweep(services, now, duties, stopping=stopping,
                                              wait_for_lock=SWEEP_HEARTBEAT_SECONDS * (SWEEP_BEATS + 1)),
                                wait=wait, what="sweep")
        delivery = await sender.deliver_due(now, wait_retries=wait_retries, ride_out=wait)
    return TickReport(result, delivery, stopped=stopping.is_set())
