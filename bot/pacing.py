"""Send turns within Teams' limits: the Pacer hands each message its turn at the first moment the
rate limiter (bot/ratelimit.py) allows for its chat, in the order asked, and no sooner than the
tenant's next slot on an even grid (one every `Limits.pace()`). Up to the sender's `concurrency`
messages wait and are in flight at once, so network latency does not cost throughput.

A turn is counted when its request has been written to the socket (the sender calls `started`,
from bot/connector.on_written), and no other turn is given until then, so the limiter's windows
hold on the times requests really went, whatever ran or waited for a core in between (the margin
is left for the network alone). A late turn does not move the grid: the turns after it go at
their slots, or as soon as the limiter allows while they make up the lateness (at most
`CATCH_UP` of it), so a late wake-up costs the rate only what the windows cannot give back, not
its whole lateness every time."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.ratelimit import EPSILON, RateLimiter

log = logging.getLogger(__name__)

# How far a tenant's turns may run behind their grid and still be made up (seconds). Further
# behind (a stall, or nothing to send for a while) the grid starts again from now: the rate lost
# is lost, so a long stall is never followed by a long run of turns at the limiter's closest.
CATCH_UP = 0.25
# How long the pacer waits for a turn's request to be written before counting it anyway and
# going on (a new connection's handshake comes first; a far end that does not answer it).
WRITTEN_WITHIN = 1.0
ARRIVED, STARTED = "arrived", "started"  # what the pacer is told: a turn was asked for, a request written


@dataclass
class _Turn:
    tenant: str
    chat: str
    max_wait: float
    answer: asyncio.Future  # None: go now; a float: the seconds until a turn, too far off to wait
    at: float = 0.0  # when the turn was due


class Pacer:
    """Hands out send turns in the order asked, each at the first moment the rate limiter
    allows for its chat and not before its tenant's next slot on the grid. One timer serves
    every waiting send and nothing is booked ahead; a turn is counted when its request has been
    written, and only then is the next one planned. So a late wake-up, of the pacer or of the
    sender, never squeezes the next request past a limit, and the grid lets the turns after it
    make up the lateness (up to `catch_up` seconds of it)."""

    def __init__(self, limiter: RateLimiter, *, catch_up: float = CATCH_UP) -> None:
        self.limiter = limiter
        self.catch_up = catch_up
        self._pace = limiter.limits.pace()
        self._grid: dict[str, float] = {}  # tenant -> its next slot (loop time)
        self._taken: _Turn | None = None  # the turn given whose request is not yet written
        self._queue: list[_Turn] = []
        self._fresh: list[_Turn] = []  # asked since the pacer last looked at every request
        # What the pacer was told since it last looked: a turn asked for, a request written. It waits
        # on one plain future and a timer (no task per wait), so a turn goes out as few loop
        # iterations after its moment as can be.
        self._signals: set[str] = set()
        self._waiter: tuple[str, asyncio.Future] | None = None
        self._task: asyncio.Task | None = None

    async def turn(self, tenant: str, chat: str, *, max_wait: float) -> float | None:
        """None when it is this request's turn: send at once, and call `started` as the request
        is written (bot/connector.on_written); no other turn is given until then. Else the
        seconds until a turn (more than `max_wait`, or 0.0 when the pacer was stopped)."""
        loop = asyncio.get_running_loop()
        turn = _Turn(tenant, chat, max_wait, loop.create_future())
        self._queue.append(turn)
        self._fresh.append(turn)
        self._signal(ARRIVED)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="outbox-pacer")
        try:
            return await turn.answer
        except BaseException:
            if turn.answer.done() and not turn.answer.cancelled() and turn.answer.result() is None:
                self.started(tenant, chat)  # its turn came, then its sender was cancelled: counted
            raise
        finally:
            if turn in self._queue:  # cancelled while waiting
                self._queue.remove(turn)

    def started(self, tenant: str, chat: str) -> None:
        """The request given the turn for (`tenant`, `chat`) has just been written: count it
        from now, and plan the next turn. Also to be called when it will not be sent after all
        (counting it costs a turn, never a limit). Nothing when that turn is counted already."""
        turn = self._taken
        if turn is None or (turn.tenant, turn.chat) != (tenant, chat):
            return
        self._taken = None
        self.limiter.record(tenant, chat, max(turn.at, asyncio.get_running_loop().time()))
        self._signal(STARTED)

    def stop(self) -> None:
        for turn in self._queue:
            if not turn.answer.done():
                turn.answer.set_result(0.0)
        self._queue.clear()

    def _earliest(self, turn: _Turn, now: float) -> float:
        """Seconds from `now` until `turn` may go: the limiter's word, and its tenant's slot."""
        wait = self.limiter.earliest(turn.tenant, turn.chat, now)
        slot = self._grid.get(turn.tenant)
        return wait if slot is None else max(wait, slot - now)

    def _took(self, tenant: str, at: float) -> None:
        """A turn of `tenant` went at `at`: its next slot is one pace on from this one's, or
        from `at` when the grid is more than `catch_up` behind (or the tenant was idle)."""
        slot = self._grid.get(tenant)
        if slot is None or slot < at - self.catch_up:
            slot = at
        self._grid[tenant] = slot + self._pace
        if len(self._grid) > 1000:  # tenants idle past catching up start again from their next turn
            self._grid = {t: s for t, s in self._grid.items() if s >= at - self.catch_up}

    def _sooner(self, turn: _Turn, now: float, planned: float) -> bool:
        wait = self._earliest(turn, now)
        return now + wait < planned or wait > turn.max_wait

    def _signal(self, what: str) -> None:
        self._signals.add(what)
        if self._waiter is not None and self._waiter[0] == what and not self._waiter[1].done():
            self._waiter[1].set_result(True)

    async def _signalled(self, what: str, at: float) -> bool:
        """Wait until `what` is signalled (True) or the loop's clock reaches `at` (False)."""
        if what in self._signals:
            return True
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._waiter = (what, waiter)
        timer = loop.call_at(at, _expire, waiter)
        try:
            return await waiter
        finally:
            timer.cancel()
            self._waiter = None

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
            self._signals.discard(ARRIVED)
            self._fresh.clear()
            at = loop.time()
            planned = None
            soonest = None
            for turn in list(self._queue):
                if turn.answer.done():
                    self._queue.remove(turn)
                    continue
                wait = self._earliest(turn, at)
                if wait <= EPSILON:
                    self._queue.remove(turn)
                    turn.at = at
                    self._took(turn.tenant, at)
                    self._taken = turn
                    self._signals.discard(STARTED)
                    turn.answer.set_result(None)
                    soonest = 0.0
                    break
                if wait > turn.max_wait:
                    self._queue.remove(turn)
                    turn.answer.set_result(wait)
                    continue
                soonest = wait if soonest is None else min(soonest, wait)
            if soonest == 0.0:
                # Plan the next turn once this one's request is written (counted then): the
                # windows hold on the times requests really went, whatever ran in between.
                taken = self._taken
                if not await self._signalled(STARTED, loop.time() + WRITTEN_WITHIN) and taken is not None:
                    log.warning("outbox pacer: a request was not written within %.0f s of its turn", WRITTEN_WITHIN)
                    self.started(taken.tenant, taken.chat)
                continue
            if soonest is None:
                continue
            planned = at + soonest
            while await self._signalled(ARRIVED, planned):
                # Only a request that might go before the plan (or must be told to come back
                # later) needs every request looked at again.
                self._signals.discard(ARRIVED)
                fresh, self._fresh = self._fresh, []
                now = loop.time()
                if any(self._sooner(turn, now, planned) for turn in fresh):
                    planned = None
                    break


def _expire(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_result(False)
