"""Serve the app: migrate first, then listen on PORT."""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.app import create_app
from bot.services import Services
from bot.settings import Settings
from storage.migrate import upgrade

log = logging.getLogger(__name__)


def serve(settings: Settings) -> None:
    services = Services.create(settings)
    asyncio.run(upgrade(services.db.engine))
    # A fresh engine for the serving loop: the one above was bound to asyncio.run's loop.
    services = Services.create(settings)
    app = create_app(settings, services)
    log.info("serving on http://localhost:%s/api/messages (database: %s)", settings.port, services.db.dialect)
    web.run_app(app, host="0.0.0.0", port=settings.port, access_log=None, print=None)
