"""What a turn, a sweep or a CLI command needs, built once and handed down."""
from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from bot.card_signing import CardSigner
from bot.clock import Clock, system_clock
from bot.connector import AppCredentials, BotConnector
from bot.metrics import Metrics, counted_installs
from bot.settings import Settings
from capabilities.context import Context
from qa.calendar import WorkingCalendar
from storage.db import Database

if TYPE_CHECKING:
    from bot.graph import GraphInstaller
    from capabilities.reach import Reach


class Wakeable(Protocol):
    def wake(self) -> None:
        """Something was just enqueued: look now rather than at the next poll."""


class Deliver(Protocol):
    async def now(self) -> None:
        """Send what is due now (a press wrote safeguarding alerts): the app's running sender is
        woken, else the rows are delivered before this returns."""


@dataclass
class Services:
    settings: Settings
    db: Database
    connector: BotConnector
    clock: Clock = field(default=system_clock)  # the framework's now (tests move it to any date)
    # Real time, for what other processes must agree on: outbox claims and tenant leases. Kept apart
    # from `clock` so a test (or a tick --now) at another date never stamps a lease into the future.
    wall_clock: Clock = field(default=system_clock)
    # The served app's running sender (bot/sender.py), so a turn can wake it for messages due at
    # once (safeguarding alerts); None in the CLI and tests, where callers deliver themselves.
    sender: Wakeable | None = None
    # This instance's name on outbox claims and tenant leases: every sender built on these services
    # (the served app's, a CLI tick's, a turn's immediate delivery) is one instance to the others.
    instance_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")
    # What GET /metrics shows (bot/metrics.py): this instance's own registry.
    metrics: Metrics = field(default_factory=Metrics)

    @classmethod
    def create(cls, settings: Settings, *, db: Database | None = None, clock: Clock = system_clock) -> "Services":
        credentials = None
        if settings.app_id:
            credentials = AppCredentials(settings.app_id, settings.app_password, settings.app_tenant_id,
                                         settings.oauth_token_url)
        return cls(settings=settings, db=db or Database(settings.database_url),
                   connector=BotConnector(credentials), clock=clock)

    @cached_property
    def signer(self) -> CardSigner:
        """Signs the ids on outgoing cards' buttons and checks them on a press (bot/card_signing.py);
        its key is derived once, not for every card."""
        return CardSigner.from_secrets(self.settings.card_signing_key, self.settings.app_password,
                                       authenticated=self.settings.auth_enabled)

    @cached_property
    def graph(self) -> "GraphInstaller | None":
        """Installs the app for people through Microsoft Graph (bot/graph.py); None when not configured
        (no app credentials or no QA_TEAMS_CATALOG_APP_ID): those people are "not installed"."""
        from bot.graph import GRAPH_SCOPE, GraphInstaller

        s = self.settings
        if not (s.app_id and s.app_password and s.teams_catalog_app_id):
            return None
        tenant = s.app_tenant_id or next(iter(sorted(s.allowed_tenants)), "")
        credentials = AppCredentials(s.app_id, s.app_password, tenant, s.oauth_token_url, scope=GRAPH_SCOPE)
        return counted_installs(GraphInstaller(credentials, s.teams_catalog_app_id, base_url=s.graph_url), self.metrics)

    @cached_property
    def reach(self) -> "tuple[Reach, ...]":
        """The capabilities' hooks for people the outbox has no chat for (capabilities/reach.py),
        each built once with the installer (Graph, when configured): broadcasts install the app."""
        from capabilities.catalogue import registry

        return tuple(c.reach(self.graph) for c in registry().capabilities if c.reach is not None)

    @cached_property
    def deliver(self) -> Deliver:
        """Immediate delivery for a press (bot/sender.py DeliverNow): one for these services."""
        from bot.sender import DeliverNow

        return DeliverNow(self)

    @property
    def context(self) -> Context:
        """What the use cases need: the database, the council's working calendar, the clock."""
        return Context(self.db, WorkingCalendar(tz=self.settings.tz), self.clock, self.settings.file_limits)

    async def close(self) -> None:
        await self.connector.close()
        if "graph" in self.__dict__ and self.graph is not None:
            await self.graph.close()
        await self.db.dispose()
