"""APScheduler's one owner: an AsyncIOScheduler on the app's event loop that sweeps every
minute, and the outbox sender running beside it.

The database, not APScheduler's memory, says what is due; jobs are named and replaced, and
a missed run is coalesced into one, so a restart never repeats or floods. The served app
(bot/app.py) hands in the duties (capabilities/catalogue.py) and the sender (bot/sender.py).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from capabilities.duties import Duty
from scheduler.sweep import Runtime, sweep

log = logging.getLogger(__name__)


class Sender(Protocol):
    async def run_forever(self) -> None: ...

    def wake(self) -> None: ...

    def stop(self, grace: float | None = None) -> None: ...


class SweepScheduler:
    def __init__(self, runtime: Runtime, duties: Iterable[Duty], sender: Sender, *, tz: tzinfo,
                 interval_seconds: float, grace_seconds: float = 10.0) -> None:
        self.runtime = runtime
        self.duties = list(duties)
        self.sender = sender
        self.tz = tz
        self.interval_seconds = interval_seconds
        self.grace_seconds = grace_seconds  # QA_SHUTDOWN_GRACE_SECONDS: see stop()
        self._stopping = asyncio.Event()
        self._scheduler: AsyncIOScheduler | None = None
        self._sender_task: asyncio.Task | None = None
        self._sweeping: asyncio.Task | None = None

    async def start(self) -> None:
        self._scheduler = AsyncIOScheduler(
            timezone=self.tz,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        self._scheduler.add_job(self.run_sweep, "interval", seconds=self.interval_seconds,
                                id="sweep", replace_existing=True, next_run_time=self.runtime.clock())
        self._scheduler.start()
        self._sender_task = asyncio.create_task(self.sender.run_forever(), name="outbox-sender")

    async def run_sweep(self) -> None:
        self._sweeping = asyncio.current_task()
        try:
            result = await sweep(self.runtime, self.runtime.clock(), self.duties, stopping=self._stopping)
            if result.skipped_locked and result.locked_until is not None:
                self._look_again(result.locked_until)
        except Exception as exc:  # noqa: BLE001 - a failed sweep is retried next minute
            log.error("sweep failed: %s", type(exc).__name__, exc_info=(type(exc), exc, exc.__traceback__))
        finally:
            self._sweeping = None
        self.sender.wake()

    def _look_again(self, locked_until: datetime) -> None:
        """Another instance held the sweep lease: sweep again when it would run out (a holder that
        died stops renewing it), rather than a whole interval later."""
        delay = (locked_until - self.runtime.wall_clock()).total_seconds()
        if self._scheduler is None or not 0 <= delay < self.interval_seconds:
            return
        self._scheduler.add_job(self.run_sweep, "date", id="sweep-again", replace_existing=True,
                                run_date=locked_until + timedelta(seconds=0.05))

    @property
    def sender_running(self) -> bool:
        """The outbox sender's task was started and has not ended (bot/health.py's readiness)."""
        return self._sender_task is not None and not self._sender_task.done()

    async def stop(self) -> None:
        """The app's shutdown (SIGTERM): no further sweep starts; a sweep in progress finishes the
        occurrence it is running and lets the sweep lease go; the sender stops claiming and has
        `grace_seconds` for its messages in flight (bot/sender.py `stop`), then lets its claims and
        tenants go. Both run together; a sweep still running past the grace is cancelled (its
        occurrence's transaction rolls back and runs next time)."""
        self._stopping.set()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        if self._sender_task is not None:
            self.sender.stop(self.grace_seconds)
        # A sweep in progress ends (it holds the sweep lease and a transaction) before the app
        # closes the database under it; cancelled later, its clean-up would wait on a closed pool.
        sweeping = self._sweeping if self._sweeping is not asyncio.current_task() else None
        if sweeping is not None:
            _, late = await asyncio.wait({sweeping}, timeout=self.grace_seconds)
            if late:
                log.warning("the sweep was still running at the end of the shutdown grace: cancelled")
                sweeping.cancel()
            await asyncio.gather(sweeping, return_exceptions=True)
        if self._sender_task is not None:
            await asyncio.gather(self._sender_task, return_exceptions=True)
