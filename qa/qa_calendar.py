"""The QA calendar: the year's schedule from framework section 9.3's audit schedule table
(quarterly practice weeks, monthly Learning and Improvement Forums, practice forums, reflective
groups, assurance clinics, survey windows, thematic audit months, reports). Pure: no database.

The file (.csv or .xlsx, read by qa.tabular like the roster):
- Columns: exactly COLUMNS in any order (headings matched ignoring case and spaces).
- starts_on, ends_on: YYYY-MM-DD (date cells in .xlsx accepted); ends_on on or after starts_on;
  other forms (01/09/2026) are refused rather than guessed.
- kind: one of KINDS (case, spaces and hyphens forgiven: "Practice week" is practice_week).
- title: required, at most 200 characters; details: optional, at most 2,000 (the practice-week
  notices say them). Neither may hold a child's details (qa.identifiers).
- audience: empty (everyone) or terms separated by ';' (qa.audience).
- The same (kind, starts_on, title) appears once.
Problems name the spreadsheet row (header = 1) and column; one bad row refuses the whole file.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from qa.audience import AudienceError, parse_audience_cell
from qa.calendar import WorkingCalendar
from qa.identifiers import cell_problem
from qa.tabular import WHOLE_FILE, Problem, clean_cell, header_problems, separator_problem, title_problem

COLUMNS = ("starts_on", "ends_on", "kind", "title", "audience", "details")
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


class CalendarProblems(Exception):  # noqa: N818 - reads better at the raise site
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.row, COLUMNS.index(p.column) if p.column in COLUMNS else -1))
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

    @property
    def key(self) -> tuple[str, date, str]:
        return (self.kind, self.starts_on, self.title)


def _normalise(heading: str) -> str:
    return "_".join(heading.strip().lower().split())


def _kind(value: str) -> str:
    return "_".join(value.strip().lower().replace("-", " ").split())


def _date(value: str) -> date | None:
    text = value.strip()
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_calendar(rows: Iterable[dict[str, str]], header: list[str]) -> list[CalendarEntry]:
    """Check every row; the entries, or CalendarProblems listing every problem (row and column)."""
    if not header or not any(header):
        raise CalendarProblems([Problem(WHOLE_FILE, None, "the file is empty; the first row must hold the column "
                                                          "names")])
    for check in (separator_problem(header), title_problem(header, COLUMNS, _normalise)):
        if check:
            raise CalendarProblems([check])
    problems = header_problems(header, COLUMNS, _normalise, "a calendar")
    if problems:
        raise CalendarProblems(problems)
    columns = {h: _normalise(h) for h in header if h}
    entries: list[CalendarEntry] = []
    seen: dict[tuple, int] = {}
    for number, raw in enumerate(rows, start=2):
        cells = {columns[h]: clean_cell(v) for h, v in raw.items() if h in columns}
        if not any(cells.values()):
            continue
        entry = _parse_row(number, cells, problems)
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


def _parse_row(number: int, cells: dict[str, str], problems: list[Problem]) -> CalendarEntry | None:
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
    if len(problems) > before:
        return None
    assert starts and ends
    return CalendarEntry(number, starts, ends, kind, cells["title"], audience, cells.get("details", ""))


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
