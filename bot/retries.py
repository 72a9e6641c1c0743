"""When a failed send is tried again, and when it is given up.

429, 412, 500, 502, 503, 504, timeouts and refused connections are retried: after the server's
Retry-After when it sent one in any form RFC 9110 allows (seconds or an HTTP-date, read by
bot/ratelimit.parse_retry_after against the wall clock, at most `after_cap`, 10 minutes; the
row's last_error says what was asked and what is waited), else with capped, jittered exponential
back-off (bot/ratelimit.retry_delay); at most until QA_OUTBOX_RETRY_HOURS (24 by default) after
the row's first attempt (not after it was due: a row due while the sender was down gets the whole
window too; storage.outbox.mark_retry, `first_attempt_at`), then undeliverable "retries exhausted". 403 and 404 mean the bot was blocked or
removed: undeliverable, and the chat is marked unreachable. Any other 4xx: undeliverable
"rejected (status)".
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.ratelimit import RETRY_AFTER_CAP, RETRY_BASE, RETRY_CAP, parse_retry_after, retry_delay

RETRYABLE = frozenset({412, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Retry:
    delay: float  # seconds until the next attempt
    error: str  # what the row's last_error says: the failure and what was asked and waited


@dataclass
class Retries:
    budget: timedelta  # a row is retried until this long after its first attempt
    max_attempts: int | None = None
    base: float = RETRY_BASE
    cap: float = RETRY_CAP
    after_cap: float = RETRY_AFTER_CAP  # the longest Retry-After waited
    rng: random.Random = field(default_factory=random.Random)

    def next(self, attempt: int, error: str, retry_after_header: str | None, wall_now: datetime) -> Retry:
        """The wait before the `attempt`-th try (counting from 1 for the first failure) and the
        error to record. A Retry-After date is the server's wall clock, so it is read against ours,
        never a logical `now`."""
        retry_after = None
        if retry_after_header is not None:
            asked = parse_retry_after(retry_after_header, wall_now, cap=float("inf"))
            shown = repr(retry_after_header.strip(" \t")[:40])
            if asked is None:
                error += f", Retry-After {shown} unreadable: own back-off"
            else:
                retry_after = min(asked, self.after_cap)
                error += f", Retry-After {shown}: wait {_seconds(retry_after)}" + (
                    f" (asked {_seconds(asked)}, capped)" if asked > self.after_cap else "")
        delay = retry_delay(attempt, retry_after, base=self.base, cap=self.cap, rng=self.rng)
        return Retry(delay, error)


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 10 else f"{value:.0f} s"
