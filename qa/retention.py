"""How long the bot keeps each kind of record, and which records are past it at `now` (docs/privacy.md).

Each kind has a period in days (the council may override any of them: QA_RETENTION, read by
capabilities/retention/config.py). A record is past its period when its reference moment is
*more than* the period before `now`: exactly on the boundary it is kept.
Which tables each kind covers, and how, is declared by the capability that owns each table
(`Capability.retention`, applied by capabilities/retention/).

- outbox: a sent or undeliverable proactive message (its payload holds a copy of the card),
  counted from when it was sent (undeliverable: its last attempt). Pending ones are never purged.
- duty_runs: the sweep's record that a duty occurrence ran, counted from when it ran.
- bot_state: conversation and dialog state, counted from its last update.
- follow_ups: a settled follow-up (done, cancelled, superseded), counted from when it settled.
- audit_records: a month's allocations, audits and trail (audit_events), counted from the end
  of the month (the month of 2026-12 ends at the start of 2027-01-01, local time); trail rows
  with no month (feedback about the bot, the purges' own rows) are counted from their moment.
- practice_records: observations of practice, feedback entries and floor walks (sections 11, 9.4,
  14, 6), counted from when they were recorded.
- broadcasts: a broadcast and its recipients (who received, read and acknowledged it), counted
  from when it was to be sent (a scheduled one is never purged before it goes).
- calendar: a QA calendar event, counted from the day after it ended (local dates).
- supervision: supervision sessions (framework 9.1) counted from the day after they were held, an
  ASYE's move to four-weekly from the day after it took effect, and a case's exemption from case
  supervision once the case is off the caseload, from when it was recorded. The caseload itself is
  not counted: each caseload import replaces it whole.
- supervision_away: an away period, counted from the day after its last day (local dates).
- workforce: what was held for a person under the workforce duties (framework 9.2; an ASYE's review
  points), dates only, counted from the day after it was held.
- pdp: a personal development plan's learning topics (framework 9.2; tags and a screened note), counted from
  the day after the appraisal it belongs to.

Pure: no clock, no database. `now` is aware; months are the council's local calendar months.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from types import MappingProxyType

from qa.calendar import WorkingCalendar

OUTBOX = "outbox"
DUTY_RUNS = "duty_runs"
BOT_STATE = "bot_state"
FOLLOW_UPS = "follow_ups"
AUDIT_RECORDS = "audit_records"
PRACTICE_RECORDS = "practice_records"
BROADCASTS = "broadcasts"
CALENDAR = "calendar"
SUPERVISION = "supervision"
SUPERVISION_AWAY = "supervision_away"
WORKFORCE = "workforce"
PDP = "pdp"
KINDS = (OUTBOX, DUTY_RUNS, BOT_STATE, FOLLOW_UPS, AUDIT_RECORDS, PRACTICE_RECORDS, BROADCASTS, CALENDAR,
         SUPERVISION, SUPERVISION_AWAY, WORKFORCE, PDP)

DEFAULT_DAYS: Mapping[str, int] = MappingProxyType({
    OUTBOX: 90,           # a month's cycle runs from the 3rd to the 6th of the next: ample to act on a card
    DUTY_RUNS: 400,       # a year and a month: what ran, for support questions, then gone
    BOT_STATE: 30,        # a half-finished conversation is not picked up after a month
    FOLLOW_UPS: 400,      # settled follow-ups, a year and a month, like duty_runs
    AUDIT_RECORDS: 2192,  # six years (with their leap days): a typical council schedule for QA records
    PRACTICE_RECORDS: 2192,  # observations and feedback are QA evidence like audits: six years
    BROADCASTS: 400,      # who received, read and acknowledged a notice: a year and a month, for next year's
    CALENDAR: 400,        # last year's schedule to plan the next from; not personal data
    SUPERVISION: 2192,    # supervision records are professional records: six years, like the audits
    SUPERVISION_AWAY: 30,  # an absence is of no use once over; a month for questions about a missed nudge
    WORKFORCE: 2192,      # ASYE reviews are part of a social worker's professional record: six years, like supervision
    PDP: 1096,            # three years: the analysis reads the current plans; two cycles before show what changed
})

# The least each kind may be set to, and why: below these the bot would misbehave, not just forget.
MINIMUM_DAYS: Mapping[str, int] = MappingProxyType({
    OUTBOX: 45,         # a card's buttons find their message's rows until the cycle has ended (3rd -> 6th)
    DUTY_RUNS: 60,      # the duties look back 40 days for missed occurrences; a purged run would run again
    BOT_STATE: 1,
    FOLLOW_UPS: 1,      # only settled ones are purged, so any period is safe
    AUDIT_RECORDS: 90,  # a month's records must outlive its cycle (allocation to oversight and upload)
    PRACTICE_RECORDS: 366,  # an observation must outlive the twelve-month rule, or people look unobserved
    BROADCASTS: 90,     # the chaser may be owed up to 60 working days after sending (QA_BROADCAST_CHASER_DAYS)
    CALENDAR: 30,       # the practice-week duty looks back 21 days for a week's start and end
    SUPERVISION: 366,   # the longest cadence (the agreement review, six months; an ASYE's year) reads the last
    #                     session held: purged sooner, someone supervised on time would look overdue
    SUPERVISION_AWAY: 1,  # the mornings read only away periods not yet over
    WORKFORCE: 400,     # an ASYE's first review must outlive their final assessment (12 months and 28 days
    #                     after the start), or it would be asked for again
    PDP: 400,           # the analysis counts plans from appraisals in the last twelve months: purged sooner, a
    #                     current plan would vanish from the training needs analysis
})


class RetentionError(ValueError):
    """A retention period that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Retention:
    """Periods in days per kind (DEFAULT_DAYS unless overridden)."""

    days: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_DAYS))

    def __post_init__(self) -> None:
        unknown = sorted(set(self.days) - set(KINDS))
        if unknown:
            raise RetentionError(f"unknown kind {unknown[0]!r}; the kinds are {', '.join(KINDS)}")
        days = {**DEFAULT_DAYS, **self.days}
        for kind, value in days.items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise RetentionError(f"{kind} must be a whole number of days, not {value!r}")
            least = MINIMUM_DAYS[kind]
            if value < least:
                raise RetentionError(f"{kind} must be at least {least} day{'s' if least != 1 else ''}, not {value}")
        object.__setattr__(self, "days", MappingProxyType(days))

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, int]) -> Retention:
        return cls(dict(overrides))

    def cutoff(self, kind: str, now: datetime) -> datetime:
        """Records of `kind` whose moment is before this are past their period at `now`."""
        _require_aware(now)
        return now - timedelta(days=self.days[kind])

    def expired(self, kind: str, at: datetime, now: datetime) -> bool:
        """True when a record of `kind` from `at` is past its period at `now` (kept on the boundary)."""
        _require_aware(at)
        return at < self.cutoff(kind, now)

    def first_kept_day(self, kind: str, now: datetime, tz: tzinfo) -> date:
        """Records of `kind` counted from the day after a local date (a calendar event's last day)
        are past their period at `now` when that date is before this one: the day after plus the
        period has come (today, local, in `tz`)."""
        _require_aware(now)
        return now.astimezone(tz).date() - timedelta(days=self.days[kind])

    def first_kept_month(self, now: datetime, tz: tzinfo) -> str:
        """Audit months before this key ("2020-12") are past their period at `now`.

        Month M is past when its end (the first day of M+1, local) is more than the period before
        today: with d = today - period, that is M+1 <= month(d), so every M before month(d).
        """
        _require_aware(now)
        d = now.astimezone(tz).date() - timedelta(days=self.days[AUDIT_RECORDS])
        return f"{d.year:04d}-{d.month:02d}"

    def month_expired(self, month: str, now: datetime, tz: tzinfo) -> bool:
        return month < self.first_kept_month(now, tz)


def purge_moment(year: int, month: int, cal: WorkingCalendar) -> datetime:
    """The month's purge: its first working day at the send time (09:00 local), in UTC."""
    return cal.at_send_time(cal.next_working_day(date(year, month, 1), include_self=True))


def due_purge(now: datetime, cal: WorkingCalendar) -> tuple[str, datetime]:
    """The latest purge come by `now`: ("2027-01", its moment). This month's once it has come, else
    last month's (a bot that was down runs the latest one once; an earlier one would purge no more)."""
    _require_aware(now)
    today = cal.local_date(now)
    year, month = today.year, today.month
    moment = purge_moment(year, month, cal)
    if moment > now:
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        moment = purge_moment(year, month, cal)
    return f"{year:04d}-{month:02d}", moment


def month_end(month: str) -> date:
    """The first day after `month` ("2026-12" -> 2027-01-01): when its retention starts counting."""
    year, number = int(month[:4]), int(month[5:7])
    return date(year + number // 12, number % 12 + 1, 1)


def _require_aware(value: datetime) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError(f"an aware datetime is needed, not {value!r}")
