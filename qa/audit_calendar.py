"""The monthly audit cycle's dates (framework section 9.3), on a WorkingCalendar.

For the cycle of month M:
- allocation notice: the 3rd, or the next working day when the 3rd is not one;
- audit deadline: the 28th, or the working day before when the 28th is not one;
- auditor reminders (audits not yet submitted): 7 calendar days before the deadline,
  2 working days before, and on the deadline day, each moved back to a working day;
- audit overdue: the next working day after the deadline (one notice to the auditor, one to
  their supervisor naming the overdue cases: one moment, the duty writes both);
- service-lead digest: on the audit deadline day (the 28th hand-over to service leads);
- oversight deadline: the 6th of month M+1, moved back to a working day;
- oversight reminders: 3 working days before it and on the day;
- oversight overdue: the next working day after it (service lead and head of service).

Reminder de-duplication: reminders are listed from earliest-meant to the deadline; one that
lands on or after the day of a later-listed reminder is dropped, so the label that goes out
tells the truth about the time left (7 days before can move back onto 2 working days
before when closures pile up; the "2-working-days" reminder is kept).

Every moment is at the calendar's send time (09:00 local) of its day, which is a working
day inside the send window by construction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, datetime, timedelta

from qa.calendar import WorkingCalendar

ALLOCATION_DAY = 3
AUDIT_DEADLINE_DAY = 28
OVERSIGHT_DEADLINE_DAY = 6  # of the following month

ALLOCATION_NOTICE = "allocation-notice"
AUDITOR_REMINDER = "auditor-reminder"
AUDIT_OVERDUE = "audit-overdue"
SERVICE_LEAD_DIGEST = "service-lead-digest"
OVERSIGHT_REMINDER = "oversight-reminder"
OVERSIGHT_OVERDUE = "oversight-overdue"
KINDS = (ALLOCATION_NOTICE, AUDITOR_REMINDER, AUDIT_OVERDUE, SERVICE_LEAD_DIGEST,
         OVERSIGHT_REMINDER, OVERSIGHT_OVERDUE)

# Labels of the moments that are one-per-cycle (the reminders carry their own).
ALLOCATION_LABEL = "allocation"
OVERDUE_LABEL = "overdue"
DIGEST_LABEL = "digest"

DEFAULT_LOOK_BACK = timedelta(days=40)


@dataclass(frozen=True)
class CycleDates:
    year: int
    month: int
    allocation_notice_day: date
    audit_deadline: date
    reminder_days: tuple[tuple[str, date], ...]  # ("7-days" | "2-working-days" | "deadline-day", day)
    audit_overdue_day: date
    oversight_deadline: date
    oversight_reminder_days: tuple[tuple[str, date], ...]  # ("3-working-days" | "deadline-day", day)
    oversight_overdue_day: date
    service_lead_digest_day: date

    @property
    def key(self) -> str:
        return month_key(self.year, self.month)


@dataclass(frozen=True)
class CycleMoment:
    kind: str  # one of KINDS
    label: str  # unique within the kind for one cycle, e.g. "7-days"
    due_at: datetime  # aware, UTC

    @property
    def key(self) -> str:
        """Unique within a cycle: "auditor-reminder:7-days". Prefix month_key for a global key."""
        return f"{self.kind}:{self.label}"


def month_key(year: int, month: int) -> str:
    """month_key(2026, 12) == "2026-12"."""
    _check_month(year, month)
    return f"{year:04d}-{month:02d}"


def parse_month_key(key: str) -> tuple[int, int]:
    """The inverse of month_key: "2026-12" -> (2026, 12); a clear ValueError otherwise."""
    parts = key.split("-") if isinstance(key, str) else []
    if len(parts) != 2 or not all(p.isdigit() and p.isascii() for p in parts) or len(parts[0]) != 4 \
            or len(parts[1]) != 2:
        raise ValueError(f"month key must look like 2026-12, got {key!r}")
    year, month = int(parts[0]), int(parts[1])
    _check_month(year, month)
    return year, month


def cycle_dates(year: int, month: int, cal: WorkingCalendar) -> CycleDates:
    _check_month(year, month)
    allocation = cal.next_working_day(date(year, month, ALLOCATION_DAY), include_self=True)
    deadline = cal.previous_working_day(date(year, month, AUDIT_DEADLINE_DAY), include_self=True)
    reminders = _dedupe([
        ("7-days", cal.previous_working_day(deadline - timedelta(days=7), include_self=True)),
        ("2-working-days", cal.add_working_days(deadline, -2)),
        ("deadline-day", deadline),
    ])
    next_year, next_month = _next_month(year, month)
    oversight = cal.previous_working_day(date(next_year, next_month, OVERSIGHT_DEADLINE_DAY), include_self=True)
    oversight_reminders = _dedupe([
        ("3-working-days", cal.add_working_days(oversight, -3)),
        ("deadline-day", oversight),
    ])
    return CycleDates(
        year=year,
        month=month,
        allocation_notice_day=allocation,
        audit_deadline=deadline,
        reminder_days=reminders,
        audit_overdue_day=cal.next_working_day(deadline),
        oversight_deadline=oversight,
        oversight_reminder_days=oversight_reminders,
        oversight_overdue_day=cal.next_working_day(oversight),
        service_lead_digest_day=deadline,
    )


def cycle_moments(year: int, month: int, cal: WorkingCalendar) -> list[CycleMoment]:
    """Every moment of the cycle, at the send time of its day, in time order."""
    dates = cycle_dates(year, month, cal)
    days: list[tuple[str, str, date]] = [(ALLOCATION_NOTICE, ALLOCATION_LABEL, dates.allocation_notice_day)]
    days += [(AUDITOR_REMINDER, label, d) for label, d in dates.reminder_days]
    days.append((SERVICE_LEAD_DIGEST, DIGEST_LABEL, dates.service_lead_digest_day))
    days.append((AUDIT_OVERDUE, OVERDUE_LABEL, dates.audit_overdue_day))
    days += [(OVERSIGHT_REMINDER, label, d) for label, d in dates.oversight_reminder_days]
    days.append((OVERSIGHT_OVERDUE, OVERDUE_LABEL, dates.oversight_overdue_day))
    moments = [CycleMoment(kind, label, cal.at_send_time(d)) for kind, label, d in days]
    # Stable sort: same-day moments keep the order above (reminder before digest, ...).
    return sorted(moments, key=lambda m: m.due_at)


def due_moments(now: datetime, cal: WorkingCalendar, months_back: int = 2,
                look_back: timedelta = DEFAULT_LOOK_BACK) -> list[tuple[tuple[int, int], CycleMoment]]:
    """Moments with now - look_back <= due_at <= now, from the cycle of `now`'s local month
    and the `months_back` cycles before it, oldest first.

    Pure and repeatable: asking twice gives the same answer, so the sweep's record of what
    ran (keyed by month_key + moment.key) is what makes each moment run once, including the
    ones a bot that was down missed. The look-back stops a long outage (or a first start)
    from replaying stale notices; two months back covers the previous cycle's oversight
    moments, which fall early in the current month.
    """
    if isinstance(months_back, bool) or not isinstance(months_back, int) or months_back < 0:
        raise ValueError(f"months_back must be a non-negative int, got {months_back!r}")
    if not isinstance(look_back, timedelta) or look_back < timedelta(0):
        raise ValueError(f"look_back must be a non-negative timedelta, got {look_back!r}")
    today = cal.local_date(now)  # also rejects a naive `now`
    earliest = now - look_back
    year, month = today.year, today.month
    months = []
    for _ in range(months_back + 1):
        months.append((year, month))
        year, month = _previous_month(year, month)
    due = [((y, m), moment)
           for y, m in reversed(months)
           for moment in cycle_moments(y, m, cal)
           if earliest <= moment.due_at <= now]
    return sorted(due, key=lambda item: item[1].due_at)


def _dedupe(reminders: list[tuple[str, date]]) -> tuple[tuple[str, date], ...]:
    kept: list[tuple[str, date]] = []
    for i, (label, day) in enumerate(reminders):
        if all(day < later for _, later in reminders[i + 1:]):
            kept.append((label, day))
    return tuple(kept)


def _check_month(year: int, month: int) -> None:
    for name, value in (("year", year), ("month", month)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    # Leave room for the next month's oversight deadline and the months looked back over.
    if not MINYEAR < year < MAXYEAR:
        raise ValueError(f"year out of range: {year}")


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)
