"""The outbox sender: proactive delivery that neither loses nor repeats a notice, within Teams' limits.

How a notice goes out:
1. Claim: due rows are claimed in the database (state "sending", a short lease of wall clock:
   three heartbeats, 6 s by default), all of a chat's due rows together. Two senders never hold
   the same row (FOR UPDATE SKIP LOCKED on PostgreSQL, a conditional UPDATE on SQLite). While
   the sender lives, a heartbeat renews the claims on every row it holds (waiting for its turn
   or in flight) each beat; a row whose sender died is claimable again within one claim.
2. Resolve: the row's chat (its conversation id, else the person's reachable personal chat).
   No chat: undeliverable "not installed"; person left: "left".
3. Digest: a chat's rows go as one message (dialogs/digest.py).
4. Pace: each message waits for its turn from the Pacer, which keeps to the rate limiter
   (bot/ratelimit.py); up to `concurrency` messages wait and are in flight at once, so
   network latency does not cost throughput.
5. Record: a sent message's rows are marked sent with its activity id straight away. Only a
   message in flight when the process is killed can go twice.

Failures: 429, 412, 500, 502, 503, 504, timeouts and refused connections are retried: after the
server's Retry-After when it sent one in any form RFC 9110 allows (seconds or an HTTP-date, read
by bot/ratelimit.parse_retry_after against the wall clock, at most `retry_after_cap`, 10 minutes;
the row's last_error says what was asked and what is waited), else with capped, jittered
exponential back-off (bot/ratelimit.retry_delay); at most
until QA_OUTBOX_RETRY_HOURS (24 by default) after the row was due, then undeliverable "retries
exhausted". 403 and 404 mean the
bot was blocked or removed: undeliverable, and the chat is marked unreachable. Any other 4xx:
undeliverable "rejected (status)".

Time: `deliver_due(now)` decides due-ness by a logical clock that starts at `now` and runs
with real time, so `tick --now` works on any date; claims and tenant leases use real time (services.wall_clock), which every process agrees on.

After a crash: `deliver_due` (so `tick`) also waits, at most one claim (or tenant lease, see
below) and one beat (and never beyond `wait_retries`), for claims and tenant leases other senders
hold to lapse, and takes over those that do: a dead sender's. Claims still held when it returns are renewed, so a live sender has them; the
report names them (`held`).

Settings: QA_OUTBOX_HEARTBEAT_SECONDS (default 2) is the beat; a claim lasts three beats.
QA_OUTBOX_LEASE_SECONDS (default 120) is the longest one claim is kept alive, renewals included
(a send that never returns lets its rows go after it), and half of it the longest a claimed
message waits for its turn.

One Teams budget for every instance: the limiter lives in the process, so one sender at a time
sends to a tenant. It holds the tenant's lease in the database (storage/leases.py, named
"outbox-tenant:<tenant id>"), taken when it has claimed rows for the tenant and renewed by the
heartbeat, and only it sends there, paced by its own limiter: any number of instances (served
apps, ticks) on one database together keep to the tenant's 50 per second and, as every chat
belongs to one tenant, to each chat's windows. The others leave that tenant's rows unclaimed
(`skip_tenants`) and look again when its lease would run out. A sender that claimed rows for a
tenant another holds hands them back untouched. The holder lets the lease go when it has nothing
more for the tenant: another may take it once the holder's last send is out of the tenant's
window and the chats' 1-s and 2-s windows (`handover`, 2.03 s). The lease lasts a claim, and at
least the hand-over and two beats (6.03 s by default); the holder sends only until a hand-over
before its end (on its own clock, counted from when it asked), so if its renewals fail or it
dies, its last send is out of those windows before the next sender takes the tenant over. The
chats' 30-s and hourly windows are not carried over a hand-over: a chat's due rows go as one
message per claim, far below them. Wall clocks of instances are taken to agree (as for claims).
On SQLite one process sends (one machine); the lease works there just the same.
"""
from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.connector import ConnectorError, ConnectorResponse
from bot.ratelimit import (
    EPSILON,
    RETRY_AFTER_CAP,
    RETRY_BASE,
    RETRY_CAP,
    TEAMS_LIMITS,
    Limits,
    RateLimiter,
    parse_retry_after,
    retry_delay,
)
from bot.services import Services
from capabilities.catalogue import registry
from dialogs.digest import digest_activities
from dialogs.payload import check_payload
from storage import broadcasts, leases, outbox
from storage.conversations import tenant_key
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

RETRYABLE = frozenset({412, 429, 500, 502, 503, 504})
CLAIM_BEATS = 3  # a claim lasts this many heartbeats: one or two late beats do not lose it
IDLE_POLL_SECONDS = 5.0  # run_forever: rows written by other processes are noticed this soon
TENANT_LEASE = "outbox-tenant:"  # + tenant_key(tenant id): the one sender sending to that tenant
HANDOVER_WINDOW = 2.0  # s: the tenant's windows and the chats' windows up to this long outlast a hand-over
# How far behind its plan a turn may go and still count as on time: the limiter's 1.5% margin
# absorbs it (a 1-s window holds 15 ms of slack), so the pace holds through the loop's usual
# wake-up delay; lateness beyond it delays the turns after, so it never squeezes them.
LATE_TURN = 0.005


@dataclass
class _Turn:
    tenant: str
    chat: str
    max_wait: float
    answer: asyncio.Future  # None: go now; a float: the seconds until a turn, too far off to wait
    at: float = 0.0  # when the turn was due


class Pacer:
    """Hands out send turns in the order asked, each at the first moment the rate limiter
    allows for its chat. One timer serves every waiting send and nothing is booked ahead; a
    turn is recorded when its sender actually starts, and only then is the next one planned.
    So a late wake-up, of the pacer or of the sender, costs its lateness, never squeezes the
    next request."""

    def __init__(self, limiter: RateLimiter, *, late: float = LATE_TURN) -> None:
        self.limiter = limiter
        self.late = late
        self._queue: list[_Turn] = []
        self._arrived = asyncio.Event()
        self._started = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def turn(self, tenant: str, chat: str, *, max_wait: float) -> float | None:
        """None when it is this request's turn (send at once); else seconds until one (more
        than `max_wait`, or 0.0 when the pacer was stopped)."""
        loop = asyncio.get_running_loop()
        turn = _Turn(tenant, chat, max_wait, loop.create_future())
        self._queue.append(turn)
        self._arrived.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="outbox-pacer")
        answer: float | None = 0.0
        try:
            answer = await turn.answer
            if answer is None:
                # Counted from now, less the lateness the limiter's margin absorbs.
                self.limiter.record(tenant, chat, max(turn.at, loop.time() - self.late))
            return answer
        finally:
            if turn in self._queue:  # cancelled while waiting
                self._queue.remove(turn)
            if turn.answer.done() and not turn.answer.cancelled() and turn.answer.result() is None:
                self._started.set()

    def stop(self) -> None:
        for turn in self._queue:
            if not turn.answer.done():
                turn.answer.set_result(0.0)
        self._queue.clear()

    async def _run(self) -> None:
        try:
            await self._hand_out()
        except Exception as exc:  # noqa: BLE001 - never leave a send waiting for ever
            log.error("outbox pacer failed: %s", type(exc).__name__, exc_info=(type(exc), exc, exc.__traceback__))
            self.stop()

    async def _hand_out(self) -> None:
        loop = asyncio.get_running_loop()
        planned: float | None = None
        while self._queue:
            self._arrived.clear()
            now = loop.time()
            # Woken for a planned turn: it is due at the plan if we are at most `late` behind,
            # else `late` before now - lateness beyond that is lost, never made up.
            at = max(planned, now - self.late) if planned is not None and now >= planned else now
            planned = None
            soonest = None
            for turn in list(self._queue):
                if turn.answer.done():
                    self._queue.remove(turn)
                    continue
                wait = self.limiter.earliest(turn.tenant, turn.chat, at)
                if wait <= EPSILON:
                    self._queue.remove(turn)
                    turn.at = at
                    self._started.clear()
                    turn.answer.set_result(None)
                    soonest = 0.0
                    break
                if wait > turn.max_wait:
                    self._queue.remove(turn)
                    turn.answer.set_result(wait)
                    continue
                soonest = wait if soonest is None else min(soonest, wait)
            if soonest == 0.0:
                # Plan the next turn from when this one really starts (it records itself).
                try:
                    await asyncio.wait_for(self._started.wait(), timeout=1.0)
                except TimeoutError:
                    log.warning("outbox pacer: a sender took its turn more than a second late")
                continue
            if soonest is None:
                continue
            planned = at + soonest
            try:  # until the next turn is due, or a new request might go sooner
                await asyncio.wait_for(self._arrived.wait(), timeout=max(planned - loop.time(), 0.0))
                planned = None
            except TimeoutError:
                pass


@dataclass
class DeliveryReport:
    messages: int = 0  # activities Teams accepted
    digests: int = 0  # of those, messages carrying more than one notice
    rows: int = 0  # notices delivered
    retried: int = 0  # failed attempts scheduled to be tried again
    undeliverable: Counter = field(default_factory=Counter)  # reason -> rows
    pending: int = 0  # notices due by the end that are not yet sent or given up
    held: dict[str, int] = field(default_factory=dict)  # at the end: other live sender -> rows it holds
    tenants_elsewhere: dict[str, str] = field(default_factory=dict)  # at the end: tenant -> the sender sending to it

    def describe(self) -> str:
        text = (f"delivered {self.rows} notice(s) in {self.messages} message(s) ({self.digests} digest(s)); "
                f"{self.retried} attempt(s) to retry; {self.pending} still pending")
        if self.held:
            text += (f"; {sum(self.held.values())} held by a live sender (" +
                     ", ".join(f"{worker}: {count}" for worker, count in sorted(self.held.items())) + ")")
        if self.tenants_elsewhere:
            text += ("; tenant(s) another sender is sending to (" +
                     ", ".join(f"{tenant or '(none)'}: {worker}" for tenant, worker in
                               sorted(self.tenants_elsewhere.items())) + ")")
        if self.undeliverable:
            text += "; undeliverable: " + ", ".join(
                f"{reason} {count}" for reason, count in sorted(self.undeliverable.items()))
        return text


class OutboxSender:
    def __init__(self, services: Services, *, limits: Limits = TEAMS_LIMITS, concurrency: int = 32,
                 worker_id: str | None = None, lease: float | None = None, heartbeat: float | None = None,
                 max_attempts: int | None = None, retry_budget: float | None = None,
                 retry_base: float = RETRY_BASE, retry_cap: float = RETRY_CAP,
                 retry_after_cap: float = RETRY_AFTER_CAP, rng: random.Random | None = None) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.services = services
        self.limiter = RateLimiter(limits)
        self.pacer = Pacer(self.limiter)
        self.concurrency = concurrency
        # One name per Services (bot/services.py instance_id): a sender built again on the same services,
        # within a tenant lease's hand-over, takes its own lease back rather than waiting it out.
        self.worker_id = (worker_id or services.instance_id)[:100]
        lease = lease if lease is not None else services.settings.outbox_lease_seconds
        beat = heartbeat if heartbeat is not None else services.settings.outbox_heartbeat_seconds
        if not (lease > 0 and beat > 0):
            raise ValueError("lease and heartbeat must be more than 0 seconds")
        # The longest one claim is kept alive by the heartbeat.
        self.lease = timedelta(seconds=lease)
        # What a claim or a renewal holds a row for: a few beats, never more than the lease.
        self.claim = timedelta(seconds=min(CLAIM_BEATS * beat, lease))
        self.beat = self.claim.total_seconds() / CLAIM_BEATS
        # A message waits for its slot at most this long while claimed; further off, it is
        # handed back with its next attempt at the slot.
        self.max_slot_wait = lease / 2
        self._held: dict[int, float] = {}  # row id -> loop time claimed: what the heartbeat renews
        # One sender per tenant: the tenant leases this sender holds (tenant key -> loop time until
        # which it surely holds it), its chats in hand per tenant, and the tenants others hold
        # (tenant key -> (holder, wall-clock end)).
        self.handover = max((w.period for w in limits.tenant + limits.conversation if w.period <= HANDOVER_WINDOW),
                            default=0.0) * (1.0 + limits.margin)
        # A holder sends only until a hand-over before its lease ends (`_holds`), so a dead holder's
        # lease outlives its last send by the hand-over at least; renewed each beat, two beats spare.
        self.tenant_lease = timedelta(seconds=max(self.claim.total_seconds(), self.handover + 2 * self.beat))
        self._tenants: dict[str, float] = {}
        self._in_hand: Counter = Counter()
        self._others: dict[str, tuple[str, datetime]] = {}
        self.max_attempts = max_attempts
        # Transient failures are retried until this long after a row was due (QA_OUTBOX_RETRY_HOURS).
        self.retry_budget = timedelta(hours=retry_budget if retry_budget is not None
                                      else services.settings.outbox_retry_hours)
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.retry_after_cap = retry_after_cap
        self._rng = rng or random.Random()
        # Lanes (capabilities.registry.OutboxKind.lane): urgent kinds are claimed first, bulk kinds
        # (broadcasts) take turns with the rest, so they share the tenant's budget fairly.
        kinds = registry().kinds.values()
        self.urgent_kinds = frozenset(k for k in kinds if k.lane == "urgent")
        self.bulk_kinds = frozenset(k for k in kinds if k.lane == "bulk")
        self._graph_paused_until = float("-inf")  # loop time: Graph asked us to wait (429 Retry-After)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()

    def _signed(self, activity: dict) -> dict:
        """The activity with its cards' buttons signed (bot/card_signing.py)."""
        signer = self.services.signer
        return {**activity, "attachments": [
            {**a, "content": signer.sign(a["content"])} if isinstance(a.get("content"), dict) else a
            for a in activity.get("attachments") or []]}

    # -- public ------------------------------------------------------------------------------
    async def deliver_due(self, now: datetime, *, wait_retries: float = 30.0) -> DeliveryReport:
        """Deliver every row due by `now` (a logical time that runs on with real time); keep
        going while a retry or an expired claim comes due within `wait_retries` real seconds."""
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        loop = asyncio.get_running_loop()
        began = loop.time()

        def logical() -> datetime:
            return now + timedelta(seconds=loop.time() - began)

        report = DeliveryReport()
        wait = max(wait_retries, 0.0)
        # A claim or a tenant's lease that has not lapsed by then was renewed since we began: its
        # sender lives. (A tenant's lease lasts at least as long as a claim.)
        # A tenant another sender has just let go of lingers for the hand-over (2 s): that is waited
        # out even with no wait for retries, so a tick right after another one still sends.
        lapse_by = self.services.wall_clock() + timedelta(seconds=max(
            min(self.tenant_lease.total_seconds() + self.beat, wait), self.handover + 0.1))
        await self._deliver(logical, report, until=now + timedelta(seconds=wait), lapse_by=lapse_by)
        report.pending = await outbox.count_open(self.services.db, due_by=logical())
        report.held = await outbox.held_by_others(self.services.db, worker=self.worker_id,
                                                  wall_now=self.services.wall_clock())
        report.tenants_elsewhere = {tenant: holder for tenant, (holder, _) in (await self._other_tenants()).items()}
        log.info("outbox delivery: %s", report.describe())
        return report

    async def run_forever(self) -> None:
        """The served app's loop: deliver what is due, then sleep until woken or the next retry."""
        clock = self.services.clock
        while not self._stopping.is_set():
            report = DeliveryReport()
            timeout = IDLE_POLL_SECONDS
            try:
                await self._deliver(clock, report, until=None)
                others = await self._other_tenants()
                attempt, lease_end = await outbox.next_wake(self.services.db, worker=self.worker_id,
                                                            skip_tenants=others)
                # Another sender's tenant: look again when its lease would run out.
                for moment in (attempt, lease_end, *(end for _, end in others.values())):
                    if moment is not None:
                        timeout = min(timeout, (moment - clock()).total_seconds())
            except Exception as exc:  # noqa: BLE001 - e.g. the database is down: try again shortly
                log.error("outbox sender: %s", type(exc).__name__, exc_info=(type(exc), exc, exc.__traceback__))
            if report.messages or report.undeliverable or report.retried:
                log.info("outbox delivery: %s", report.describe())
            await self._pause(max(timeout, 0.05))  # never a busy loop, whatever the database says

    def wake(self) -> None:
        """Something was just enqueued: look now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self.pacer.stop()

    # -- the loop ----------------------------------------------------------------------------
    async def _deliver(self, now: Callable[[], datetime], report: DeliveryReport, *, until: datetime | None,
                       lapse_by: datetime | None = None) -> None:
        """Claim and send until nothing is claimable and nothing is in hand. With `until`, also
        wait for retries that come due by then (logical), and for other senders' claims that
        lapse by `lapse_by` (wall clock)."""
        tasks: set[asyncio.Task] = set()
        heartbeat = asyncio.create_task(self._heartbeat(), name="outbox-heartbeat")
        loop = asyncio.get_running_loop()
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                room = self.concurrency - len(tasks)
                if room >= max(1, self.concurrency // 4) or not tasks:
                    others = await self._other_tenants()
                    rows = await outbox.claim(self.services.db, worker=self.worker_id, now=now(),
                                              wall_now=self.services.wall_clock(), lease=self.claim, max_targets=room,
                                              skip_tenants=others, bulk_kinds=self.bulk_kinds,
                                              urgent_kinds=self.urgent_kinds)
                    if not rows:
                        await self._let_tenants_go()  # nothing more for them: another may take over
                    if rows:
                        claimed_at = loop.time()
                        self._held.update((row.id, claimed_at) for row in rows)
                        try:
                            tasks.update(await self._dispatch(rows, now, report))
                        except BaseException:
                            self._let_go(rows)  # unsettled: they lapse within one claim
                            raise
                        continue
                if tasks:
                    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        tasks.discard(task)
                        self._log_failure(task)
                    continue
                if until is None:
                    return
                wait = await self._until_next(now, until, lapse_by)
                if wait is None:
                    return
                await self._pause(wait)
        finally:
            if tasks:
                for task in await asyncio.gather(*tasks, return_exceptions=True):
                    if isinstance(task, BaseException):
                        log.error("outbox send failed: %s", type(task).__name__)
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
            try:
                await self._let_tenants_go()
            except Exception as exc:  # noqa: BLE001 - e.g. the database is down: the leases run out
                log.error("outbox tenant leases: %s", type(exc).__name__)

    async def _until_next(self, now: Callable[[], datetime], until: datetime, lapse_by: datetime | None) -> float | None:
        """Seconds until a waiting row's next attempt (if by `until`), or another sender's claim
        runs out (if by `lapse_by`); None when neither comes by then."""
        others = await self._other_tenants()
        attempt, lease_end = await outbox.next_wake(self.services.db, worker=self.worker_id, skip_tenants=others)
        waits = []
        if attempt is not None and attempt <= until:
            waits.append((attempt - now()).total_seconds())
        # Another sender's claims, or its tenants' leases, that run out by then: it may be dead.
        for end in (lease_end, *(end for _, end in others.values())):
            if end is not None and lapse_by is not None and end <= lapse_by:
                waits.append((end - self.services.wall_clock()).total_seconds() + 0.001)
        return max(min(waits), 0.0) if waits else None

    async def _heartbeat(self) -> None:
        """Every beat, renew the claims on the rows this sender holds, so they stay its own while
        it lives however long their turn or their send takes, and lapse within one claim of its
        death. A row held longer than the lease is let go (a send that never returns)."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.beat)  # the heartbeat's period
            for tenant in list(self._tenants):
                try:
                    await self._hold_tenant(tenant)
                except Exception as exc:  # noqa: BLE001 - the next beat tries again; sends stop at its end
                    log.error("outbox tenant lease: %s", type(exc).__name__)
            cutoff = loop.time() - self.lease.total_seconds()
            stale = [row_id for row_id, claimed_at in self._held.items() if claimed_at <= cutoff]
            if stale:
                log.warning("outbox rows %s held longer than the %.0f s lease: let go", stale,
                            self.lease.total_seconds())
                for row_id in stale:
                    del self._held[row_id]
            if not self._held:
                continue
            try:
                await outbox.renew(self.services.db, list(self._held), worker=self.worker_id,
                                   claimed_until=self.services.wall_clock() + self.claim)
            except Exception as exc:  # noqa: BLE001 - e.g. the database is busy: the next beat tries again
                log.error("outbox heartbeat: %s", type(exc).__name__, exc_info=(type(exc), exc, exc.__traceback__))

    # -- one sender per tenant ------------------------------------------------------------------
    async def _other_tenants(self) -> dict[str, tuple[str, datetime]]:
        """Tenants another sender holds now: tenant key -> (its holder, when its lease runs out)."""
        self._others = await leases.held_by_others(self.services.db, TENANT_LEASE, self.worker_id,
                                                   self.services.wall_clock())
        return self._others

    async def _hold_tenant(self, tenant: str) -> bool:
        """Take or renew this tenant's lease; False (and no longer held) when another sender has it."""
        loop = asyncio.get_running_loop()
        asked = loop.time()
        if await leases.acquire(self.services.db, TENANT_LEASE + tenant, self.worker_id, self.services.wall_clock(),
                                self.tenant_lease):
            # Ours to send on until a hand-over before its end, on our own clock, counted from the
            # asking: the last send is out of the tenant's windows before another can take it.
            self._tenants[tenant] = asked + self.tenant_lease.total_seconds() - self.handover
            return True
        if self._tenants.pop(tenant, None) is not None:
            log.warning("outbox: tenant %s taken over by another sender", tenant)
        return False

    def _holds(self, tenant: str) -> bool:
        return asyncio.get_running_loop().time() < self._tenants.get(tenant, float("-inf"))

    async def _let_tenants_go(self) -> None:
        """Let go of the tenants this sender has no chat in hand for. Another sender may take one
        once this one's last send has left the tenant's windows (`handover`)."""
        idle = [tenant for tenant in self._tenants if not self._in_hand[tenant]]
        for tenant in idle:
            del self._tenants[tenant]
            self._in_hand.pop(tenant, None)
            await leases.release(self.services.db, TENANT_LEASE + tenant, self.worker_id,
                                 linger_until=self.services.wall_clock() + timedelta(seconds=self.handover))

    def _let_go(self, rows: list[OutboxMessage]) -> None:
        for row in rows:
            self._held.pop(row.id, None)

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        except TimeoutError:
            pass

    @staticmethod
    def _log_failure(task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            # The rows stay claimed; they are tried again when the lease runs out.
            log.error("outbox send failed: %s", type(exc).__name__, exc_info=(type(exc), exc, exc.__traceback__))

    async def _dispatch(self, rows: list[OutboxMessage], now: Callable[[], datetime],
                        report: DeliveryReport) -> list[asyncio.Task]:
        groups: dict[tuple, list[OutboxMessage]] = {}
        for row in rows:
            groups.setdefault(outbox.target_key(row), []).append(row)
        targets = await outbox.resolve_targets(self.services.db, rows)
        tenants = {tenant_key(t.tenant_id) for t in targets.values() if not isinstance(t, str)}
        # Renewed by the heartbeat while held; taken (or found taken) here.
        elsewhere = {tenant for tenant in sorted(tenants)
                     if not (self._holds(tenant) or await self._hold_tenant(tenant))}
        back: list[OutboxMessage] = []
        tasks = []
        for key, group in groups.items():
            target = targets[key]
            if target == "not installed" and key[0] == "person" and any(r.kind in self.bulk_kinds for r in group):
                target = await self._install(key[1], group, now)
                if target is None:  # Graph asked us to wait: the rows were handed back until then
                    continue
                if not isinstance(target, str) and not self._holds(tenant_key(target.tenant_id)) \
                        and not await self._hold_tenant(tenant_key(target.tenant_id)):
                    elsewhere.add(tenant_key(target.tenant_id))
            if isinstance(target, str):
                await self._give_up(group, target, report, now)
                continue
            tenant = tenant_key(target.tenant_id)
            if tenant in elsewhere:  # another sender has the tenant: leave the rows as they were, for it
                back += group
                continue
            good = []
            for row in group:
                try:
                    check_payload(row.payload)
                    good.append(row)
                except ValueError:
                    await self._give_up([row], "bad payload", report, now)
            if good:
                self._in_hand[tenant] += 1
                tasks.append(asyncio.create_task(self._send(target, good, now, report)))
        if back:
            log.info("outbox: %d row(s) left for the sender of tenant(s) %s", len(back), sorted(elsewhere))
            await outbox.release(self.services.db, _ids(back), worker=self.worker_id, next_attempt_at=None)
            self._let_go(back)
        return tasks

    async def _install(self, person_id: int, rows: list[OutboxMessage], now: Callable[[], datetime]
                       ) -> outbox.Target | str | None:
        """A broadcast to someone with no chat with the bot: install the app for them through Graph
        (bot/graph.py) and send to the chat that gives. "not installed" when Graph is not configured,
        they have no object id, or Graph refuses; None when Graph throttled (the rows wait until its
        Retry-After)."""
        graph = self.services.graph
        if graph is None:
            return "not installed"
        aad = await broadcasts.aad_object_id_of(self.services.db, person_id)
        if not aad:
            return "not installed"
        loop = asyncio.get_running_loop()
        # After a 429, no install is tried until its Retry-After has passed (Graph throttles the app).
        wait = self._graph_paused_until - loop.time()
        result = None if wait > 0 else await graph.install(aad, self.services.wall_clock)
        if result is None or result.retry_after is not None:
            if result is not None:
                wait = result.retry_after
                self._graph_paused_until = loop.time() + wait
                log.info("Graph throttled an install: installs wait %.1f s", wait)
            await outbox.release(self.services.db, _ids(rows), worker=self.worker_id,
                                 next_attempt_at=now() + timedelta(seconds=wait))
            self._let_go(rows)
            return None
        if result.chat_id is None:
            return result.reason or "not installed"
        where = await broadcasts.record_installed_chat(self.services.db, person_id, aad, result.chat_id, now())
        if where is None:
            return "not installed"
        return outbox.Target(where[0], result.chat_id, where[1])

    # -- one chat's messages -----------------------------------------------------------------
    async def _send(self, target: outbox.Target, rows: list[OutboxMessage], now: Callable[[], datetime],
                    report: DeliveryReport) -> None:
        try:
            await self._send_all(target, rows, now, report)
        finally:
            self._let_go(rows)  # settled, or failed: no longer renewed
            self._in_hand[tenant_key(target.tenant_id)] -= 1

    async def _send_all(self, target: outbox.Target, rows: list[OutboxMessage], now: Callable[[], datetime],
                        report: DeliveryReport) -> None:
        messages = [(self._signed(activity), indexes)
                    for activity, indexes in digest_activities([row.payload for row in rows])]
        for position, (activity, indexes) in enumerate(messages):
            batch = [rows[i] for i in indexes]
            later = [rows[i] for _, more in messages[position + 1:] for i in more]
            wait = await self._slot(target)
            if wait is not None:  # not now: hand the rows back for when the slot comes
                await outbox.release(self.services.db, _ids(batch + later), worker=self.worker_id,
                                     next_attempt_at=now() + timedelta(seconds=wait))
                return
            if target.tenant_id:  # a chat stored before its tenant was known: Teams takes it from the chat
                activity = {**activity, "channelData": {"tenant": {"id": target.tenant_id}}}
            # A message that changes one already sent (a broadcast's correction or withdrawal) is its
            # own: "replaces" updates that activity in place, "withdraws" deletes it.
            change = batch[0].payload if len(batch) == 1 else {}
            replaces, withdraws = change.get("replaces"), change.get("withdraws")
            try:
                if withdraws:
                    response = await self.services.connector.delete_activity(
                        target.service_url, target.conversation_id, str(withdraws))
                elif replaces:
                    response = await self.services.connector.update_activity(
                        target.service_url, target.conversation_id, str(replaces), {**activity, "id": str(replaces)})
                else:
                    response = await self.services.connector.send_to_conversation(
                        target.service_url, target.conversation_id, activity)
            except ConnectorError as exc:
                await self._retry(batch, later, f"no answer ({exc})"[:100], None, report, now)
                return
            if (replaces or withdraws) and response.ok:
                response = ConnectorResponse(response.status, {"id": str(replaces or withdraws)},
                                             response.retry_after_header, response.sub_code)
            elif (replaces or withdraws) and response.status == 404:
                # The message is gone already (deleted by the person, or withdrawn before): not the chat.
                report.undeliverable["message not found (404)"] += await outbox.mark_undeliverable(
                    self.services.db, _ids(batch), worker=self.worker_id, reason="message not found (404)",
                    error="404", attempted=True)
                continue
            if not await self._settle(target, batch, later, response, report, now):
                return

    async def _slot(self, target: outbox.Target) -> float | None:
        """Wait for this chat's turn to send; None when it is time, else the seconds until a
        turn (too far off to hold the claim that long, or the sender is stopping)."""
        if self._stopping.is_set():
            return 0.0
        wait = await self.pacer.turn(target.tenant_id, target.conversation_id, max_wait=self.max_slot_wait)
        if wait is None and not self._holds(tenant_key(target.tenant_id)):
            # The tenant's lease may have run out (renewals failed): another sender may have it.
            log.warning("outbox: no lease on tenant %s: rows handed back", target.tenant_id)
            return 0.0
        return wait

    async def _settle(self, target: outbox.Target, batch: list[OutboxMessage], later: list[OutboxMessage],
                      response: ConnectorResponse, report: DeliveryReport, now: Callable[[], datetime]) -> bool:
        """Record one answer; False when the chat's later messages must not be sent now."""
        status = response.status
        if response.ok:
            activity_id = (response.body or {}).get("id")
            await outbox.mark_sent(self.services.db, _ids(batch), activity_id=activity_id, now=now())
            report.messages += 1
            report.rows += len(batch)
            report.digests += len(batch) > 1
            log.debug("outbox rows %s sent as %s", _ids(batch), activity_id)
            return True
        if status in (403, 404):
            # Teams' word that the bot cannot write to this chat: give up its messages and mark it.
            if status == 403:
                reason = "blocked or uninstalled (403" + (f" {response.sub_code[:40]}" if response.sub_code else "") + ")"
            else:
                reason = "conversation not found (404)"
            log.warning("outbox rows %s: chat unreachable (%s)", _ids(batch), status)
            report.undeliverable[reason] += await outbox.mark_undeliverable(
                self.services.db, _ids(batch), worker=self.worker_id, reason=reason, error=str(status),
                attempted=True, unreachable_chat=target.conversation_id, now=now())
            if later:
                await self._give_up(later, reason, report, now)
            return False
        if 400 <= status < 500 and status not in RETRYABLE:
            reason = f"rejected ({status})"
            log.warning("outbox rows %s: %s", _ids(batch), reason)
            report.undeliverable[reason] += await outbox.mark_undeliverable(
                self.services.db, _ids(batch), worker=self.worker_id, reason=reason, error=str(status),
                attempted=True)
            return True
        await self._retry(batch, later, str(status), response.retry_after_header, report, now)
        return False

    async def _retry(self, batch: list[OutboxMessage], later: list[OutboxMessage], error: str,
                     retry_after_header: str | None, report: DeliveryReport, now: Callable[[], datetime]) -> None:
        attempt = max(row.attempts for row in batch) + 1
        retry_after = None
        if retry_after_header is not None:
            # A date is the server's wall clock, so it is read against ours, not the logical `now`.
            asked = parse_retry_after(retry_after_header, self.services.wall_clock(), cap=float("inf"))
            shown = repr(retry_after_header.strip(" \t")[:40])
            if asked is None:
                error += f", Retry-After {shown} unreadable: own back-off"
            else:
                retry_after = min(asked, self.retry_after_cap)
                error += f", Retry-After {shown}: wait {_seconds(retry_after)}" + (
                    f" (asked {_seconds(asked)}, capped)" if asked > self.retry_after_cap else "")
        delay = retry_delay(attempt, retry_after, base=self.retry_base, cap=self.retry_cap, rng=self._rng)
        at = now() + timedelta(seconds=delay)
        log.info("outbox rows %s: %s, attempt %d, next in %.1f s", _ids(batch), error, attempt, delay)
        retrying, exhausted = await outbox.mark_retry(self.services.db, _ids(batch), worker=self.worker_id,
                                                      error=error, next_attempt_at=at, budget=self.retry_budget,
                                                      max_attempts=self.max_attempts)
        report.retried += retrying
        if exhausted:
            report.undeliverable["retries exhausted"] += exhausted
        if later:  # not tried: wait with the failed message, in order
            await outbox.release(self.services.db, _ids(later), worker=self.worker_id, next_attempt_at=at)

    async def _give_up(self, rows: list[OutboxMessage], reason: str, report: DeliveryReport,
                       now: Callable[[], datetime]) -> None:
        log.info("outbox rows %s undeliverable: %s", _ids(rows), reason)
        report.undeliverable[reason] += await outbox.mark_undeliverable(
            self.services.db, _ids(rows), worker=self.worker_id, reason=reason, now=now())
        self._let_go(rows)


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 10 else f"{value:.0f} s"


def _ids(rows: list[OutboxMessage]) -> list[int]:
    return [row.id for row in rows]
