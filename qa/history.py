"""The QA unit's register of past audits, imported once at go-live: read it and check every row. Pure.

So the first quarterly report has previous quarters to compare with (framework 9.3: "compared to
performance across previous quarters"), the audits the QA unit completed before the bot are
imported as completed audits, flagged "imported" (storage/history.py).

Rules (the README's "Past audits" section says the same for the QA unit preparing the file):
- Columns, in any order, headings matched as the allocation list's are (case, spaces, hyphens
  and underscores forgiven): month, case_ref, service_area, team and grade are required;
  auditor_email, allocated_on, submitted_on and the seven key areas (qa.framework.KEY_AREAS,
  "Narrative/History" ... "Management oversight") may be left out. Any other column is refused,
  and a column that would carry a child's details (name, date of birth, address ...) is refused
  first, by name, as for the allocation list (qa.allocations.identifying_columns).
- month: YYYY-MM, before the month the file is imported in (this is history).
- case_ref: the council's case-reference format (QA_CASE_REF_PATTERN; qa.identifiers.case_ref_problem).
  A month and case appear once in the file.
- service_area, team: free text screened as typed text is (qa.identifiers.cell_problem).
- grade and each key area: one of qa.framework.GRADES, case forgiven; a key area may be empty
  (not known).
- auditor_email: optional: auditors may have left, and an old register may not say. When given it
  must be an email address; it need not be on the roster.
- allocated_on, submitted_on: optional, YYYY-MM-DD (date cells in .xlsx as they are); submitted
  not before allocated, and not after the day of the import. Without submitted_on the audit is
  counted as completed but neither on time nor late.
- Row numbers are as a spreadsheet shows them (header = row 1); wholly blank rows are skipped.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from qa import emails
from qa.allocations import check_month, identifying_columns, normalise_heading
from qa.framework import GRADES, KEY_AREAS
from qa.identifiers import DEFAULT_CASE_REFS, CaseRefFormat, case_ref_problem, cell_problem
from qa.tabular import (
    WHOLE_FILE,
    Problem,
    clean_cell,
    column_letter,
    header_problems,
    repeated_rows,
    separator_problem,
    title_problem,
)

SHEET_WORDS = ("history", "register", "audits")
WHAT = "a register of past audits"
REQUIRED = ("month", "case_ref", "service_area", "team", "grade")
# Key-area headings: the framework's names, normalised as every heading is ("narrative/history").
KEY_AREA_COLUMNS = {normalise_heading(area): area for area in KEY_AREAS}
OPTIONAL = ("auditor_email", "allocated_on", "submitted_on", *KEY_AREA_COLUMNS)
COLUMNS = REQUIRED + OPTIONAL
FREE_TEXT = ("service_area", "team")
# Column widths in storage.models.ImportedAudit: PostgreSQL enforces them, so check them here.
MAX_LENGTHS = {"service_area": 200, "team": 200, "auditor_email": 320}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
GRADE_WORDS = {g.casefold(): g for g in GRADES}


class HistoryProblems(Exception):  # noqa: N818 - named as RosterProblems and AllocationProblems are
    """The file cannot be imported; `problems` says every reason, in row order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.row, COLUMNS.index(p.column)
                                                         if p.column in COLUMNS else -1))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class HistoryEntry:
    """One checked row: a completed audit from before the bot."""

    row: int
    month: str
    case_ref: str
    service_area: str
    team: str
    grade: str
    key_areas: dict[str, str] = field(default_factory=dict)  # key area -> grade, only those known
    auditor_email: str | None = None
    allocated_on: date | None = None
    submitted_on: date | None = None


def parse_history(header: list[str], rows: Iterable[dict[str, str]], this_month: str, today: date,
                  case_refs: CaseRefFormat = DEFAULT_CASE_REFS) -> list[HistoryEntry]:
    """Check the whole file imported in `this_month` ("YYYY-MM") on `today` (local dates), case
    references against the council's format; return the entries or raise HistoryProblems naming
    every problem by row and column."""
    if not header:
        raise HistoryProblems([Problem(WHOLE_FILE, None, "the file is empty; the first row must hold the column names")])
    _check_header(header)
    columns = {h: normalise_heading(h) for h in header if h}
    problems: list[Problem] = []
    entries: list[HistoryEntry] = []
    seen: dict[tuple[str, str], list[int]] = {}
    for row_number, raw in enumerate(rows, start=2):
        cells = {columns[h]: clean_cell(v) for h, v in raw.items() if h in columns}
        if not any(cells.values()):
            continue
        if cells.get("month") and cells.get("case_ref"):
            seen.setdefault((cells["month"], cells["case_ref"].upper()), []).append(row_number)
        entry = _parse_row(row_number, cells, this_month, today, case_refs, problems)
        if entry is not None:
            entries.append(entry)
    if not seen and not problems:
        problems.append(Problem(WHOLE_FILE, None, "the file has column names but no audits; nothing to import"))
    for (month, _case), found in seen.items():
        problems.extend(repeated_rows(found, "case_ref", f"the same case appears more than once for {month}"))
    if problems:
        raise HistoryProblems(problems)
    return entries


def _check_header(header: list[str]) -> None:
    separator = separator_problem(header)
    if separator:
        raise HistoryProblems([separator])
    identifying = [(i, h, what) for i, h, what in identifying_columns(header) if normalise_heading(h) not in COLUMNS]
    if identifying:
        problems = [Problem(1, None, f"column {column_letter(i)} {heading!r} would hold {what} about a child")
                    for i, heading, what in identifying]
        problems.append(Problem(1, None, (
            "the bot holds case references only, never a child's name, date of birth, address or other "
            "identifying details: delete those columns and send the file again (nothing was imported)")))
        raise HistoryProblems(problems)
    title = title_problem(header, COLUMNS, normalise_heading)
    if title:
        raise HistoryProblems([title])
    present = {normalise_heading(h) for h in header}
    expected = REQUIRED + tuple(c for c in OPTIONAL if c in present)
    problems = header_problems(header, expected, normalise_heading, "a past audits")
    if problems:
        problems[-1] = Problem(1, None, (f"the columns must be {', '.join(REQUIRED)}, and may add "
                                         f"{', '.join(OPTIONAL[:3])} and the key areas ({', '.join(KEY_AREAS)})"))
        raise HistoryProblems(problems)


def _parse_row(row: int, cells: dict[str, str], this_month: str, today: date, case_refs: CaseRefFormat,
               problems: list[Problem]) -> HistoryEntry | None:
    before = len(problems)

    def bad(column: str, message: str) -> None:
        problems.append(Problem(row, column, message))

    for column in REQUIRED:
        if not cells[column]:
            bad(column, "is empty; every past audit needs one")
    for column, limit in MAX_LENGTHS.items():
        if len(cells.get(column, "")) > limit:
            bad(column, f"is {len(cells[column])} characters long; at most {limit} fit")
    for column in FREE_TEXT:
        if reason := cell_problem(cells[column]):
            bad(column, reason)
    if cells["month"]:
        try:
            check_month(cells["month"])
            if cells["month"] >= this_month:
                bad("month", f"{cells['month']} is not before {this_month}; this file is for audits done before the bot")
        except ValueError as exc:
            bad("month", str(exc))
    if cells["case_ref"] and (reason := case_ref_problem(cells["case_ref"], case_refs)):
        bad("case_ref", reason)
    grade = _grade(cells["grade"])
    if cells["grade"] and grade is None:
        bad("grade", f"{cells['grade']!r} is not a grade; use one of {', '.join(GRADES)}")
    key_areas: dict[str, str] = {}
    for column, area in KEY_AREA_COLUMNS.items():
        text = cells.get(column, "")
        if not text:
            continue
        judged = _grade(text)
        if judged is None:
            bad(column, f"{text!r} is not a grade; use one of {', '.join(GRADES)}, or leave it empty if not known")
        else:
            key_areas[area] = judged
    auditor = cells.get("auditor_email", "")
    if auditor and not emails.is_email(auditor):
        bad("auditor_email", f"{auditor!r} is not an email address; leave it empty if not known")
    dates: dict[str, date | None] = {}
    for column in ("allocated_on", "submitted_on"):
        text = cells.get(column, "")
        dates[column] = _date(text) if text else None
        if text and dates[column] is None:
            bad(column, f"{text!r} is not a date in the form YYYY-MM-DD (e.g. 2026-03-14)")
        elif dates[column] is not None and dates[column] > today:
            bad(column, f"{text} is in the future")
    allocated, submitted = dates["allocated_on"], dates["submitted_on"]
    if allocated and submitted and submitted < allocated:
        bad("submitted_on", f"{submitted.isoformat()} is before the audit was allocated ({allocated.isoformat()})")
    if len(problems) > before or grade is None:
        return None
    return HistoryEntry(
        row=row, month=cells["month"], case_ref=cells["case_ref"], service_area=" ".join(cells["service_area"].split()),
        team=" ".join(cells["team"].split()), grade=grade, key_areas=key_areas,
        auditor_email=(emails.key(auditor) or auditor.lower()) if auditor else None,
        allocated_on=allocated, submitted_on=submitted)


def _grade(text: str) -> str | None:
    return GRADE_WORDS.get(" ".join(text.split()).casefold())


def _date(text: str) -> date | None:
    if not ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
