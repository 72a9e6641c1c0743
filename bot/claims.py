"""What one outbox sender holds: its claims on rows and its tenants' leases, kept alive by a heartbeat.

Claims: due rows are claimed in the database (state "sending", a short lease of wall clock: three
heartbeats, 6 s by default), all of a chat's due rows together (storage/outbox/claims.py). While
the sender lives, the heartbeat renews the claims on every row it holds (waiting for its turn or
in flight) each beat; a row whose sender died is claimable again within one claim. A row held
longer than the lease (QA_OUTBOX_LEASE_SECONDS, 120 s: a send that never returns) is let go.

Tenants: one Teams budget for every instance. The rate limiter lives in the process, so one
sender at a time sends to a tenant. It holds the tenant's lease in the database
(storage/leases.py, named "outbox-tenant:<tenant id>"), taken when it has claimed rows for the
tenant and renewed by the heartbeat, and only it sends there, paced by its own limiter: any number
of instances (served apps, ticks) on one database together keep to the tenant's 50 per second
and, as every chat belongs to one tenant, to each chat's windows. The others leave that tenant's
rows unclaimed (`skip_tenants`) and look again when its lease would run out. The holder lets the
lease go when it has nothing more for the tenant: another may take it once the holder's last send
is out of the tenant's window and the chats' 1-s and 2-s windows (`handover`, 2.03 s). The lease
lasts a claim, and at least the hand-over and two beats (6.03 s by default); the holder sends only
until a hand-over before its end (on its own clock, counted from when it asked), so if its
renewals fail or it dies, its last send is out of those windows before the next sender takes the
tenant over. The chats' 30-s and hourly windows are not carried over a hand-over: a chat's due
rows go as one message per claim, far below them. Wall clocks of instances are taken to agree.
"""
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.ratelimit import Limits
from storage import leases, outbox
from storage.db import Database
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

CLAIM_BEATS = 3  # a claim lasts this many heartbeats: one or two late beats do not lose it
TENANT_LEASE = "outbox-tenant:"  # + tenant_key(tenant id): the one sender sending to that tenant
HANDOVER_WINDOW = 2.0  # s: the tenant's windows and the chats' windows up to this long outlast a hand-over


class Claims:
    def __init__(self, db: Database, worker_id: str, wall_clock: Clock, *, limits: Limits, lease: float,
                 heartbeat: float) -> None:
        if not (lease > 0 and heartbeat > 0):
            raise ValueError("lease and heartbeat must be more than 0 seconds")
        self.db = db
        self.worker_id = worker_id
        self.wall_clock = wall_clock
        # The longest one claim is kept alive by the heartbeat.
        self.lease = timedelta(seconds=lease)
        # What a claim or a renewal holds a row for: a few beats, never more than the lease.
        self.claim = timedelta(seconds=min(CLAIM_BEATS * heartbeat, lease))
        self.beat = self.claim.total_seconds() / CLAIM_BEATS
        self.held: dict[int, float] = {}  # row id -> loop time claimed: what the heartbeat renews
        # One sender per tenant: the tenant leases this sender holds (tenant key -> loop time until
        # which it surely holds it), its chats in hand per tenant, and the tenants others hold
        # (tenant key -> (holder, wall-clock end)).
        self.handover = max((w.period for w in limits.tenant + limits.conversation if w.period <= HANDOVER_WINDOW),
                            default=0.0) * (1.0 + limits.margin)
        # A holder sends only until a hand-over before its lease ends (`holds`), so a dead holder's
        # lease outlives its last send by the hand-over at least; renewed each beat, two beats spare.
        self.tenant_lease = timedelta(seconds=max(self.claim.total_seconds(), self.handover + 2 * self.beat))
        self._tenants: dict[str, float] = {}
        self.in_hand: Counter = Counter()
        self.others: dict[str, tuple[str, datetime]] = {}

    # -- rows ----------------------------------------------------------------------------------
    def took(self, rows: Iterable[OutboxMessage]) -> None:
        """Rows just claimed: renewed by the heartbeat from now on."""
        claimed_at = asyncio.get_running_loop().time()
        self.held.update((row.id, claimed_at) for row in rows)

    def let_go(self, rows: Iterable[OutboxMessage]) -> None:
        """Rows settled, handed back or failed: no longer renewed."""
        for row in rows:
            self.held.pop(row.id, None)

    async def heartbeat(self) -> None:
        """Every beat, renew the claims on the rows this sender holds, so they stay its own while
        it lives however long their turn or their send takes, and lapse within one claim of its
        death. A row held longer than the lease is let go (a send that never returns)."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.beat)  # the heartbeat's period
            for tenant in list(self._tenants):
                try:
                    await self.hold_tenant(tenant)
                except Exception as exc:  # noqa: BLE001 - the next beat tries again; sends stop at its end
                    log.error("outbox tenant lease: %s", type(exc).__name__)
            cutoff = loop.time() - self.lease.total_seconds()
            stale = [row_id for row_id, claimed_at in self.held.items() if claimed_at <= cutoff]
            if stale:
                log.warning("outbox rows %s held longer than the %.0f s lease: let go", stale,
                            self.lease.total_seconds())
                for row_id in stale:
                    del self.held[row_id]
            if not self.held:
                continue
            try:
                await outbox.renew(self.db, list(self.held), worker=self.worker_id,
                                   claimed_until=self.wall_clock() + self.claim)
            except Exception as exc:  # noqa: BLE001 - e.g. the database is busy: the next beat tries again
                log.error("outbox heartbeat: %s", type(exc).__name__, exc_info=(type(exc), exc, exc.__traceback__))

    # -- one sender per tenant ------------------------------------------------------------------
    async def other_tenants(self) -> dict[str, tuple[str, datetime]]:
        """Tenants another sender holds now: tenant key -> (its holder, when its lease runs out)."""
        self.others = await leases.held_by_others(self.db, TENANT_LEASE, self.worker_id, self.wall_clock())
        return self.others

    async def hold_tenant(self, tenant: str) -> bool:
        """Take or renew this tenant's lease; False (and no longer held) when another sender has it."""
        loop = asyncio.get_running_loop()
        asked = loop.time()
        if await leases.acquire(self.db, TENANT_LEASE + tenant, self.worker_id, self.wall_clock(), self.tenant_lease):
            # Ours to send on until a hand-over before its end, on our own clock, counted from the
            # asking: the last send is out of the tenant's windows before another can take it.
            self._tenants[tenant] = asked + self.tenant_lease.total_seconds() - self.handover
            return True
        if self._tenants.pop(tenant, None) is not None:
            log.warning("outbox: tenant %s taken over by another sender", tenant)
        return False

    def holds(self, tenant: str) -> bool:
        return asyncio.get_running_loop().time() < self._tenants.get(tenant, float("-inf"))

    async def ensure_tenant(self, tenant: str) -> bool:
        """This sender holds the tenant now (renewed by the heartbeat while held, else taken here)."""
        return self.holds(tenant) or await self.hold_tenant(tenant)

    async def let_tenants_go(self) -> None:
        """Let go of the tenants this sender has no chat in hand for. Another sender may take one
        once this one's last send has left the tenant's windows (`handover`)."""
        idle = [tenant for tenant in self._tenants if not self.in_hand[tenant]]
        for tenant in idle:
            del self._tenants[tenant]
            self.in_hand.pop(tenant, None)
            await leases.release(self.db, TENANT_LEASE + tenant, self.worker_id,
                                 linger_until=self.wall_clock() + timedelta(seconds=self.handover))
