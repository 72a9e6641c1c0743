"""Supervision cadences (framework 9.1): when each kind of supervision is next due. Pure.

Every rule takes dates (local calendar days in QA_TIMEZONE, which the caller turns instants into
with WorkingCalendar.local_date) and the working calendar; none reads the clock or the database.

The cadences, each configurable through `Cadences` (defaults are the framework's; the capability
parses the QA_SUPERVISION_* overrides and passes a `Cadences` in):
- 1:1 (individual professional supervision), for every supervisee with a supervisor on the roster:
  due `one_to_one_days` (28) after the last one; a new starter's first is due `new_starter_days` (7)
  after they joined the service (their start date).
- ASYE (a newly qualified social worker, asye_start_date set): the 1:1 interval is 7 days for the
  first `asye_weekly_weeks` (6) weeks from the start, then 14 days, then 28 days from the switch
  date: `asye_four_weekly_months` (6) months after the start by default, or the date the supervisor
  recorded "move to four-weekly". The ASYE cadence ends `asye_end_months` (12) months after the
  start; the ordinary 1:1 cadence applies after it.
- Supervision agreement: reviewed `agreement_months` (6) months after the last review; a new
  supervisee's first is due `first_agreement_days` (28) after they joined the service.
- Joining: "joined" is the person's start date (the roster's start_date), never the day the roster
  was imported. Without one a person is established: no new-starter duties, and any session date
  in the past may be recorded. Nor are new-starter duties raised that fell due before the bot held
  the person's record (`on_record_from`, the day they were first imported): a council going live
  with start dates for all its staff does not find everyone overdue on day one. Instead, an
  established person's first 1:1 with none recorded is due `one_to_one_days` (or their ASYE
  interval) after `on_record_from`, and their first agreement review `agreement_months` after it.
- Group reflective supervision: each team monthly (the practice manager's duty): due by the last
  working day of each calendar month in which none is recorded for the team.
- Case supervision: each case `case_days` (56, eight weeks) after its last case supervision (or
  after the case was first seen on a caseload); none is due for a case a service lead exempted.
- The length of a 1:1: "four-weekly 1:1 meetings for one and a half hours" is the minimum standard, so a
  1:1 of fewer than `one_to_one_minutes` (90) minutes is short (`one_to_one_length`). A session recorded
  without its duration is "duration not recorded", never short.

A due date falling on a non-working day (weekend, bank holiday, council closure) is due on the
working day before (`working_due`).
"""
from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from functools import lru_cache

from qa.calendar import WorkingCalendar

ONE_TO_ONE = "one_to_one"
CASE = "case"
GROUP = "group"
AGREEMENT = "agreement_review"
KINDS = (ONE_TO_ONE, CASE, GROUP, AGREEMENT)
KIND_WORDS = {ONE_TO_ONE: "1:1 supervision", CASE: "case supervision", GROUP: "group reflective supervision",
              AGREEMENT: "supervision agreement review"}
# Where a due item stands on a given day (`standing`).
OVERDUE, TODAY, SOON, LATER = "overdue", "today", "soon", "later"
# How a 1:1's length measures against the standard (`one_to_one_length`).
FULL_LENGTH, SHORT, LENGTH_NOT_RECORDED = "full_length", "short", "length_not_recorded"

class CadenceError(ValueError):
    """A cadence setting is not a positive whole number, or the settings contradict each other."""


@dataclass(frozen=True)
class Cadences:
    """How often each kind of supervision is due. Days are calendar days; months calendar months."""

    one_to_one_days: int = 28
    new_starter_days: int = 7
    asye_weekly_weeks: int = 6
    asye_weekly_days: int = 7
    asye_fortnightly_days: int = 14
    asye_four_weekly_months: int = 6
    asye_end_months: int = 12
    agreement_months: int = 6
    first_agreement_days: int = 28
    case_days: int = 56
    soon_working_days: int = 2  # the digest lists what is due within this many working days
    escalate_after_working_days: int = 5  # the supervisor's supervisor hears this long after overdue
    # ... on a morning within this many days of that day (one missed while the supervisee was away
    # goes on return), never later: the outbox keeps the keys that make it once for 45 days at least.
    escalation_window_days: int = 30
    one_to_one_minutes: int = 90  # 9.1's standard: a 1:1 of one and a half hours

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise CadenceError(f"{f.name} must be a whole number of at least 1, not {value!r}")
        if self.asye_four_weekly_months > self.asye_end_months:
            raise CadenceError("asye_four_weekly_months must not be after asye_end_months")


# ---------------------------------------------------------------- dates


def add_months(d: date, months: int) -> date:
    """`d` moved by whole calendar months, the day clamped to the month's end (31 Aug + 6 = 28/29 Feb)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last))


def working_due(d: date, cal: WorkingCalendar) -> date:
    """The day something due on `d` is due: `d` itself on a working day, else the working day before."""
    return _working_due(d, cal)


@lru_cache(maxsize=8192)
def _working_due(d: date, cal: WorkingCalendar) -> date:
    # A morning asks this for every supervisee's every case: the same few hundred days, many times.
    return cal.previous_working_day(d, include_self=True)


def standing(due: date, today: date, cal: WorkingCalendar, soon_working_days: int = 2) -> str:
    """OVERDUE (due before today), TODAY, SOON (due within `soon_working_days` working days after
    today) or LATER."""
    if due < today:
        return OVERDUE
    if due == today:
        return TODAY
    if due <= _add_working_days(today, soon_working_days, cal):
        return SOON
    return LATER


def escalation_day(due: date, cal: WorkingCalendar, cadences: Cadences = Cadences()) -> date:
    """The working day the supervisor's supervisor hears of an item due on `due` and still not held:
    `escalate_after_working_days` (5) working days after it."""
    return _add_working_days(due, cadences.escalate_after_working_days, cal)


@lru_cache(maxsize=8192)
def _add_working_days(d: date, n: int, cal: WorkingCalendar) -> date:
    return cal.add_working_days(d, n)


def escalates_on(due: date, today: date, cal: WorkingCalendar, cadences: Cadences = Cadences()) -> bool:
    """Whether the notice about an item due on `due` goes on `today`'s morning (if not sent already): from its
    escalation day for `escalation_window_days` (30) days, so one held back while the supervisee was away goes
    on their return."""
    first = escalation_day(due, cal, cadences)
    return first <= today <= first + timedelta(days=cadences.escalation_window_days)


# ---------------------------------------------------------------- 1:1 and ASYE


@dataclass(frozen=True)
class Asye:
    """A supervisee's ASYE year: its start and, when the supervisor recorded one, the day the
    cadence moved to four-weekly."""

    start: date
    four_weekly_from: date | None = None

    def switch(self, cadences: Cadences) -> date:
        return self.four_weekly_from or add_months(self.start, cadences.asye_four_weekly_months)

    def end(self, cadences: Cadences) -> date:
        return add_months(self.start, cadences.asye_end_months)

    def active_on(self, d: date, cadences: Cadences) -> bool:
        return self.start <= d < self.end(cadences)


def asye_interval(base: date, asye: Asye, cadences: Cadences = Cadences()) -> int | None:
    """Days from a 1:1 held on `base` to the next under the ASYE cadence; None outside the ASYE year.

    7 during the first `asye_weekly_weeks` weeks from the start, 14 until the switch date, 28 after.
    """
    if not asye.start <= base < asye.end(cadences):
        return None
    if base < asye.start + timedelta(weeks=cadences.asye_weekly_weeks):
        return cadences.asye_weekly_days
    if base < asye.switch(cadences):
        return cadences.asye_fortnightly_days
    return cadences.one_to_one_days


def one_to_one_due(last_held: date | None, joined: date | None, cal: WorkingCalendar,
                   cadences: Cadences = Cadences(), asye: Asye | None = None, *,
                   on_record_from: date | None = None) -> date:
    """When the next 1:1 is due (a working day).

    last_held: the last 1:1 recorded (None: none yet). joined: the supervisee's start date (None:
    established). asye: their ASYE year, if they have one. on_record_from: the day the bot first
    held their record (None: treat every start date as new). Without a 1:1 yet, the first is due
    `new_starter_days` after joining (or, in the ASYE year, one ASYE interval after the later of
    joining and the ASYE start) unless that day is before `on_record_from`; an established person's
    (see the module's "Joining") is due one ordinary (or ASYE) interval after `on_record_from`.
    After one, the ASYE interval applies while `last_held` is in the ASYE year, else
    `one_to_one_days`; an ASYE due date never runs past the end of the ASYE year by more than the
    ordinary interval would.

    Raises ValueError when neither a start date, an ASYE start nor `on_record_from` is given.
    """
    if last_held is None:
        first = _first_one_to_one(joined, cadences, asye)
        if first is not None and (on_record_from is None or first >= on_record_from):
            return working_due(first, cal)
        if on_record_from is None:
            raise ValueError("an established supervisee's first 1:1 needs on_record_from")
        interval = cadences.one_to_one_days
        if asye is not None and (asye_days := asye_interval(on_record_from, asye, cadences)) is not None:
            interval = asye_days
        return working_due(on_record_from + timedelta(days=interval), cal)
    interval = cadences.one_to_one_days
    if asye is not None:
        asye_days = asye_interval(last_held, asye, cadences)
        if asye_days is not None:
            interval = asye_days
    return working_due(last_held + timedelta(days=interval), cal)


def _first_one_to_one(joined: date | None, cadences: Cadences, asye: Asye | None) -> date | None:
    """A new starter's first 1:1 (calendar day), or None when nothing says when they started."""
    base, interval = joined, cadences.new_starter_days
    if asye is not None:
        asye_base = max(joined, asye.start) if joined is not None else asye.start
        asye_days = asye_interval(asye_base, asye, cadences)
        if asye_days is not None:
            base, interval = asye_base, min(asye_days, cadences.new_starter_days)
    return None if base is None else base + timedelta(days=interval)


# ---------------------------------------------------------------- agreement, case, group


def agreement_due(last_review: date | None, joined: date | None, cal: WorkingCalendar,
                  cadences: Cadences = Cadences(), *, on_record_from: date | None = None) -> date:
    """When the supervision agreement is next reviewed (a working day): `agreement_months` after the
    last review; with none recorded, `first_agreement_days` after the start date `joined` for a new
    starter, or `agreement_months` after `on_record_from` for an established person (no start date,
    or a first agreement that fell due before the bot held their record).

    Raises ValueError when neither `joined` nor `on_record_from` is given.
    """
    if last_review is None:
        if joined is not None:
            first = joined + timedelta(days=cadences.first_agreement_days)
            if on_record_from is None or first >= on_record_from:
                return working_due(first, cal)
        if on_record_from is None:
            raise ValueError("an established supervisee's first agreement review needs on_record_from")
        return working_due(add_months(on_record_from, cadences.agreement_months), cal)
    return working_due(add_months(last_review, cadences.agreement_months), cal)


def case_due(last_supervised: date | None, first_seen: date, cal: WorkingCalendar,
             cadences: Cadences = Cadences(), exempt: bool = False) -> date | None:
    """When a case next needs case supervision: `case_days` after the last (or after the case was first
    seen on a caseload); None when a service lead exempted the case. A working day."""
    if exempt:
        return None
    return working_due((last_supervised or first_seen) + timedelta(days=cadences.case_days), cal)


def month_end_due(year: int, month: int, cal: WorkingCalendar) -> date:
    """The last working day of a calendar month: when group supervision is due by."""
    return working_due(date(year, month, _calendar.monthrange(year, month)[1]), cal)


def group_due(held: Iterable[date], year: int, month: int, cal: WorkingCalendar) -> date | None:
    """When a team's group reflective supervision is due in `month`: its last working day, or None when
    one is recorded (held) in that month."""
    if any(d.year == year and d.month == month for d in held):
        return None
    return month_end_due(year, month, cal)


# ---------------------------------------------------------------- away


@dataclass(frozen=True)
class Away:
    """A period someone is away, inclusive of both days."""

    first: date
    last: date

    def covers(self, d: date) -> bool:
        return self.first <= d <= self.last

    def working_days(self, cal: WorkingCalendar) -> int:
        n, d = 0, self.first
        while d <= self.last:
            n += cal.is_working_day(d)
            d += timedelta(days=1)
        return n


def away_on(periods: Iterable[Away], d: date) -> Away | None:
    """The away period covering `d`, if any (the longest when several do)."""
    covering = [p for p in periods if p.covers(d)]
    return max(covering, key=lambda p: p.last - p.first) if covering else None


def long_absence(period: Away, cal: WorkingCalendar, threshold_working_days: int = 10) -> bool:
    """An absence of more than `threshold_working_days` working days: a supervisor away this long has
    their supervisees' nudges sent to their own supervisor."""
    return period.working_days(cal) > threshold_working_days


# ---------------------------------------------------------------- recording


def record_refusal(held_on: date, today: date, joined: date | None, kind: str,
                   taken: Iterable[tuple[date, str]] = ()) -> str | None:
    """Why a session on `held_on` of `kind` cannot be recorded (one sentence), or None when it can.

    Refused: a future date, a date before the supervisee's start date `joined` (None: established,
    so no past date is refused for it), an unknown kind, and a second session of the same kind on
    the same day (`taken`: the (day, kind) already recorded).
    """
    if kind not in KINDS:
        return f"{kind!r} is not a kind of supervision; choose one of {', '.join(KIND_WORDS.values())}"
    if held_on > today:
        return f"{held_on.isoformat()} is in the future; record a session once it has taken place"
    if joined is not None and held_on < joined:
        return (f"{held_on.isoformat()} is before they joined the service (start date {joined.isoformat()}); "
                "check the date")
    if (held_on, kind) in set(taken):
        return f"a {KIND_WORDS[kind]} on {held_on.isoformat()} is already recorded"
    return None


# ---------------------------------------------------------------- one supervisee's due items


@dataclass(frozen=True)
class CaseFacts:
    """A case on a supervisee's caseload: its last case supervision, when it was first seen, exempt."""

    case_ref: str
    last_supervised: date | None
    first_seen: date
    exempt: bool = False


@dataclass(frozen=True)
class SuperviseeFacts:
    """What the rules need about one supervisee (as of a day)."""

    person_id: int
    joined: date | None  # the start date; None: established
    last: Mapping[str, date]  # kind -> the last session of that kind held (absent: none)
    asye: Asye | None = None
    cases: tuple[CaseFacts, ...] = ()
    last_one_to_one_minutes: int | None = None  # the last 1:1's duration (None: none, or not recorded)
    on_record_from: date | None = None  # the day the bot first held their record (see "Joining")


@dataclass(frozen=True)
class DueItem:
    """Something due for one supervisee: its kind, the day it is due, and for case supervision the
    cases due by `horizon` (earliest first)."""

    kind: str
    due: date
    case_refs: tuple[str, ...] = ()
    asye: bool = False  # a 1:1 on the ASYE cadence


def due_items(facts: SuperviseeFacts, today: date, cal: WorkingCalendar, cadences: Cadences = Cadences(),
              horizon: date | None = None) -> list[DueItem]:
    """The 1:1, the agreement review and (when a case is due by `horizon`, default `soon_working_days`
    working days after `today`) the case supervision of one supervisee, earliest first.

    The case item's `due` is the earliest case's; `case_refs` lists every case due by the horizon.
    """
    horizon = horizon or _add_working_days(today, cadences.soon_working_days, cal)
    asye = facts.asye if facts.asye is not None and facts.asye.active_on(
        facts.last.get(ONE_TO_ONE) or max(facts.joined or facts.asye.start, facts.asye.start), cadences) else None
    items = [
        DueItem(ONE_TO_ONE, one_to_one_due(facts.last.get(ONE_TO_ONE), facts.joined, cal, cadences, facts.asye,
                                           on_record_from=facts.on_record_from),
                asye=asye is not None),
        DueItem(AGREEMENT, agreement_due(facts.last.get(AGREEMENT), facts.joined, cal, cadences,
                                         on_record_from=facts.on_record_from)),
    ]
    cases = sorted((due, c.case_ref) for c in facts.cases
                   if (due := case_due(c.last_supervised, c.first_seen, cal, cadences, c.exempt)) is not None)
    due_cases = [(due, ref) for due, ref in cases if due <= horizon]
    if due_cases:
        items.append(DueItem(CASE, due_cases[0][0], tuple(ref for _due, ref in due_cases)))
    return sorted(items, key=lambda i: (i.due, KINDS.index(i.kind)))


def in_date(facts: SuperviseeFacts, kind: str, on: date, cal: WorkingCalendar,
            cadences: Cadences = Cadences()) -> bool | None:
    """Whether `kind` is in date for the supervisee at the end of `on` (not overdue then); None when the
    kind does not apply: case supervision without a caseload that needs it, or a 1:1 / agreement review
    with none on record whose first is not yet due.

    Nothing on record is never "in date": compliance (framework 9.1: a 1:1 at least every four weeks, the
    agreement reviewed every six months) is evidenced by sessions recorded. So a supervisee with no 1:1
    (or review) recorded is not counted until their first falls due (see the module's "Joining": a new
    starter's from their start date, an established person's one interval after the bot first held their
    record), and is not in date from that day on, until one is recorded."""
    if kind == CASE:
        dues = [d for c in facts.cases if (d := case_due(c.last_supervised, c.first_seen, cal, cadences, c.exempt))]
        return None if not dues else min(dues) >= on
    if kind == ONE_TO_ONE:
        due = one_to_one_due(facts.last.get(ONE_TO_ONE), facts.joined, cal, cadences, facts.asye,
                             on_record_from=facts.on_record_from)
    elif kind == AGREEMENT:
        due = agreement_due(facts.last.get(AGREEMENT), facts.joined, cal, cadences,
                            on_record_from=facts.on_record_from)
    else:
        raise ValueError(f"in_date is per supervisee; {kind!r} is not one of their kinds")
    if facts.last.get(kind) is None:  # nothing on record: not counted before the first is due, out of date from it
        return None if due > on else False
    return due >= on


def one_to_one_length(facts: SuperviseeFacts, cadences: Cadences = Cadences()) -> str | None:
    """How the supervisee's last 1:1 on record measures against framework 9.1's standard ("four-weekly 1:1
    meetings for one and a half hours"): FULL_LENGTH (at least `one_to_one_minutes`, 90), SHORT (fewer),
    LENGTH_NOT_RECORDED (recorded without its duration: not counted as short), or None when no 1:1 is on
    record."""
    if facts.last.get(ONE_TO_ONE) is None:
        return None
    minutes = facts.last_one_to_one_minutes
    if minutes is None:
        return LENGTH_NOT_RECORDED
    return FULL_LENGTH if minutes >= cadences.one_to_one_minutes else SHORT
