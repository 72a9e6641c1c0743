"""The outbox sender: proactive delivery that neither loses nor repeats a notice, within Teams' limits.

How a notice goes out (this module is the loop; each concern is its own module):
1. Claim: due rows are claimed in the database, all of a chat's due rows together, and held by
   a heartbeat while this sender lives (bot/claims.py, storage/outbox/claims.py). One sender at
   a time sends to a Teams tenant, holding its lease (bot/claims.py).
2. Resolve: the row's chat (its conversation id, else the person's reachable personal chat).
   Person left: undeliverable "left". No chat: the capabilities' reach hooks are asked
   (capabilities/reach.py: broadcasts install the app through Graph); else "not installed".
3. Digest: a chat's rows go as one message (dialogs/digest.py).
4. Pace: each message waits for its turn from the Pacer (bot/pacing.py), which keeps to the rate
   limiter (bot/ratelimit.py); up to `concurrency` messages wait and are in flight at once.
5. Record: a sent message's rows are marked sent with its activity id straight away; messages
   answered while a mark is being written go together in the next write (bot/marks.py). A mark
   the database cannot take (it is unavailable: storage/unavailable.py) is held and written again
   for up to QA_DATABASE_WAIT_SECONDS, and nothing new is claimed meanwhile, so a message Teams
   accepted is not sent again because its mark failed. Only a message in flight (or its mark)
   when the process is killed can go twice.
6. Failures: retried or given up as bot/retries.py says.
7. Stopping (`stop`, on SIGTERM: bot/app.py, bot/tick.py): nothing more is claimed; messages
   waiting for their turn hand their rows back at once; messages in flight have the grace
   (QA_SHUTDOWN_GRACE_SECONDS, 10 s) to be answered and recorded, then the calls still out are
   cut off and their rows handed back, due as before; the tenants' leases are let go. Another
   sender takes the rows at once and the tenant after its hand-over (2 s). Only a message cut off
   in flight can go twice.

Time: `deliver_due(now)` decides due-ness by a logical clock that starts at `now` and runs
with real time, so `tick --now` works on any date; claims and tenant leases use real time
(services.wall_clock), which every process agrees on.

After a crash: `deliver_due` (so `tick`) also waits, at most one claim (or tenant lease) and one
beat (and never beyond `wait_retries`), for claims and tenant leases other senders hold to lapse,
and takes over those that do: a dead sender's. Claims still held when it returns are renewed, so
a live sender has them; the report names them (`held`). It also does not return while a row it
handed back waits for a retry that falls due within `wait_retries` of the failure, however long
the delivery has run by then. With `ride_out` (tick), a database that is unavailable mid-delivery
is waited for, up to that long, instead of ending the delivery.

Settings: QA_OUTBOX_HEARTBEAT_SECONDS (default 2) is the beat; a claim lasts three beats.
QA_OUTBOX_LEASE_SECONDS (default 120) is the longest one claim is kept alive, renewals included
(a send that never returns lets its rows go after it), and half of it the longest a claimed
message waits for its turn. On SQLite one process sends (one machine); the tenant lease works
there just the same.
"""
from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from bot import metrics
from bot.card_signing import CardSigner
from bot.claims import Claims
from bot.clock import Clock
from bot.connector import BotConnector, ConnectorError, ConnectorResponse, on_written
from bot.marks import SentMarks
from bot.pacing import Pacer
from bot.ratelimit import RETRY_AFTER_CAP, RETRY_BASE, RETRY_CAP, TEAMS_LIMITS, Limits, RateLimiter
from bot.retries import RETRYABLE, Retries
from bot.settings import Settings
from capabilities.catalogue import registry
from capabilities.reach import Reach
from dialogs.digest import digest_activities
from dialogs.payload import check_payload
from storage import outbox
from storage.conversations import tenant_key
from storage.db import Database
from storage.models import OutboxMessage
from storage.unavailable import ride_out as riding_out

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 5.0  # run_forever: rows written by other processes are noticed this soon
# Stopping: after the grace, how long the chats in hand have to record their answers and hand their
# rows back (a write each) before they are cancelled.
HAND_BACK_SECONDS = 3.0


class Services(Protocol):
    """What the sender uses of bot.services.Services (which builds it: DeliverNow)."""

    settings: Settings
    db: Database
    connector: BotConnector
    clock: Clock
    wall_clock: Clock
    instance_id: str
    sender: Any  # the app's running sender (a Wakeable), if any

    @property
    def signer(self) -> CardSigner: ...

    @property
    def reach(self) -> tuple[Reach, ...]: ...


@dataclass
class DeliveryReport:
    messages: int = 0  # activities Teams accepted
    digests: int = 0  # of those, messages carrying more than one notice
    rows: int = 0  # notices delivered
    retried: int = 0  # failed attempts scheduled to be tried again
    undeliverable: Counter = field(default_factory=Counter)  # reason -> rows
    pending: int = 0  # notices due by the end that are not yet sent or given up
    stopped: bool = False  # the sender was stopped (SIGTERM) before it had delivered everything due
    cut_off: int = 0  # notices in flight when the shutdown grace ran out: handed back, may have reached Teams
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
        if self.stopped:
            text += "; stopped before the end: the rest is left for the next sender"
            if self.cut_off:
                text += f" ({self.cut_off} cut off in flight and handed back)"
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
        self.claims = Claims(services.db, self.worker_id, services.wall_clock, limits=limits, lease=lease,
                             heartbeat=beat)
        self.lease, self.claim, self.beat = self.claims.lease, self.claims.claim, self.claims.beat
        self.handover, self.tenant_lease = self.claims.handover, self.claims.tenant_lease
        # A message waits for its slot at most this long while claimed; further off, it is
        # handed back with its next attempt at the slot.
        self.max_slot_wait = lease / 2
        # Transient failures are retried until this long after a row's first attempt (QA_OUTBOX_RETRY_HOURS).
        self.retries = Retries(timedelta(hours=retry_budget if retry_budget is not None
                                         else services.settings.outbox_retry_hours),
                               max_attempts, retry_base, retry_cap, retry_after_cap, rng or random.Random())
        # Lanes (capabilities.registry.OutboxKind.lane): urgent kinds are claimed first, bulk kinds
        # (broadcasts) take turns with the rest, so they share the tenant's budget fairly.
        kinds = registry().kinds.values()
        self.urgent_kinds = frozenset(k for k in kinds if k.lane == "urgent")
        self.bulk_kinds = frozenset(k for k in kinds if k.lane == "bulk")
        # A sent mark the database cannot take now is held and written again (QA_DATABASE_WAIT_SECONDS).
        self._sent = SentMarks(services.db, wait=services.settings.database_wait_seconds)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        # Stopping: when the grace for the calls in flight ends (loop time), and those calls, which
        # are cut off then (`_post`).
        self._deadline: float | None = None
        self._posts: set[asyncio.Task] = set()  # the tasks with a call out
        self._cut_tasks: set[asyncio.Task] = set()  # of those, the ones cut off
        self._cut = False
        # deliver_due: how long a retry may be waited for, and the latest retry this sender scheduled
        # within that wait (logical time): it does not return before then.
        self._wait: float | None = None
        self._retry_by: datetime | None = None

    def _signed(self, activity: dict) -> dict:
        """The activity with its cards' buttons signed (bot/card_signing.py)."""
        signer = self.services.signer
        return {**activity, "attachments": [
            {**a, "content": signer.sign(a["content"])} if isinstance(a.get("content"), dict) else a
            for a in activity.get("attachments") or []]}

    # -- public ------------------------------------------------------------------------------
    async def deliver_due(self, now: datetime, *, wait_retries: float = 30.0,
                          ride_out: float = 0.0) -> DeliveryReport:
        """Deliver every row due by `now` (a logical time that runs on with real time); keep
        going while a retry or an expired claim comes due within `wait_retries` real seconds, and
        while a row this sender handed back waits for a retry due within `wait_retries` of its failure.
        While the database is unavailable, keep trying for up to `ride_out` seconds (tick: a
        fail-over or restart mid-delivery) before raising; what was sent meanwhile is recorded
        first (bot/marks.py)."""
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
        self._wait, self._retry_by = wait, None
        try:
            await riding_out(lambda: self._deliver(logical, report, until=now + timedelta(seconds=wait),
                                                   lapse_by=lapse_by),
                             wait=ride_out, what="outbox delivery")
        finally:
            self._wait = self._retry_by = None
            report.stopped = self._stopping.is_set()
            metrics.of(self.services).delivered(report)

        async def tally() -> None:
            report.pending = await outbox.count_open(self.services.db, due_by=logical())
            report.held = await outbox.held_by_others(self.services.db, worker=self.worker_id,
                                                      wall_now=self.services.wall_clock())
            report.tenants_elsewhere = {tenant: holder for tenant, (holder, _) in
                                        (await self.claims.other_tenants()).items()}

        await riding_out(tally, wait=ride_out, what="outbox delivery report")
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
                if self._stopping.is_set():
                    report.stopped = True
                    if report.messages or report.cut_off:
                        log.info("outbox delivery: %s", report.describe())
                    break
                others = await self.claims.other_tenants()
                attempt, lease_end = await outbox.next_wake(self.services.db, worker=self.worker_id,
                                                            skip_tenants=others)
                # Another sender's tenant: look again when its lease would run out.
                for moment in (attempt, lease_end, *(end for _, end in others.values())):
                    if moment is not None:
                        timeout = min(timeout, (moment - clock()).total_seconds())
            except Exception as exc:  # noqa: BLE001 - e.g. the database is down: try again shortly
                log.error("outbox sender: %s", type(exc).__name__, exc_info=(type(exc), exc, exc.__traceback__))
            metrics.of(self.services).delivered(report)
            if report.messages or report.undeliverable or report.retried:
                log.info("outbox delivery: %s", report.describe())
            await self._pause(max(timeout, 0.05))  # never a busy loop, whatever the database says

    def wake(self) -> None:
        """Something was just enqueued: look now rather than at the next poll."""
        self._wake.set()

    def stop(self, grace: float | None = None) -> None:
        """Stop sending (a shutdown: SIGTERM). Nothing more is claimed, messages waiting for their
        turn hand their rows back at once, and messages in flight have `grace` seconds (default
        QA_SHUTDOWN_GRACE_SECONDS) to be answered and recorded; then the calls still out are cut
        off and their rows handed back, due as before. Returns at once: the running delivery
        (deliver_due, run_forever) returns when that is done, having let its tenants go."""
        grace = self.services.settings.shutdown_grace_seconds if grace is None else max(grace, 0.0)
        self._stopping.set()
        self._wake.set()
        self.pacer.stop()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on a loop: nothing is in flight
            return
        deadline = loop.time() + grace
        if self._deadline is None or deadline < self._deadline:
            self._deadline = deadline
            loop.call_at(deadline, self._cut_off)

    def _cut_off(self) -> None:
        """The grace is over: cut off the calls still out (their senders hand the rows back)."""
        self._cut = True
        for task in list(self._posts):
            self._cut_tasks.add(task)
            task.cancel()

    async def _post(self, call: Coroutine[Any, Any, ConnectorResponse]) -> ConnectorResponse | None:
        """The connector's answer to `call`, or None when a shutdown's grace ran out first (the
        message may or may not have reached Teams: no one can know). The call runs in this task,
        so the request is written in the same step of the loop as the turn that let it go: no
        other task runs between the pacer's count and Teams'."""
        if self._cut:
            call.close()
            return None
        task = asyncio.current_task()
        assert task is not None
        self._posts.add(task)
        try:
            return await call
        except asyncio.CancelledError:
            # Cut off (and not also cancelled otherwise): this send ends here, its rows handed back.
            if task in self._cut_tasks and task.uncancel() == 0:
                return None
            raise
        finally:
            self._posts.discard(task)
            self._cut_tasks.discard(task)

    # -- the loop ----------------------------------------------------------------------------
    async def _deliver(self, now: Callable[[], datetime], report: DeliveryReport, *, until: datetime | None,
                       lapse_by: datetime | None = None) -> None:
        """Claim and send until nothing is claimable and nothing is in hand. With `until`, also
        wait for retries that come due by then (logical), and for other senders' claims that
        lapse by `lapse_by` (wall clock)."""
        tasks: set[asyncio.Task] = set()
        heartbeat = asyncio.create_task(self.claims.heartbeat(), name="outbox-heartbeat")
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                room = self.concurrency - len(tasks)
                if self._sent.holding:  # a sent mark waits for the database: its rows must not be claimed again
                    await self._sent.written()
                if room >= max(1, self.concurrency // 4) or not tasks:
                    others = await self.claims.other_tenants()
                    if self._stopping.is_set():
                        break
                    rows = await outbox.claim(self.services.db, worker=self.worker_id, now=now(),
                                              wall_now=self.services.wall_clock(), lease=self.claim, max_targets=room,
                                              skip_tenants=others, bulk_kinds=self.bulk_kinds,
                                              urgent_kinds=self.urgent_kinds)
                    if not rows:
                        await self.claims.let_tenants_go()  # nothing more for them: another may take over
                    if rows:
                        self.claims.took(rows)
                        try:
                            tasks.update(await self._dispatch(rows, now, report))
                        except BaseException:
                            self.claims.let_go(rows)  # unsettled: they lapse within one claim
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
                await self._finish(tasks)
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
            try:
                await self.claims.let_tenants_go()
            except Exception as exc:  # noqa: BLE001 - e.g. the database is down: the leases run out
                log.error("outbox tenant leases: %s", type(exc).__name__)

    async def _finish(self, tasks: set[asyncio.Task]) -> None:
        """Wait for the chats in hand to finish. Stopping, at most until the grace is over and
        HAND_BACK_SECONDS more (their rows' marks and hand-backs); a chat still busy then is cancelled,
        and its rows' claims, no longer renewed, lapse within a claim."""
        loop = asyncio.get_running_loop()
        pending = set(tasks)
        while pending:
            timeout = None if self._deadline is None else max(self._deadline + HAND_BACK_SECONDS - loop.time(), 0.0)
            done, pending = await asyncio.wait(pending, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                self._log_failure(task)
            if not done and timeout is not None:  # past the grace and the hand-back: give up on them
                log.warning("outbox: %d chat(s) still busy past the shutdown grace: cancelled", len(pending))
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                return

    async def _until_next(self, now: Callable[[], datetime], until: datetime, lapse_by: datetime | None) -> float | None:
        """Seconds until a waiting row's next attempt (if by `until`, or by the latest retry this
        sender scheduled within its wait), or another sender's claim runs out (if by `lapse_by`);
        None when neither comes by then."""
        others = await self.claims.other_tenants()
        attempt, lease_end = await outbox.next_wake(self.services.db, worker=self.worker_id, skip_tenants=others)
        if self._retry_by is not None:
            until = max(until, self._retry_by)
        waits = []
        if attempt is not None and attempt <= until:
            waits.append((attempt - now()).total_seconds())
        # Another sender's claims, or its tenants' leases, that run out by then: it may be dead.
        for end in (lease_end, *(end for _, end in others.values())):
            if end is not None and lapse_by is not None and end <= lapse_by:
                waits.append((end - self.services.wall_clock()).total_seconds() + 0.001)
        return max(min(waits), 0.0) if waits else None

    def _comes_back(self, at: datetime, delay: float) -> None:
        """Rows this sender handed back are tried again at `at` (logical), `delay` s from now:
        deliver_due waits for them when that is within its wait."""
        if self._wait is not None and delay <= self._wait and (self._retry_by is None or at > self._retry_by):
            self._retry_by = at

    async def _hand_back(self, rows: list[OutboxMessage], now: Callable[[], datetime], delay: float | None) -> None:
        """Release claimed rows unsent: due again in `delay` seconds, or (None) when they were due."""
        at = None if delay is None else now() + timedelta(seconds=delay)
        await outbox.release(self.services.db, _ids(rows), worker=self.worker_id, next_attempt_at=at)
        if at is not None:
            self._comes_back(at, delay)

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
        elsewhere = {tenant for tenant in sorted(tenants) if not await self.claims.ensure_tenant(tenant)}
        back: list[OutboxMessage] = []
        tasks = []
        for key, group in groups.items():
            target = targets[key]
            if target == "not installed" and key[0] == "person":
                target = await self._reach(key[1], group, now)
                if target is None:  # asked to wait: the rows were handed back until then
                    continue
                if not isinstance(target, str) and not await self.claims.ensure_tenant(tenant_key(target.tenant_id)):
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
                self.claims.in_hand[tenant] += 1
                tasks.append(asyncio.create_task(self._send(target, good, now, report)))
        if back:
            log.info("outbox: %d row(s) left for the sender of tenant(s) %s", len(back), sorted(elsewhere))
            await self._hand_back(back, now, None)
            self.claims.let_go(back)
        return tasks

    async def _reach(self, person_id: int, rows: list[OutboxMessage], now: Callable[[], datetime]
                     ) -> outbox.Target | str | None:
        """Someone with no chat with the bot: the first capability hook that deals with their rows
        (capabilities/reach.py) says where to send, why not, or how long to wait (None: the rows
        were handed back until then). "not installed" when none does."""
        kinds = frozenset(row.kind for row in rows)
        for hook in self.services.reach:
            reached = await hook(self.services.db, person_id, kinds, now=now(), wall_clock=self.services.wall_clock)
            if reached is None:
                continue
            if reached.retry_after is not None:
                await self._hand_back(rows, now, reached.retry_after)
                self.claims.let_go(rows)
                return None
            return reached.target or reached.reason
        return "not installed"

    # -- one chat's messages -----------------------------------------------------------------
    async def _send(self, target: outbox.Target, rows: list[OutboxMessage], now: Callable[[], datetime],
                    report: DeliveryReport) -> None:
        try:
            await self._send_all(target, rows, now, report)
        finally:
            self.claims.let_go(rows)  # settled, or failed: no longer renewed
            self.claims.in_hand[tenant_key(target.tenant_id)] -= 1

    async def _send_all(self, target: outbox.Target, rows: list[OutboxMessage], now: Callable[[], datetime],
                        report: DeliveryReport) -> None:
        messages = [(self._signed(activity), indexes)
                    for activity, indexes in digest_activities([row.payload for row in rows])]
        for position, (activity, indexes) in enumerate(messages):
            batch = [rows[i] for i in indexes]
            later = [rows[i] for _, more in messages[position + 1:] for i in more]
            wait = await self._slot(target)
            if wait is not None:  # not now: hand the rows back for when the slot comes
                # (stopping: due as they were, for the next sender, whatever the logical clock says)
                await self._hand_back(batch + later, now, None if self._stopping.is_set() else wait)
                return
            if target.tenant_id:  # a chat stored before its tenant was known: Teams takes it from the chat
                activity = {**activity, "channelData": {"tenant": {"id": target.tenant_id}}}
            # A message that changes one already sent (a broadcast's correction or withdrawal) is its
            # own: "replaces" updates that activity in place, "withdraws" deletes it.
            change = batch[0].payload if len(batch) == 1 else {}
            replaces, withdraws = change.get("replaces"), change.get("withdraws")
            connector = self.services.connector
            tenant, chat = target.tenant_id, target.conversation_id
            # The pacer counts the turn as the request is written, and gives no other till then.
            written = on_written.set(partial(self.pacer.started, tenant, chat))
            try:
                try:
                    if withdraws:
                        answer = await self._post(connector.delete_activity(
                            target.service_url, target.conversation_id, str(withdraws)))
                    elif replaces:
                        answer = await self._post(connector.update_activity(
                            target.service_url, target.conversation_id, str(replaces),
                            {**activity, "id": str(replaces)}))
                    else:
                        answer = await self._post(connector.send_to_conversation(
                            target.service_url, target.conversation_id, activity))
                finally:
                    on_written.reset(written)
                    self.pacer.started(tenant, chat)  # never written (refused, cut off): counted now
            except ConnectorError as exc:
                metrics.of(self.services).send_answered(None)
                await self._retry(batch, later, f"no answer ({exc})"[:100], None, report, now)
                return
            if answer is None:  # cut off by a shutdown: due again as before, for the next sender
                log.warning("outbox rows %s: send cut off by the shutdown, handed back", _ids(batch))
                report.cut_off += len(batch)
                await self._hand_back(batch + later, now, None)
                return
            response = answer
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
        if wait is None and not self.claims.holds(tenant_key(target.tenant_id)):
            # The tenant's lease may have run out (renewals failed): another sender may have it.
            log.warning("outbox: no lease on tenant %s: rows handed back", target.tenant_id)
            self.pacer.started(target.tenant_id, target.conversation_id)  # the turn goes unused
            return 0.0
        return wait

    async def _settle(self, target: outbox.Target, batch: list[OutboxMessage], later: list[OutboxMessage],
                      response: ConnectorResponse, report: DeliveryReport, now: Callable[[], datetime]) -> bool:
        """Record one answer; False when the chat's later messages must not be sent now."""
        status = response.status
        metrics.of(self.services).send_answered(status)
        if response.ok:
            activity_id = (response.body or {}).get("id")
            await self._sent.record(outbox.Sent(tuple(_ids(batch)), activity_id, now()))
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
        retry = self.retries.next(attempt, error, retry_after_header, self.services.wall_clock())
        at = now() + timedelta(seconds=retry.delay)
        log.info("outbox rows %s: %s, attempt %d, next in %.1f s", _ids(batch), retry.error, attempt, retry.delay)
        retrying, exhausted = await outbox.mark_retry(self.services.db, _ids(batch), worker=self.worker_id,
                                                      error=retry.error, next_attempt_at=at,
                                                      budget=self.retries.budget, attempted_at=now(),
                                                      max_attempts=self.retries.max_attempts)
        report.retried += retrying
        if retrying:
            self._comes_back(at, retry.delay)
        if exhausted:
            report.undeliverable["retries exhausted"] += exhausted
        if later:  # not tried: wait with the failed message, in order
            await outbox.release(self.services.db, _ids(later), worker=self.worker_id, next_attempt_at=at)

    async def _give_up(self, rows: list[OutboxMessage], reason: str, report: DeliveryReport,
                       now: Callable[[], datetime]) -> None:
        log.info("outbox rows %s undeliverable: %s", _ids(rows), reason)
        report.undeliverable[reason] += await outbox.mark_undeliverable(
            self.services.db, _ids(rows), worker=self.worker_id, reason=reason, now=now())
        self.claims.let_go(rows)


def _ids(rows: list[OutboxMessage]) -> list[int]:
    return [row.id for row in rows]


class DeliverNow:
    """The Deliver port (bot/services.py) for a press that wrote rows due now (safeguarding
    alerts): wakes the app's running sender when there is one (`services.sender`), else delivers
    them here with one sender built once for these services, one press at a time."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._sender: OutboxSender | None = None
        self._lock = asyncio.Lock()

    async def now(self) -> None:
        if self.services.sender is not None:
            self.services.sender.wake()
            return
        async with self._lock:
            if self._sender is None:
                self._sender = OutboxSender(self.services)
            await self._sender.deliver_due(self.services.clock(), wait_retries=0)
