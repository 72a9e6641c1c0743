"""Working days and send times: the calendar every framework clock counts in.

A working day is Monday to Friday, minus the public holidays of one country/subdivision
(the `holidays` package; England by default) and any extra closure days the council sets.
Notices go at `send_at` local time; nothing goes outside [window_start, window_end) local
or on a non-working day. Dates are local calendar dates; instants are aware datetimes and
the ones this module returns are in UTC (what the database stores).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# A search for a working day that finds none within this many days means the calendar
# is misconfigured (say, a year of extra closures), not that we should loop forever.
_MAX_SEARCH_DAYS = 366


@lru_cache(maxsize=256)
def _public_holidays(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    """One year's public holidays, built once per (country, subdivision, year)."""
    try:
        table = holidays.country_holidays(country, subdiv=subdiv, years=year)
    except NotImplementedError as exc:  # the package's error for an unknown country/subdivision
        raise ValueError(f"no holiday calendar for country={country!r} subdiv={subdiv!r}") from exc
    return frozenset(table.keys())


@dataclass(frozen=True)
class WorkingCalendar:
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    send_at: time = time(9, 0)
    window_start: time = time(8, 0)
    window_end: time = time(18, 0)
    country: str = "GB"
    subdiv: str | None = "ENG"
    extra_closed_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if not isinstance(self.tz, tzinfo):
            raise TypeError(f"tz must be a tzinfo such as ZoneInfo('Europe/London'), not {type(self.tz).__name__}")
        for name in ("send_at", "window_start", "window_end"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise ValueError(f"{name} must be a naive local time, got {value!r}")
        if not self.window_start < self.window_end:
            raise ValueError(f"window_start {self.window_start} must be before window_end {self.window_end}")
        if not self.window_start <= self.send_at < self.window_end:
            raise ValueError(f"send_at {self.send_at} must fall inside the send window "
                             f"[{self.window_start}, {self.window_end})")
        # Accept any iterable of dates but store a frozenset, so the calendar stays hashable.
        closed = frozenset(self.extra_closed_days)
        for d in closed:
            _require_date(d, "extra_closed_days")
        object.__setattr__(self, "extra_closed_days", closed)
        _public_holidays(self.country, self.subdiv, 2000)  # fail now on an unknown country/subdivision

    # --- days -----------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        _require_date(d, "d")
        return (d.weekday() < 5
                and d not in self.extra_closed_days
                and d not in _public_holidays(self.country, self.subdiv, d.year))

    def next_working_day(self, d: date, include_self: bool = False) -> date:
        """The first working day after `d` (or `d` itself, when include_self and it is one)."""
        return self._search(d, +1, include_self)

    def previous_working_day(self, d: date, include_self: bool = False) -> date:
        """The last working day before `d` (or `d` itself, when include_self and it is one)."""
        return self._search(d, -1, include_self)

    def add_working_days(self, d: date, n: int) -> date:
        """Count `n` working days from `d`, not counting `d` itself; negative counts back.

        add_working_days(Thu 24 Dec 2026, 1) is Tue 29 Dec (Christmas, weekend and the
        Boxing Day substitute skipped). n == 0 returns `d` unchanged, working day or not.
        """
        _require_date(d, "d")
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, got {type(n).__name__}")
        step = 1 if n > 0 else -1
        for _ in range(abs(n)):
            d = self._search(d, step, include_self=False)
        return d

    def _search(self, d: date, step: int, include_self: bool) -> date:
        _require_date(d, "d")
        candidate = d if include_self else d + timedelta(days=step)
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_working_day(candidate):
                return candidate
            candidate += timedelta(days=step)
        raise ValueError(f"no working day within {_MAX_SEARCH_DAYS} days of {d.isoformat()}; "
                         "check extra_closed_days")

    # --- instants ---------------------------------------------------------------

    def local(self, instant: datetime) -> datetime:
        """`instant` in the calendar's time zone."""
        _require_aware(instant)
        return instant.astimezone(self.tz)

    def local_date(self, instant: datetime) -> date:
        return self.local(instant).date()

    def at_send_time(self, d: date) -> datetime:
        """send_at local time on `d`, as an aware UTC instant (09:00 London is 09:00Z in
        winter, 08:00Z in summer). Does not check that `d` is a working day."""
        _require_date(d, "d")
        return datetime.combine(d, self.send_at, tzinfo=self.tz).astimezone(UTC)

    def within_send_window(self, instant: datetime) -> bool:
        """True when `instant` is on a working day, window_start <= local time < window_end."""
        local = self.local(instant)
        return (self.is_working_day(local.date())
                and self.window_start <= local.time().replace(tzinfo=None) < self.window_end)

    def next_send_moment(self, instant: datetime) -> datetime:
        """When a notice raised at `instant` may go: `instant` itself when inside the window,
        otherwise the next working morning at send_at (09:00, not the 08:00 window opening:
        a held-back notice arrives with the day's other notices, not at the crack of dawn).

        Before the window on a working day that is the same day's send_at; after it, or
        on a non-working day, the next working day's. Returned in UTC.
        """
        if self.within_send_window(instant):
            return instant.astimezone(UTC)
        local = self.local(instant)
        today = local.date()
        if self.is_working_day(today) and local.time().replace(tzinfo=None) < self.window_start:
            return self.at_send_time(today)
        return self.at_send_time(self.next_working_day(today))

    def send_time_for(self, due: datetime, now: datetime) -> datetime:
        """When a message due at `due` and written at `now` (both aware) goes: at `due` when written
        on `due`'s own day inside the send window, else at the next send moment after `now` (UTC)."""
        if self.local_date(now) == self.local_date(due) and self.within_send_window(now):
            return due.astimezone(UTC)
        return self.next_send_moment(now)

    def latest_send_slot(self, now: datetime, slot: timedelta) -> datetime:
        """The start (UTC) of the latest `slot`-long slot at or before `now` in a working day's send
        window, slots counted from send_at (09:00, 09:15, ... with 15 minutes); before send_at on a
        working day, or on a day off, the previous working day's last slot."""
        if not isinstance(slot, timedelta) or slot <= timedelta(0):
            raise ValueError(f"slot must be a positive timedelta, got {slot!r}")
        local = self.local(now)
        day = local.date()
        if not self.is_working_day(day) or local.time().replace(tzinfo=None) < self.send_at:
            day, local = self.previous_working_day(day), None
        start = datetime.combine(day, self.send_at, tzinfo=self.tz)
        end = datetime.combine(day, self.window_end, tzinfo=self.tz)
        upto = end - timedelta(microseconds=1) if local is None or local >= end else local
        return (start + (upto.replace(tzinfo=None) - start.replace(tzinfo=None)) // slot * slot).astimezone(UTC)


def _require_date(d: object, name: str) -> None:
    # datetime is a date subclass; passing one where a calendar day is meant hides a time-zone bug.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"{name} must be a date (a local calendar day), got {type(d).__name__}")


def _require_aware(instant: object) -> None:
    if not isinstance(instant, datetime):
        raise TypeError(f"expected an aware datetime, got {type(instant).__name__}")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()}: aware datetimes only")
