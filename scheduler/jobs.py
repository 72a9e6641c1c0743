"""APScheduler's one owner: an AsyncIOScheduler on the app's event loop that sweeps every
minute, and the outbox sender running beside it.

The database, not APScheduler's memory, says what is due; jobs are named and replaced, and
a missed run is coalesced into one, so a restart never repeats or floods.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.sender import OutboxSender
from bot.services import Services
from scheduler.duties import Duty, default_duties
from scheduler.sweep import sweep

log = logging.getLogger(__name__)


class SweepScheduler:
    def __init__(self, services: Services, duties: Iterable[Duty] | None = None,
                 sender: OutboxSender | None = None) -> None:
        self.services = services
        self.duties = list(duties) if duties is not None else default_duties(services.settings)
        self.sender = sender or OutboxSender(services)
        self._scheduler: AsyncIOScheduler | None = None
        self._sender_task: asyncio.Task | None = None

    async def start(self) -> None:
        self._scheduler = AsyncIOScheduler(
            timezone=self.services.settings.tz,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        self._scheduler.add_job(self.run_sweep, "interval", seconds=self.services.settings.sweep_interval_seconds,
                                id="sweep", replace_existing=True, next_run_time=self.services.clock())
        self._scheduler.start()
        self._sender_task = asyncio.create_task(self.sender.run_forever(), name="outbox-sender")

    async def run_sweep(self) -> None:
        try:
            await sweep(self.services, self.services.clock(), self.duties)
        except Exception as exc:  # noqa: BLE001 - a failed sweep is retried next minute
            log.error("sweep failed: %s", type(exc).__name__, exc_info=(type(exc), exc, exc.__traceback__))
        self.sender.wake()

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        if self._sender_task is not None:
            self.sender.stop()
            await asyncio.gather(self._sender_task, return_exceptions=True)
