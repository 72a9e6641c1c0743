"""Named cadences: when a duty's occurrences fall, as pure date rules over the working calendar.

A cadence answers one question: which occurrences (a key unique within the duty, and the instant
it was due, UTC) fall between a start and `now`. A duty names its cadence and how far back it
looks (`between(now - LOOK_BACK, now)`, `today(now)`, `latest(now)`); the sweep records each
occurrence it runs, so asking twice gives the same answer and nothing runs twice.

- `EachWorkingMorning`: each working day at HH:MM local (the send time unless told), key "2026-12-07";
- `DayOfMonth`: day N of each month, moved on to the next working day when it is not one, at HH:MM,
  key "2026-12" (or the month before/after with `key_month`, for a duty about the month just ended);
- `FirstWorkingDayOfMonth`: `DayOfMonth` with N = 1;
- `SendWindowSlots`: every slot (15 minutes unless told) of a working day's send window, counted from
  the send time, key the slot's UTC start "2026-12-07T09:15Z";
- `Every`: every interval, day and night (UTC, counted from 2000-01-01), same key shape.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from qa.calendar import WorkingCalendar

SLOT = timedelta(minutes=15)  # the follow-up duties' look at the send window
_MAX_SPAN = timedelta(days=800)  # a start further back than this is a mistake, not a look-back
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Occurrence:
    key: str  # unique within the duty, e.g. "2026-12" or "2026-12:reminder-7d"
    due_at: datetime  # the instant it was due (aware, UTC): what a late run computes for


def slot_key(instant: datetime) -> str:
    return f"{instant.astimezone(UTC):%Y-%m-%dT%H:%MZ}"


def local_midnight(cal: WorkingCalendar, now: datetime) -> datetime:
    """The start of `now`'s local day (aware, local)."""
    return datetime.combine(cal.local_date(now), time(0), tzinfo=cal.tz)


def month_start(cal: WorkingCalendar, now: datetime) -> datetime:
    """The start of `now`'s local month (aware, local)."""
    return datetime.combine(cal.local_date(now).replace(day=1), time(0), tzinfo=cal.tz)


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + n
    return index // 12, index % 12 + 1


def _check_window(start: datetime, now: datetime) -> None:
    for name, value in (("start", start), ("now", now)):
        if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{name} must be an aware datetime, got {value!r}")
    if now - start > _MAX_SPAN:
        raise ValueError(f"a look-back from {start.isoformat()} to {now.isoformat()} is longer than {_MAX_SPAN.days} days")


def _local_time(at: time | None, cal: WorkingCalendar) -> time:
    at = cal.send_at if at is None else at
    if not isinstance(at, time) or at.tzinfo is not None:
        raise ValueError(f"at must be a naive local time, got {at!r}")
    return at


class _Daily:
    """A cadence whose occurrences fall on local days, each day's by `on(day)`."""

    cal: WorkingCalendar

    def on(self, day: date) -> list[Occurrence]:
        raise NotImplementedError

    def between(self, start: datetime, now: datetime) -> list[Occurrence]:
        """The occurrences with start <= due_at <= now, oldest first."""
        _check_window(start, now)
        day, last = self.cal.local_date(start), self.cal.local_date(now)
        out = []
        while day <= last:
            out += [o for o in self.on(day) if start <= o.due_at <= now]
            day += timedelta(days=1)
        return out

    def today(self, now: datetime) -> list[Occurrence]:
        """The occurrences of `now`'s local day come by `now`."""
        return self.between(local_midnight(self.cal, now), now)

    def latest(self, now: datetime) -> Occurrence | None:
        """The latest occurrence at or before `now` (within the last year)."""
        day = self.cal.local_date(now)
        for _ in range(366):
            come = [o for o in self.on(day) if o.due_at <= now]
            if come:
                return come[-1]
            day -= timedelta(days=1)
        return None


class EachWorkingMorning(_Daily):
    """Each working day at `at` local (the calendar's send time unless told); key the day."""

    def __init__(self, cal: WorkingCalendar, at: time | None = None) -> None:
        self.cal, self.at = cal, _local_time(at, cal)

    def on(self, day: date) -> list[Occurrence]:
        if not self.cal.is_working_day(day):
            return []
        return [Occurrence(day.isoformat(), datetime.combine(day, self.at, tzinfo=self.cal.tz).astimezone(UTC))]


class SendWindowSlots(_Daily):
    """Every `slot` of each working day's send window, from the send time to the window's end;
    key the slot's UTC start. `latest` is the slot a follow-up duty offers."""

    def __init__(self, cal: WorkingCalendar, slot: timedelta = SLOT) -> None:
        if not isinstance(slot, timedelta) or slot <= timedelta(0):
            raise ValueError(f"slot must be a positive timedelta, got {slot!r}")
        self.cal, self.slot = cal, slot

    def on(self, day: date) -> list[Occurrence]:
        if not self.cal.is_working_day(day):
            return []
        start = datetime.combine(day, self.cal.send_at, tzinfo=self.cal.tz)
        end = datetime.combine(day, self.cal.window_end, tzinfo=self.cal.tz)
        count = -((start.replace(tzinfo=None) - end.replace(tzinfo=None)) // self.slot)  # ceiling
        return [self._at((start + n * self.slot).astimezone(UTC)) for n in range(count)]

    def latest(self, now: datetime) -> Occurrence:
        return self._at(self.cal.latest_send_slot(now, self.slot))

    @staticmethod
    def _at(instant: datetime) -> Occurrence:
        return Occurrence(slot_key(instant), instant)


class DayOfMonth:
    """Day `day` (1 to 28) of each month, moved on to the next working day when it is not one, at `at`
    local (the send time unless told). Key "YYYY-MM": the occurrence's own month, or the month
    `key_month` months from it (-1: a duty about the month just ended)."""

    def __init__(self, cal: WorkingCalendar, day: int, at: time | None = None, key_month: int = 0) -> None:
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 28:
            raise ValueError(f"day must be a day of the month from 1 to 28, got {day!r}")
        self.cal, self.day, self.at, self.key_month = cal, day, _local_time(at, cal), key_month

    def of(self, year: int, month: int) -> Occurrence:
        """The occurrence falling in (year, month)."""
        day = self.cal.next_working_day(date(year, month, self.day), include_self=True)
        key_year, key_month = add_months(year, month, self.key_month)
        return Occurrence(f"{key_year:04d}-{key_month:02d}",
                          datetime.combine(day, self.at, tzinfo=self.cal.tz).astimezone(UTC))

    def between(self, start: datetime, now: datetime) -> list[Occurrence]:
        """The occurrences with start <= due_at <= now, oldest first."""
        _check_window(start, now)
        first, last = self.cal.local_date(start), self.cal.local_date(now)
        # A month's day N moved past its month's end by days off falls in the next: start a month early.
        year, month = add_months(first.year, first.month, -1)
        out = []
        while (year, month) <= (last.year, last.month):
            occurrence = self.of(year, month)
            if start <= occurrence.due_at <= now:
                out.append(occurrence)
            year, month = add_months(year, month, 1)
        return out

    def this_month(self, now: datetime) -> list[Occurrence]:
        """This local month's occurrence once it has come by `now`."""
        return self.between(month_start(self.cal, now), now)

    def latest(self, now: datetime) -> Occurrence:
        """This month's occurrence once it has come, else last month's."""
        today = self.cal.local_date(now)
        occurrence = self.of(today.year, today.month)
        return occurrence if occurrence.due_at <= now else self.of(*add_months(today.year, today.month, -1))


class FirstWorkingDayOfMonth(DayOfMonth):
    """The first working day of each month at `at` local (the send time unless told)."""

    def __init__(self, cal: WorkingCalendar, at: time | None = None, key_month: int = 0) -> None:
        super().__init__(cal, 1, at, key_month)


class Every:
    """Every `step`, day and night, counted in UTC from 2000-01-01; key the start "…T09:15Z"."""

    def __init__(self, step: timedelta) -> None:
        if not isinstance(step, timedelta) or step <= timedelta(0):
            raise ValueError(f"step must be a positive timedelta, got {step!r}")
        self.step = step

    def latest(self, now: datetime) -> Occurrence:
        _check_window(now, now)
        instant = _EPOCH + (now - _EPOCH) // self.step * self.step
        return Occurrence(slot_key(instant), instant)

    def between(self, start: datetime, now: datetime) -> Iterator[Occurrence]:
        _check_window(start, now)
        instant = _EPOCH - (_EPOCH - start) // self.step * self.step  # the first at or after start
        while instant <= now:
            yield Occurrence(slot_key(instant), instant)
            instant += self.step
