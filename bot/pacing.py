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
