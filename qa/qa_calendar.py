"""The QA calendar: the year's schedule from framework section 9.3's audit schedule table
(quarterly practice weeks, monthly Learning and Improvement Forums, practice forums, reflective
groups, assurance clinics, survey windows, thematic audit months, reports). Pure: no database.

The file (.csv or .xlsx, read by qa.tabular like the roster):
- Columns: COLUMNS in any order (headings matched ignoring case and spaces), and any of OPTIONAL_COLUMNS.
- starts_on, ends_on: YYYY-MM-DD (date cells in .xlsx accepted); ends_on on or after starts_on;
  other forms (01/09/2026) are refused rather than guessed.
- kind: one of KINDS (case, spaces and hyphens forgiven: "Practice week" is practice_week).
- title: required, at most 200 characters; details: optional, at most 2,000 (the practice-week
  notices say them). Neither may hold a child's details (qa.identifiers).
- audience: empty (everyone) or terms separated by ';' (qa.audience).
- starts_at, ends_at (optional): the local time of day (QA_TIMEZONE) it starts and ends, 24-hour HH:MM
  ("15:00"; "15.00" and Excel time cells too), as the schedule gives them (forums 15:00-17:00, CRH audit
  sessions 13:30-16:30); ends_at needs starts_at, and on a one-day event comes after it.
- organiser (optional): the email of an active person on the roster who sees who is coming and marks
  attendance afterwards (empty: the QA unit).
- The same (kind, starts_on, title) appears once.
Problems name the spreadsheet row (header = 1) and column; one bad row refuses the whole file.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from qa import emails
from qa.audience import AudienceError, parse_audience_cell
from qa.calendar import WorkingCalendar
from qa.identifiers import cell_problem
from qa.tabular import WHOLE_FILE, Problem, clean_cell, header_problems, separator_problem, title_problem

COLUMNS = ("starts_on", "ends_on", "kind", "title", "audience", "details")
OPTIONAL_COLUMNS = ("starts_at", "ends_at", "organiser")
ALL_COLUMNS = COLUMNS + OPTIONAL_COLUMNS
# The events reminded to their audience with I'll be there / Can't make it (framework 9.3's schedule).
REMINDED_KINDS = ("learning_forum", "practice_forum", "reflective_group", "assurance_clinic")
SURVEY = "survey"  # 9.4's children and families surveys: reminded when the window opens and a week before it closes
KINDS = ("practice_week", "learning_forum", "practice_forum", "reflective_group", "assurance_clinic", "survey",
         "thematic_audit", "report")
KIND_WORDS = {
    "practice_week": "Practice week", "learning_forum": "Learning and Improvement Forum",
    "practice_forum": "Practice forum", "reflective_group": "Reflective group",
    "assurance_clinic": "Assurance clinic", "survey": "Survey window", "thematic_audit": "Thematic audit",
    "report": "Report",
}
SHEET_WORDS = ("calendar", "schedule")
MAX_LENGTHS = {"title": 200, "details": 2000, "audience": 1000}
REQUIRED = ("starts_on", "ends_on", "kind", "title")
UPCOMING_WEEKS = 8
NOTICE_DAYS_BEFORE = 5  # working days before a practice week that the first notice goes
REMINDER_WORKING_DAYS_BEFORE = 1  # a reminded event: the working day before, at the send time ...
REMINDER_MINUTES_BEFORE = 60  # ... and this long before its start time
SURVEY_CLOSING_DAYS = 7  # a survey window's second reminder: a week before it closes


class CalendarProblems(Exception):  # noqa: N818 - reads better at the raise site
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.row, ALL_COLUMNS.index(p.column)
                                                        if p.column in ALL_COLUMNS else -1))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class CalendarEntry:
    row: int
    starts_on: date
    ends_on: date
    kind: str
    title: str
    audience: str  # normalised terms joined by "; " ("" for everyone)
    details: str
    starts_at: time | None = None  # local time of day
    ends_at: time | None = None
    organiser: str = ""  # lower-case email ("" none: the QA unit)

    @property
    def key(self) -> tuple[str, date, str]:
        return (self.kind, self.starts_on, self.title)


def _normalise(heading: str) -> str:
    return "_".join(heading.strip().lower().split())


def _kind(value: str) -> str:
    return "_".join(value.strip().lower().replace("-", " ").split())


def parse_time(value: str) -> time | None:
    """A 24-hour time of day: "15:00", "15.00", "09:30", or an Excel time cell's "15:00:00"; None otherwise
    ("3pm" and "1500" are refused rather than guessed)."""
    text = value.strip()
    parts = text.replace(".", ":").split(":")
    if len(parts) == 3 and parts[2] == "00":
        parts = parts[:2]
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts) or len(parts[1]) != 2 \
            or not 1 <= len(parts[0]) <= 2:
        return None
    hour, minute = int(parts[0]), int(parts[1])
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _date(value: str) -> date | None:
    text = value.strip()
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_calendar(rows: Iterable[dict[str, str]], header: list[str],
                   organisers: Collection[str] | None = None) -> list[CalendarEntry]:
    """Check every row; the entries, or CalendarProblems listing every problem (row and column).
    `organisers`: the lower-case emails of the active roster (None: an organiser is not checked)."""
    if not header or not any(header):
        raise CalendarProblems([Problem(WHOLE_FILE, None, "the file is empty; the first row must hold the column "
                                                          "names")])
    for check in (separator_problem(header), title_problem(header, COLUMNS, _normalise)):
        if check:
            raise CalendarProblems([check])
    present = {_normalise(h) for h in header if h}
    problems = header_problems(header, COLUMNS + tuple(c for c in OPTIONAL_COLUMNS if c in present), _normalise,
                               "a calendar")
    if problems:
        raise CalendarProblems(problems)
    columns = {h: _normalise(h) for h in header if h}
    entries: list[CalendarEntry] = []
    seen: dict[tuple, int] = {}
    for number, raw in enumerate(rows, start=2):
        cells = {columns[h]: clean_cell(v) for h, v in raw.items() if h in columns}
        if not any(cells.values()):
            continue
        entry = _parse_row(number, cells, problems, organisers)
        if entry is None:
            continue
        if entry.key in seen:
            problems.append(Problem(number, "title", f"repeats row {seen[entry.key]} (same kind, start and title)"))
            continue
        seen[entry.key] = number
        entries.append(entry)
    if not entries and not problems:
        problems.append(Problem(WHOLE_FILE, None, "the file has column names but no events; nothing to import"))
    if problems:
        raise CalendarProblems(problems)
    return entries


def _parse_row(number: int, cells: dict[str, str], problems: list[Problem],
               organisers: Collection[str] | None = None) -> CalendarEntry | None:
    before = len(problems)
    for column in REQUIRED:
        if not cells.get(column):
            problems.append(Problem(number, column, "is empty"))
    for column, limit in MAX_LENGTHS.items():
        if len(cells.get(column, "")) > limit:
            problems.append(Problem(number, column, f"is longer than {limit} characters"))
    starts = _date(cells.get("starts_on", "")) if cells.get("starts_on") else None
    ends = _date(cells.get("ends_on", "")) if cells.get("ends_on") else None
    for column, value in (("starts_on", starts), ("ends_on", ends)):
        if cells.get(column) and value is None:
            problems.append(Problem(number, column, f"{cells[column]!r} is not a date as YYYY-MM-DD"))
    if starts and ends and ends < starts:
        problems.append(Problem(number, "ends_on", "is before starts_on"))
    kind = _kind(cells.get("kind", ""))
    if cells.get("kind") and kind not in KINDS:
        problems.append(Problem(number, "kind", f"{cells['kind']!r} is not a kind; kinds are {', '.join(KINDS)}"))
    audience = ""
    try:
        audience = parse_audience_cell(cells.get("audience", ""))
        if audience.channels:
            problems.append(Problem(number, "audience", "a calendar event is for people, not a channel"))
        audience = "" if audience.everyone else audience.describe()
    except AudienceError as exc:
        problems.append(Problem(number, "audience", str(exc)))
    for column in ("title", "details"):  # an event's details may name its own dates
        if reason := cell_problem(cells.get(column), dates_allowed=True):
            problems.append(Problem(number, column, reason))
    starts_at, ends_at = _times(number, cells, starts, ends, problems)
    organiser = emails.key(cells.get("organiser", "")) or cells.get("organiser", "").lower()
    if organiser and organisers is not None and organiser not in organisers:
        problems.append(Problem(number, "organiser", f"{cells['organiser']!r} is not an active person on the "
                                                     "roster; give their work email, or leave it empty"))
    if len(problems) > before:
        return None
    assert starts and ends
    return CalendarEntry(number, starts, ends, kind, cells["title"], audience, cells.get("details", ""),
                         starts_at, ends_at, organiser)


def _times(number: int, cells: dict[str, str], starts: date | None, ends: date | None,
           problems: list[Problem]) -> tuple[time | None, time | None]:
    out: list[time | None] = []
    for column in ("starts_at", "ends_at"):
        value = parse_time(cells[column]) if cells.get(column) else None
        if cells.get(column) and value is None:
            problems.append(Problem(number, column, f"{cells[column]!r} is not a time as HH:MM (24-hour, e.g. 15:00)"))
        out.append(value)
    starts_at, ends_at = out
    if cells.get("ends_at") and not cells.get("starts_at"):
        problems.append(Problem(number, "starts_at", "is empty; an end time needs a start time"))
    elif starts_at and ends_at and starts == ends and ends_at <= starts_at:
        problems.append(Problem(number, "ends_at", "is not after starts_at on a one-day event"))
    return starts_at, ends_at


# -- what is coming, and when the practice-week notices go -------------------------------------

def upcoming_window(today: date, weeks: int = UPCOMING_WEEKS) -> tuple[date, date]:
    """The days `calendar` shows: from today to `weeks` weeks on (inclusive)."""
    return today, today + timedelta(weeks=weeks)


@dataclass(frozen=True)
class NoticeMoment:
    key: str  # "before" or "first-morning"
    at: datetime  # UTC


def practice_week_notice_moments(starts_on: date, cal: WorkingCalendar,
                                 days_before: int = NOTICE_DAYS_BEFORE) -> list[NoticeMoment]:
    """When a practice week's notices go (UTC): `days_before` working days before its first day
    (at the send time, 09:00 local), and on its first morning (its first working day at send
    time). Framework 9.3 (practice weeks). Raises ValueError for days_before < 1."""
    if days_before < 1:
        raise ValueError("days_before must be at least 1 working day")
    first = cal.next_working_day(starts_on, include_self=True)
    before = cal.add_working_days(first, -days_before)
    return [NoticeMoment("before", cal.at_send_time(before)), NoticeMoment("first-morning", cal.at_send_time(first))]


def due_notices(starts_on: date, now: datetime, cal: WorkingCalendar,
                days_before: int = NOTICE_DAYS_BEFORE) -> list[NoticeMoment]:
    """The practice-week notices that should have gone by `now` and are still worth sending: the
    "before" notice from its moment until the week's first morning (an event imported late still
    gets it), the "first-morning" notice on that first working day. Each is sent once (the caller
    keys it by event and moment)."""
    before, first = practice_week_notice_moments(starts_on, cal, days_before)
    due = []
    if before.at <= now < first.at:
        due.append(before)
    if first.at <= now and cal.local_date(now) == cal.local_date(first.at):
        due.append(first)
    return due


# -- reminders of forums, reflective groups, clinics and survey windows ---------------------------

DAY_BEFORE, HOUR_BEFORE, SURVEY_OPENS, SURVEY_CLOSING = "day-before", "hour-before", "survey-opens", "survey-closing"


@dataclass(frozen=True)
class Reminder:
    """One reminder of an event: `key` (DAY_BEFORE, HOUR_BEFORE, SURVEY_OPENS, SURVEY_CLOSING), when it goes
    (`at`, UTC) and the instant after which it is of no use (`until`, UTC): an event imported late, or a bot
    that was down, still sends a reminder until then, and never after."""

    key: str
    at: datetime
    until: datetime


def event_reminders(kind: str, starts_on: date, ends_on: date, starts_at: time | None, cal: WorkingCalendar, *,
                    working_days_before: int = REMINDER_WORKING_DAYS_BEFORE,
                    minutes_before: int = REMINDER_MINUTES_BEFORE,
                    closing_days: int = SURVEY_CLOSING_DAYS) -> list[Reminder]:
    """The reminders of one event (framework 9.3's schedule, 9.4's surveys), by kind:

    - REMINDED_KINDS (forums, reflective groups, assurance clinics): DAY_BEFORE at the send time (09:00 local)
      `working_days_before` working days before its first day (a Monday event's is the Friday before; bank
      holidays skipped), of use until its day begins; and, when it has a start time, HOUR_BEFORE
      `minutes_before` minutes before it starts, of use until it starts.
    - SURVEY: SURVEY_OPENS at the send time of the window's first working day, and SURVEY_CLOSING at the send
      time of the working day on or before `closing_days` days before it closes (left out when that is not
      after the opening), each of use until the window's last day is over.
    - any other kind: none.
    Dates are local days, times local (QA_TIMEZONE). Raises ValueError for a count below 1."""
    if working_days_before < 1 or minutes_before < 1 or closing_days < 1:
        raise ValueError("reminder offsets must be at least 1")
    day_starts = datetime.combine(starts_on, time(0), tzinfo=cal.tz).astimezone(UTC)
    if kind in REMINDED_KINDS:
        out = [Reminder(DAY_BEFORE, cal.at_send_time(cal.add_working_days(starts_on, -working_days_before)),
                        day_starts)]
        if starts_at is not None:
            start = datetime.combine(starts_on, starts_at, tzinfo=cal.tz).astimezone(UTC)
            out.append(Reminder(HOUR_BEFORE, start - timedelta(minutes=minutes_before), start))
        return out
    if kind == SURVEY:
        closes = datetime.combine(ends_on + timedelta(days=1), time(0), tzinfo=cal.tz).astimezone(UTC)
        opens = cal.at_send_time(cal.next_working_day(starts_on, include_self=True))
        closing = cal.at_send_time(cal.previous_working_day(ends_on - timedelta(days=closing_days),
                                                            include_self=True))
        return [Reminder(SURVEY_OPENS, opens, closes)] + (
            [Reminder(SURVEY_CLOSING, closing, closes)] if closing > opens else [])
    return []


def due_reminders(reminders: Iterable[Reminder], slot_start: datetime, slot_end: datetime) -> list[Reminder]:
    """The reminders a look at the slot [slot_start, slot_end) sends: those whose moment has come by the slot's
    end and that are still of use at its start. Each goes once (the caller keys it by event, reminder and
    person), so one that fell in an earlier slot is sent again by nobody."""
    return [r for r in reminders if r.at < slot_end and slot_start < r.until]
