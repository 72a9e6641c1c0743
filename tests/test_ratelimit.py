"""The rate limiter and back-off, on synthetic time: nothing here waits."""
import random
from bisect import bisect_left
from datetime import datetime, timedelta, timezone

import pytest

from bot.ratelimit import RETRY_AFTER_CAP, TEAMS_LIMITS, Limits, RateLimiter, Window, parse_retry_after, retry_delay

# Teams' published limits with neither our pacing nor our margin.
EXACT = Limits(tenant=(Window(50, 1.0),), conversation=TEAMS_LIMITS.conversation)


def _slots(limiter: RateLimiter, n: int, *, tenant: str = "t", conversation: str = "c", now: float = 0.0) -> list[float]:
    """Reserve n slots back to back, as one waiting sender would: each asks at the last slot."""
    out = []
    for _ in range(n):
        now += limiter.reserve(tenant, conversation, now)
        out.append(now)
    return out


def _max_in_window(times: list[float], period: float) -> int:
    times = sorted(times)
    return max((bisect_left(times, t + period) - i for i, t in enumerate(times)), default=0)


def test_tenant_allows_fifty_per_second_across_conversations():
    limiter = RateLimiter(EXACT)
    delays = [limiter.reserve("t", f"c{i}", 0.0) for i in range(51)]
    assert delays[:50] == [0.0] * 50
    assert delays[50] == pytest.approx(1.0)
    # Another tenant has its own allowance.
    assert limiter.reserve("other", "c0", 0.0) == 0.0


def test_conversation_allows_seven_per_second():
    limiter = RateLimiter(EXACT)
    delays = [limiter.reserve("t", "c", 0.0) for _ in range(8)]
    assert delays[:7] == [0.0] * 7
    assert delays[7] == pytest.approx(1.0)
    assert limiter.reserve("t", "another chat", 0.0) == 0.0


def test_conversation_allows_eight_per_two_seconds():
    limiter = RateLimiter(EXACT)
    slots = _slots(limiter, 9)
    assert slots[:7] == [0.0] * 7
    assert slots[7] == pytest.approx(1.0)  # the 1-s window let the 8th through at 1 s ...
    assert slots[8] == pytest.approx(2.0)  # ... the 2-s window holds the 9th until 2 s


def test_conversation_allows_sixty_per_thirty_seconds():
    limiter = RateLimiter(EXACT)
    slots = _slots(limiter, 61)
    assert max(slots[:60]) < 30.0
    assert slots[60] == pytest.approx(30.0)
    assert _max_in_window(slots, 30.0) == 60


def test_conversation_allows_1800_per_hour():
    limiter = RateLimiter(EXACT)
    slots = _slots(limiter, 1801)
    assert max(slots[:1800]) < 3600.0
    assert slots[1800] == pytest.approx(3600.0)
    assert _max_in_window(slots, 3600.0) == 1800


def test_a_held_back_conversation_does_not_hold_back_the_tenant():
    limiter = RateLimiter(EXACT)
    assert _slots(limiter, 8, conversation="busy")[-1] == pytest.approx(1.0)
    # The busy chat's 8th slot is at 1 s; a different chat still goes now.
    assert limiter.reserve("t", "quiet", 0.0) == 0.0


def test_a_later_request_fills_a_gap_only_where_every_window_allows():
    limiter = RateLimiter(Limits(tenant=(Window(2, 1.0),), conversation=(Window(100, 1.0),)))
    assert limiter.reserve("t", "a", 5.0) == 0.0  # a slot in the future (e.g. a retry)
    assert limiter.reserve("t", "b", 0.0) == 0.0
    assert limiter.reserve("t", "c", 0.0) == 0.0  # 0, 0, 5: fine
    # At 4.5 one more fits ([4.5, 5.5) holds 4.5 and 5); a second at 4.5 would make three
    # there, and no time before 5.5 works for it.
    assert limiter.reserve("t", "d", 4.5) == 0.0
    assert limiter.reserve("t", "e", 4.5) == pytest.approx(1.0)  # 4.5 + 1.0 = 5.5


def test_release_gives_the_slot_back():
    limiter = RateLimiter(EXACT)
    for _ in range(7):
        limiter.reserve("t", "c", 0.0)
    later = limiter.reserve("t", "c", 0.0)
    assert later == pytest.approx(1.0)
    limiter.release("t", "c", 0.0)
    assert limiter.reserve("t", "c", 0.0) == 0.0


def test_margin_lengthens_every_window():
    limiter = RateLimiter(Limits(tenant=(Window(50, 1.0),), conversation=(Window(7, 1.0),), margin=0.01))
    assert [limiter.reserve("t", f"c{i}", 0.0) for i in range(51)][-1] == pytest.approx(1.01)
    assert [limiter.reserve("t", "c", 5.0) for _ in range(8)][-1] == pytest.approx(1.01)


def test_teams_limits_keep_50_a_second_with_their_margin():
    limiter = RateLimiter(TEAMS_LIMITS)
    slots = [limiter.reserve("t", f"c{i}", 0.0) for i in range(101)]
    gaps = [b - a for a, b in zip(slots, slots[1:], strict=False)]
    # Never closer than half the pace (a late turn made up: bot/pacing.py), never 51 in a window.
    assert min(gaps) == pytest.approx(0.01 * (1 + TEAMS_LIMITS.margin))
    assert _max_in_window(slots, 1.0 + TEAMS_LIMITS.margin - 1e-9) == 50
    assert TEAMS_LIMITS.pace() == pytest.approx((1 + TEAMS_LIMITS.margin + TEAMS_LIMITS.slack) / 50)


@pytest.mark.parametrize("seed", range(5))
def test_random_schedules_keep_every_window(seed):
    """Property check: whatever the order of asks, the slots handed out keep every limit."""
    rng = random.Random(seed)
    limiter = RateLimiter(EXACT)
    now = 0.0
    slots: dict[str, list[float]] = {}
    tenant: list[float] = []
    for _ in range(600):
        now += rng.choice([0.0, 0.0, 0.01, 0.3])
        chat = rng.choice(["a", "b", "c"] + [f"x{i}" for i in range(20)])
        asked = now + rng.choice([0.0, 0.0, 2.0])  # some ask ahead of time, as retries do
        delay = limiter.reserve("t", chat, asked)
        assert delay >= 0.0
        slots.setdefault(chat, []).append(asked + delay)
        tenant.append(asked + delay)
    assert _max_in_window(tenant, 1.0) <= 50
    for times in slots.values():
        for window in EXACT.conversation:
            assert _max_in_window(times, window.period) <= window.limit


def test_old_times_are_forgotten():
    limiter = RateLimiter(EXACT)
    for i in range(100):
        limiter.reserve("t", f"c{i}", 0.0)
    limiter.reserve("t", "late", 10_000.0)
    assert set(limiter._conversations) == {("t", "late")}


def test_retry_delay_is_capped_full_jitter():
    rng = random.Random(1)
    firsts = [retry_delay(1, rng=rng) for _ in range(200)]
    assert all(0.0 <= d <= 1.0 for d in firsts) and max(firsts) > 0.8 and min(firsts) < 0.2
    assert all(0.0 <= retry_delay(4, rng=rng) <= 8.0 for _ in range(50))
    assert all(retry_delay(40, rng=rng) <= 300.0 for _ in range(50))
    assert max(retry_delay(40, rng=rng) for _ in range(200)) > 200.0


def test_retry_delay_honours_retry_after():
    assert retry_delay(1, 7.5) == 7.5
    assert retry_delay(9, 600.0) == 600.0  # the server's word beats our cap
    with pytest.raises(ValueError):
        retry_delay(0)


@pytest.mark.parametrize("seed", range(3))
def test_given_back_and_retaken_slots_never_squeeze_together(seed):
    """Late senders give their slot back and take the next (bot/sender.py): with times such as
    a monotonic clock gives (large, ragged floats), the paced gaps must still hold."""
    rng = random.Random(seed)
    limiter = RateLimiter(TEAMS_LIMITS)
    held: list[tuple[str, float]] = []
    now = 1444.464198859 + seed
    for n in range(400):
        now += rng.uniform(0.0, 0.015)
        chat = f"c{n}"
        held.append((chat, now + limiter.reserve("t", chat, now)))
        if rng.random() < 0.3:
            chat, at = held.pop(rng.randrange(len(held)))
            limiter.release("t", chat, at)
            held.append((chat, now + limiter.reserve("t", chat, now)))
    times = sorted(at for _, at in held)
    pace = TEAMS_LIMITS.tenant[1].period * (1 + TEAMS_LIMITS.margin)
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= pace - 1e-9
    assert _max_in_window(times, 1.0) <= 50


# -- Retry-After, every form RFC 9110 allows ----------------------------------------------------
AT = datetime(1994, 11, 6, 8, 49, 7, tzinfo=timezone.utc)  # 30 s before RFC 9110's example date


@pytest.mark.parametrize(("value", "seconds"), [
    ("120", 120.0),
    ("0", 0.0),
    ("0.5", 0.5),  # not in the grammar, but unambiguous
    ("007", 7.0),
    (" 120\t", 120.0),  # optional whitespace round a field value
    ("Sun, 06 Nov 1994 08:49:37 GMT", 30.0),  # IMF-fixdate
    ("sun, 06 nov 1994 08:49:37 gmt", 30.0),
    ("  Sun, 06 Nov 1994 08:49:37 GMT ", 30.0),
    ("Sunday, 06-Nov-94 08:49:37 GMT", 30.0),  # obsolete RFC 850
    ("Sun Nov  6 08:49:37 1994", 30.0),  # obsolete asctime
    ("Sun Nov 6 08:49:37 1994", 30.0),
    ("Sun Nov 06 08:49:37 1994", 30.0),
    ("Sun, 06 Nov 1994 08:49:07 GMT", 0.0),  # now
    ("Sun, 06 Nov 1994 08:48:37 GMT", 0.0),  # past dates: retry now
    ("Sat, 01 Jan 1994 00:00:00 GMT", 0.0),
    ("Sunday, 06-Nov-94 08:48:37 GMT", 0.0),
    ("Sun Nov  6 08:48:37 1994", 0.0),
    ("Sun, 06 Nov 1994 08:49:60 GMT", 52.0),  # a leap second counts as :59
    ("Mon, 07 Nov 1994 08:49:07 GMT", RETRY_AFTER_CAP),  # a day ahead: capped
    ("86400", RETRY_AFTER_CAP),
    ("9" * 400, RETRY_AFTER_CAP),  # beyond a float: still capped, no error
    ("Fri, 31 Dec 9999 23:59:59 GMT", RETRY_AFTER_CAP),
    ("Mon, 06 Nov 1994 08:49:37 GMT", 30.0),  # a wrong day name: the date still says when
])
def test_retry_after_in_every_form(value, seconds):
    assert parse_retry_after(value, AT) == pytest.approx(seconds)


@pytest.mark.parametrize("value", [
    None, "", " ", "-5", "-0.5", "+5", "1e3", "inf", "nan", "0x10", "1 20", "12s", ".5", "5.", "١٢٠",  # Arabic-Indic 120
    "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 +0000",
    "Sun, 6 Nov 1994 08:49:37 GMT", "06 Nov 1994 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT",
    "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:61:00 GMT", "Sun, 06 Nov 1994 08:49:61 GMT",
    "Sun, 06 Foo 1994 08:49:37 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun Nov  6 08:49:37 94",
    "2026-12-03T09:05:00Z", "soon", "120, 60",
])
def test_retry_after_unreadable_is_none(value):
    assert parse_retry_after(value, AT) is None


@pytest.mark.parametrize(("year", "meant"), [(2026, 1994), (2044, 2094), (2045, 2094), (2043, 1994), (2090, 2094)])
def test_retry_after_rfc850_two_digit_years_are_at_most_50_years_ahead(year, meant):
    now = datetime(year, 11, 6, 8, 49, 7, tzinfo=timezone.utc)
    expected = min(max((datetime(meant, 11, 6, 8, 49, 37, tzinfo=timezone.utc) - now).total_seconds(), 0.0), 1e12)
    assert parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now, cap=1e12) == pytest.approx(expected)


def test_retry_after_cap_and_clock_are_parameters():
    assert parse_retry_after("120", AT, cap=60) == 60.0
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", AT + timedelta(seconds=10)) == pytest.approx(20.0)
    with pytest.raises(ValueError):
        parse_retry_after("120", AT.replace(tzinfo=None))
