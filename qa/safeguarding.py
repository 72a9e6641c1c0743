"""Who owns an immediate safeguarding concern found while auditing, and by when (framework 9.3:
"escalated at once to the practice manager, service lead, head of service and deputy director";
section 14's alerts; section 21's management oversight). Pure: `now` and the working calendar are
given; nothing here reads a database, Teams or the environment.

- Working hours are the working calendar's send window (08:00-18:00 local, working days only: no
  weekends, bank holidays or the council's closed days).
- A concern must be claimed ("I'm taking this") within `claim_minutes` working minutes (default 30);
  unclaimed, it is re-sent marked unclaimed to the head of service and deputy director, and once more
  (`UNCLAIMED_STEPS`) a step up, adding the QA unit.
- The owner owes an action note (what was done) within `note_hours` working hours (default 2),
  chased once when overdue.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from qa.calendar import WorkingCalendar

CLAIM_MINUTES = 30  # working minutes a concern may wait for an owner before it is re-sent unclaimed
NOTE_HOURS = 2  # working hours the owner has to record what was done
UNCLAIMED_STEPS = 2  # re-sends while unclaimed: head of service and deputy director, then adding the QA unit
NOTE_MAX = 2000  # characters in an action note


def in_working_hours(moment: datetime, cal: WorkingCalendar) -> bool:
    """True when `moment` (aware) falls in working hours: a working day (no weekend, bank holiday or
    closed day in `cal`) between the window's start and end, local time."""
    return cal.within_send_window(moment)


def out_of_hours(moment: datetime, cal: WorkingCalendar) -> bool:
    """True when a concern raised at `moment` (aware) needs the out-of-hours route."""
    return not in_working_hours(moment, cal)


def add_working_time(start: datetime, amount: timedelta, cal: WorkingCalendar) -> datetime:
    """The instant (UTC) `amount` of working time after `start` (aware): time outside working hours
    does not count, so 30 minutes from 17:50 on a Friday is 08:20 on the next working day.
    Raises ValueError for a negative amount."""
    if amount < timedelta(0):
        raise ValueError(f"amount must not be negative, got {amount!r}")
    local = cal.local(start)
    left = amount
    for _ in range(400):  # a year of working days at most: the calendar's own search limit
        day = local.date()
        open_at = datetime.combine(day, cal.window_start, tzinfo=cal.tz)
        close_at = datetime.combine(day, cal.window_end, tzinfo=cal.tz)
        if cal.is_working_day(day) and local < close_at:
            begin = max(local, open_at)
            if begin + left <= close_at:
                return (begin + left).astimezone(UTC)
            left -= close_at - begin
        nxt = cal.next_working_day(day)
        local = datetime.combine(nxt, cal.window_start, tzinfo=cal.tz)
    raise ValueError("no working time found within a year")


@dataclass(frozen=True)
class Deadlines:
    """When a concern raised at `raised_at` must be claimed, and each unclaimed re-send's moment."""

    claim_by: datetime  # UTC; the first unclaimed re-send
    step_up_at: datetime  # UTC; the second, a step up


def claim_deadlines(raised_at: datetime, cal: WorkingCalendar, claim_minutes: int = CLAIM_MINUTES) -> Deadlines:
    """The unclaimed re-sends of a concern raised at `raised_at` (aware): after `claim_minutes`
    working minutes, and as many again. Raised out of hours, the clock starts when working hours
    begin (the out-of-hours route has it meanwhile). Raises ValueError for claim_minutes < 1."""
    if claim_minutes < 1:
        raise ValueError(f"claim_minutes must be at least 1, got {claim_minutes}")
    first = add_working_time(raised_at, timedelta(minutes=claim_minutes), cal)
    return Deadlines(first, add_working_time(first, timedelta(minutes=claim_minutes), cal))


def note_due(owned_at: datetime, cal: WorkingCalendar, note_hours: int = NOTE_HOURS) -> datetime:
    """When the owner's action note is due (UTC): `note_hours` working hours after `owned_at`."""
    if note_hours < 1:
        raise ValueError(f"note_hours must be at least 1, got {note_hours}")
    return add_working_time(owned_at, timedelta(hours=note_hours), cal)


def minutes_between(start: datetime, end: datetime | None) -> int | None:
    """Whole minutes from `start` to `end` (both aware), None when `end` has not happened."""
    if end is None:
        return None
    return max(0, int((end - start).total_seconds() // 60))


def check_note(text: str | None) -> str:
    """The action note, trimmed. Raises ValueError with a sentence for the card when it is empty or
    longer than NOTE_MAX characters."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise ValueError("Say what was done (a strategy discussion, a MASH referral, the social worker contacted...).")
    if len(cleaned) > NOTE_MAX:
        raise ValueError(f"The action note is {len(cleaned)} characters; please keep it to {NOTE_MAX}.")
    return cleaned


def out_of_hours_since(morning: date, cal: WorkingCalendar) -> tuple[datetime, datetime]:
    """The out-of-hours stretch a working `morning`'s summary covers (UTC, start inclusive, end
    exclusive): from the close of the previous working day's hours to the opening of `morning`'s, so
    a Monday covers Friday evening, the weekend and Monday before 08:00, and the day after a bank
    holiday covers it too. Raises ValueError when `morning` is not a working day."""
    if not cal.is_working_day(morning):
        raise ValueError(f"{morning} is not a working day")
    before = cal.previous_working_day(morning)
    start = datetime.combine(before, cal.window_end, tzinfo=cal.tz).astimezone(UTC)
    return start, datetime.combine(morning, cal.window_start, tzinfo=cal.tz).astimezone(UTC)
