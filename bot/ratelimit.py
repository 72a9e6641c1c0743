"""Teams' send limits as sliding windows, and the retry back-off. Pure: time is a parameter.

Teams allows (Microsoft Learn, "Optimize your bot: rate limiting"):
- per app, per tenant: 50 requests per second in all;
- per bot, per conversation: 7 per 1 s, 8 per 2 s, 60 per 30 s, 1,800 per hour.

`RateLimiter.earliest` says how long until one more request to a conversation keeps every
window of the tenant and of the conversation within its limit; `record` counts a request;
`reserve` does both at once, handing out a future slot, so many senders can each wait for
their own slot (pipelining) without overshooting. Slots may be handed out of order across
conversations: a conversation held back by its own windows does not hold back the tenant.

`now` is monotonic seconds (e.g. `loop.time()`). The limiter lives in one process: with
several instances on one database give each a share of the tenant limit.
"""
from __future__ import annotations

import random
from bisect import bisect_right, insort
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    limit: int  # at most this many requests ...
    period: float  # ... in any interval of this many seconds


@dataclass(frozen=True)
class Limits:
    tenant: tuple[Window, ...]
    conversation: tuple[Window, ...]
    # Every period is lengthened by this fraction. Teams counts requests when they arrive, and
    # the time from our send to their count varies by a few milliseconds, so a window that is
    # exactly full on our clock could look one over on theirs. 1.5% of a second is 15 ms of
    # slack (5 of them for our own timer's lateness, see bot/sender.LATE_TURN), and costs 1.5%
    # of the throughput: the tenant's ceiling becomes 49.26/s.
    margin: float = 0.0


TEAMS_LIMITS = Limits(
    # 50 per second, paced evenly (at most one per 20 ms, 20.3 with the margin): sent as a burst,
    # 50 requests queue at the far end and arrive spread by the queueing, which can squeeze 51
    # into one second there.
    tenant=(Window(50, 1.0), Window(1, 0.02)),
    conversation=(Window(7, 1.0), Window(8, 2.0), Window(60, 30.0), Window(1800, 3600.0)),
    margin=0.015,
)


EPSILON = 1e-9  # seconds: far below any clock's resolution, far above float rounding


class _Log:
    """The sorted send times of one tenant or one conversation."""

    __slots__ = ("times",)

    def __init__(self) -> None:
        self.times: list[float] = []

    def escape(self, t: float, limit: int, period: float) -> float:
        """`t` if one more request at `t` keeps every `period`-long interval at `limit` or
        fewer; else the earliest later time that could (nothing in between can)."""
        old = self.times
        if len(old) < limit:
            return t
        k = bisect_right(old, t)  # where t would go

        def at(j: int) -> float:  # the list with t inserted at k
            return old[j] if j < k else (t if j == k else old[j - 1])

        # Every run of limit+1 consecutive requests that includes t must span `period`. For a
        # run that does not, t must get past its first other request + period; take the latest
        # such bound. EPSILON: times built by repeated addition differ in the last bits.
        escape = t
        for i in range(max(0, k - limit), min(k, len(old) - limit) + 1):
            if at(i + limit) - at(i) < period - EPSILON:
                first_other = old[i] if i < k else old[k]
                escape = max(escape, first_other + period)
        return escape

    def prune(self, before: float) -> None:
        cut = bisect_right(self.times, before)
        if cut:
            del self.times[:cut]


class RateLimiter:
    def __init__(self, limits: Limits = TEAMS_LIMITS) -> None:
        self.limits = limits
        self._tenants: dict[str, _Log] = {}
        self._conversations: dict[tuple[str, str], _Log] = {}
        self._stretch = 1.0 + limits.margin
        self._horizon = max((w.period for w in limits.tenant + limits.conversation), default=0.0) * self._stretch
        self._last_prune = float("-inf")

    def reserve(self, tenant: str, conversation: str, now: float) -> float:
        """Record a send slot for one request to `conversation`; seconds from `now` until it."""
        delay = self.earliest(tenant, conversation, now)
        self.record(tenant, conversation, now + delay)
        return delay

    def earliest(self, tenant: str, conversation: str, now: float) -> float:
        """Seconds from `now` until one more request to `conversation` would be allowed (nothing recorded)."""
        self._prune(now)
        empty = _Log()
        tenant_log = self._tenants.get(tenant, empty)
        conversation_log = self._conversations.get((tenant, conversation), empty)
        checks = [(tenant_log, w) for w in self.limits.tenant] + [(conversation_log, w) for w in self.limits.conversation]
        t = now
        moved = True
        while moved:  # each step only moves t past times that cannot work, so this ends at the earliest
            moved = False
            for log, window in checks:
                later = log.escape(t, window.limit, window.period * self._stretch)
                if later > t:
                    t, moved = later, True
        return t - now

    def record(self, tenant: str, conversation: str, at: float) -> None:
        """Count a request at `at` (a time `earliest` allowed)."""
        insort(self._tenants.setdefault(tenant, _Log()).times, at)
        insort(self._conversations.setdefault((tenant, conversation), _Log()).times, at)

    def release(self, tenant: str, conversation: str, at: float) -> None:
        """Give back a slot from `reserve` that will not be used (now + the delay it returned)."""
        for log in (self._tenants.get(tenant), self._conversations.get((tenant, conversation))):
            if log is not None:
                i = bisect_right(log.times, at) - 1
                if i >= 0 and log.times[i] == at:
                    del log.times[i]

    def _prune(self, now: float) -> None:
        # Times older than the longest window can no longer matter; forget them (and empty
        # conversations) now and then so memory stays bounded on a long-running app.
        if now - self._last_prune < 1.0:
            return
        self._last_prune = now
        before = now - self._horizon
        for store in (self._tenants, self._conversations):
            for key in list(store):
                store[key].prune(before)
                if not store[key].times:
                    del store[key]


# -- retries ------------------------------------------------------------------------------
RETRY_BASE = 1.0  # seconds
RETRY_CAP = 300.0  # five minutes
# Attempts in all (the first send included) before a message is given up as "retries
# exhausted". With full jitter on 1 s doubling to a 5-minute cap, 12 attempts wait about
# 17 minutes on average: longer than Teams' throttling and most outages last, and longer than
# Company Communicator parked throttled messages (11 minutes).
MAX_ATTEMPTS = 12


def retry_delay(attempt: int, retry_after: float | None = None, *, base: float = RETRY_BASE,
                cap: float = RETRY_CAP, rng: random.Random | None = None) -> float:
    """Seconds to wait before retrying after the `attempt`-th failure (1 for the first).

    The server's Retry-After when it sent one (the rate limiter spreads the retries out);
    else capped exponential back-off with full jitter (uniform between 0 and the cap), so
    messages that failed together do not come back at one instant.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    if retry_after is not None:
        return max(retry_after, 0.0)
    return (rng or random).uniform(0.0, min(cap, base * 2 ** min(attempt - 1, 62)))
