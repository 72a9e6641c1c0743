"""What a turn, a sweep or a CLI command needs, built once and handed down."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.clock import Clock, system_clock
from bot.connector import AppCredentials, BotConnector
from bot.settings import Settings
from storage.db import Database

if TYPE_CHECKING:
    from bot.sender import OutboxSender


@dataclass
class Services:
    settings: Settings
    db: Database
    connector: BotConnector
    clock: Clock = field(default=system_clock)
    # The served app's running sender, so a turn can wake it for messages due at once
    # (safeguarding alerts); None in the CLI and tests, where callers deliver themselves.
    sender: "OutboxSender | None" = None

    @classmethod
    def create(cls, settings: Settings, *, db: Database | None = None, clock: Clock = system_clock) -> "Services":
        credentials = None
        if settings.app_id:
            credentials = AppCredentials(settings.app_id, settings.app_password, settings.app_tenant_id,
                                         settings.oauth_token_url)
        return cls(settings=settings, db=db or Database(settings.database_url),
                   connector=BotConnector(credentials), clock=clock)

    async def close(self) -> None:
        await self.connector.close()
        await self.db.dispose()
