"""Send turns within Teams' limits: the Pacer hands each message its turn at the first moment the
rate limiter (bot/ratelimit.py) allows for its chat, in the order asked. Up to the sender's
`concurrency` messages wait and are in flight at once, so network latency does not cost
throughput; a turn is recorded when its sender actually starts, so lateness costs only itself."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.ratelimit import EPSILON, RateLimiter

log = logging.getLogger(__name__)

# How far behind its plan a turn may go and still count as on time: the limiter's 1.5% margin
# absorbs it (a 1-s window holds 15 ms of slack), so the pace holds through the loop's usual
# wake-up delay; lateness beyond it delays the turns after, so it never squeezes them.
LATE_TURN = 0.005
ARRIVED, STARTED = "arrived", "started"  # what the pacer is told: a request came, a turn was taken


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
        self._fresh: list[_Turn] = []  # asked since the pacer last looked at every request
        # What the pacer was told since it last looked: a request arrived, a turn started. It waits
        # on one plain future and a timer (no task per wait), so a turn goes out as few loop
        # iterations after its moment as can be.
        self._signals: set[str] = set()
        self._waiter: tuple[str, asyncio.Future] | None = None
        self._task: asyncio.Task | None = None

    async def turn(self, tenant: str, chat: str, *, max_wait: float) -> float | None:
        """None when it is this request's turn (send at once); else seconds until one (more
        than `max_wait`, or 0.0 when the pacer was stopped)."""
        loop = asyncio.get_running_loop()
        turn = _Turn(tenant, chat, max_wait, loop.create_future())
        self._queue.append(turn)
        self._fresh.append(turn)
        self._signal(ARRIVED)
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
                self._signal(STARTED)

    def stop(self) -> None:
        for turn in self._queue:
            if not turn.answer.done():
                turn.answer.set_result(0.0)
        self._queue.clear()

    def _sooner(self, turn: _Turn, now: float, planned: float) -> bool:
        wait = self.limiter.earliest(turn.tenant, turn.chat, now)
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
                # Plan the next turn from when this one really starts (it records itself).
                if not await self._signalled(STARTED, loop.time() + 1.0):
                    log.warning("outbox pacer: a sender took its turn more than a second late")
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
