"""Teams' send limits as sliding windows, the retry back-off, and reading Retry-After. Pure: time
is a parameter.

Teams allows (Microsoft Learn, "Optimize your bot: rate limiting"):
- per app, per tenant: 50 requests per second in all;
- per bot, per conversation: 7 per 1 s, 8 per 2 s, 60 per 30 s, 1,800 per hour.

`RateLimiter.earliest` says how long until one more request to a conversation keeps every
window of the tenant and of the conversation within its limit; `record` counts a request;
`reserve` does both at once, handing out a future slot, so many senders can each wait for
their own slot (pipelining) without overshooting. Slots may be handed out of order across
conversations: a conversation held back by its own windows does not hold back the tenant.

`now` is monotonic seconds (e.g. `loop.time()`). The limiter lives in one process; with several
instances on one database, one sender at a time sends to a tenant (its lease, bot/sender.py), so
its limiter is the only one counting that tenant and its chats.
"""
from __future__ import annotations

import random
import re
from bisect import bisect_right, insort
from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass(frozen=True)
class Window:
    limit: int  # at most this many requests ...
    period: float  # ... in any interval of this many seconds


@dataclass(frozen=True)
class Limits:
    tenant: tuple[Window, ...]
    conversation: tuple[Window, ...]
    # Every period is lengthened by this fraction. Teams counts requests when they arrive, and
    # the time from our write to their count varies by a few milliseconds, so a window that is
    # exactly full on our clock could look one over on theirs. The pacer counts a request when
    # it has been written (bot/pacing.py), so the margin is slack for that time alone: 0.8% of a
    # second is 8 ms.
    margin: float = 0.0
    # The tenant's pace is this fraction slower again than its windows allow: a request is
    # written a few milliseconds after its turn, and without this the next window's turn would
    # wait those milliseconds again, every window, and the pace would drift back.
    slack: float = 0.0

    def pace(self) -> float:
        """Seconds between a tenant's turns at its sustained rate: the slowest of its windows'
        (period over limit), lengthened by the margin and the slack: for Teams' 50 per second,
        1.012 s / 50 = 20.24 ms, a ceiling of 49.41/s (98.8%)."""
        return max((w.period / w.limit for w in self.tenant), default=0.0) * (1.0 + self.margin + self.slack)


TEAMS_LIMITS = Limits(
    # 50 per second. The pacer spreads them evenly, one turn every `pace()` (bot/pacing.py); the
    # second window only bounds how close together turns may go while a late one is made up (at
    # most twice the pace): sent as a burst, 50 requests queue at the far end and arrive spread
    # by the queueing, which can squeeze 51 into one second there.
    tenant=(Window(50, 1.0), Window(1, 0.01)),
    conversation=(Window(7, 1.0), Window(8, 2.0), Window(60, 30.0), Window(1800, 3600.0)),
    margin=0.008,
    slack=0.004,
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


def retry_delay(attempt: int, retry_after: float | None = None, *, base: float = RETRY_BASE,
                cap: float = RETRY_CAP, rng: random.Random | None = None) -> float:
    """Seconds to wait before retrying after the `attempt`-th failure (1 for the first).

    The server's Retry-After when it sent one (`parse_retry_after`, already capped) (the rate limiter spreads the retries out);
    else capped exponential back-off with full jitter (uniform between 0 and the cap), so
    messages that failed together do not come back at one instant.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    if retry_after is not None:
        return max(retry_after, 0.0)
    return (rng or random).uniform(0.0, min(cap, base * 2 ** min(attempt - 1, 62)))


# -- Retry-After (RFC 9110 section 10.2.3) ------------------------------------------------------
RETRY_AFTER_CAP = 600.0  # ten minutes: a server asking for longer is waited for this long, then asked again

_MONTHS = {m: n for n, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"), 1)}
_MON = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
_TIME = r"(?P<h>\d\d):(?P<m>\d\d):(?P<s>\d\d)"
_FLAGS = re.ASCII | re.IGNORECASE  # ASCII: \d is 0-9 only, never another script's digits
_DELAY = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_HTTP_DATES = (
    # IMF-fixdate, the form senders must use: Sun, 06 Nov 1994 08:49:37 GMT
    re.compile(rf"(?:mon|tue|wed|thu|fri|sat|sun), (?P<d>\d\d) {_MON} (?P<y>\d{{4}}) {_TIME} GMT", _FLAGS),
    # obsolete RFC 850: Sunday, 06-Nov-94 08:49:37 GMT (two-digit year)
    re.compile(rf"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday), (?P<d>\d\d)-{_MON}-(?P<y>\d\d) "
               rf"{_TIME} GMT", _FLAGS),
    # obsolete asctime: Sun Nov  6 08:49:37 1994 (day padded with a space; a single space or a 0 is taken too)
    re.compile(rf"(?:mon|tue|wed|thu|fri|sat|sun) {_MON} ? ?(?P<d>\d{{1,2}}) {_TIME} (?P<y>\d{{4}})", _FLAGS),
)


def parse_retry_after(value: str | None, now: datetime, *, cap: float = RETRY_AFTER_CAP) -> float | None:
    """Seconds to wait from `now` (aware, the wall clock the answer came at) by a Retry-After
    header, at most `cap`; None when there is none or it is unreadable (then our own back-off).

    RFC 9110 allows delay-seconds (`120`) or an HTTP-date: IMF-fixdate, and the obsolete RFC 850
    and asctime forms, which recipients must accept. A date already past is 0 (retry now). Also
    taken: surrounding spaces and tabs, names in any case, a fraction of a second (`0.5`), a
    leap second. Refused (None): a negative or signed number, exponents, other digits than 0-9,
    impossible dates, a zone other than GMT, anything else.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if value is None:
        return None
    text = value.strip(" \t")
    if _DELAY.fullmatch(text):
        return min(float(text), cap)  # float("9" * 400) is inf: capped, never an error
    for form, pattern in enumerate(_HTTP_DATES):
        match = pattern.fullmatch(text)
        if match is None:
            continue
        year = int(match["y"])
        if form == 1:  # RFC 9110: a two-digit year more than 50 years ahead is the latest past one
            year += now.year // 100 * 100
            if year > now.year + 50:
                year -= 100
        try:
            at = datetime(year, _MONTHS[match["mon"].lower()], int(match["d"]), int(match["h"]), int(match["m"]),
                          min(int(match["s"]), 59), tzinfo=timezone.utc)  # 60: a leap second
        except ValueError:  # 30 Feb, hour 25 ...
            return None
        if int(match["s"]) > 60:
            return None
        return min(max((at - now).total_seconds(), 0.0), cap)
    return None
