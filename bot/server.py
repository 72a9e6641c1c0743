"""Serve the app: migrate first (under the migration lock, storage/migrate.py), check the schema,
then listen on PORT."""
from __future__ import annotations

import asyncio
import gc
import logging

from aiohttp import web

from bot.app import create_app
from bot.services import Services
from bot.settings import Settings
from capabilities.registry import CommandError
from storage.migrate import schema_state, upgrade

log = logging.getLogger(__name__)


async def _prepare(services: Services, migrate: bool) -> str:
    """Migrate (unless told not to) and say where the schema stands; CommandError when it is behind
    this version's head: serving would fail on missing tables."""
    try:
        if migrate:
            await upgrade(services.db.engine)
        state = await schema_state(services.db.engine)
    finally:
        await services.db.dispose()
    if state.behind:
        raise CommandError(f"not serving: the database's {state.describe()}")
    return state.describe()


async def freeze_start_up(_app: web.Application | None = None) -> None:
    """After start-up, move what was built to serve (modules, the registry, SQLAlchemy's mappers
    and the app) out of the garbage collector's generations: a full collection, which lands in a
    turn now and then (its p99), no longer walks them. Nothing is kept alive that was not already."""
    gc.collect()
    gc.freeze()


def serve(settings: Settings, *, migrate: bool = True) -> None:
    """Serve until stopped. Raises CommandError, before listening, when the schema is behind."""
    schema = asyncio.run(_prepare(Services.create(settings), migrate))
    # A fresh engine for the serving loop: the one above was bound to asyncio.run's loop.
    services = Services.create(settings)
    app = create_app(settings, services)
    app.on_startup.append(freeze_start_up)  # last: after the sweep and the sender have started
    log.info("serving on http://localhost:%s/api/messages (database: %s, %s; %d-second sweep; /metrics %s)",
             settings.port, services.db.dialect, schema, settings.sweep_interval_seconds,
             "on" if settings.metrics_token else "off")
    # SIGTERM or SIGINT: aiohttp stops listening, runs the app's shutdown (bot/app.py: the sender and
    # the sweep stop within QA_SHUTDOWN_GRACE_SECONDS and let their claims and leases go), gives
    # turns still running the same grace, and returns: the process exits 0.
    web.run_app(app, host="0.0.0.0", port=settings.port, access_log=None, print=None,
                shutdown_timeout=settings.shutdown_grace_seconds)
    log.info("stopped")
