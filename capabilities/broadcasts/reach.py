"""A broadcast to someone who never had a chat with the bot: install the app for them (the
installer port, Microsoft Graph in bot/graph.py) and send to the chat that gives.

"not installed" when no installer is configured, they have no object id (or had a chat and
uninstalled or blocked the bot: their choice is kept), or the installer refuses. When it throttles
(Graph's 429 and Retry-After), no install is tried for anyone until the wait has passed (Graph
throttles the app, not the person): the rows are handed back until then.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from datetime import datetime

from capabilities.broadcasts.kinds import ALL
from capabilities.reach import Installer, Reached
from storage import broadcasts
from storage.db import Database
from storage.outbox import Target

log = logging.getLogger(__name__)

KINDS = frozenset(str(kind) for kind in ALL)


class InstallForBroadcasts:
    def __init__(self, installer: Installer | None) -> None:
        self.installer = installer
        self._paused_until = float("-inf")  # loop time: the installer asked us to wait (429 Retry-After)

    async def __call__(self, db: Database, person_id: int, kinds: Collection[str], *, now: datetime,
                       wall_clock: Callable[[], datetime]) -> Reached | None:
        if not KINDS.intersection(kinds):
            return None
        if self.installer is None:
            return Reached()
        aad = await broadcasts.aad_object_id_of(db, person_id)
        if not aad:
            return Reached()
        loop = asyncio.get_running_loop()
        wait = self._paused_until - loop.time()
        if wait > 0:
            return Reached(retry_after=wait)
        result = await self.installer.install(aad, wall_clock)
        if result.retry_after is not None:
            self._paused_until = loop.time() + result.retry_after
            log.info("Graph throttled an install: installs wait %.1f s", result.retry_after)
            return Reached(retry_after=result.retry_after)
        if result.chat_id is None:
            return Reached(reason=result.reason or "not installed")
        where = await broadcasts.record_installed_chat(db, person_id, aad, result.chat_id, now)
        if where is None:
            return Reached()
        return Reached(Target(where[0], result.chat_id, where[1]))
