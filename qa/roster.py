"""The staff roster file: read it (.csv or .xlsx) and check every row. Pure: no database.

Rules (decided here; docs/roster.md says the same for the people preparing the file):
- Columns: exactly COLUMNS, in any order. Headings are matched ignoring case and
  surrounding spaces. A bad header stops checking at row 1 (the rows cannot be read
  reliably without it); a title above the header is said in one line.
- .xlsx: the first visible sheet, or a visible one named for the roster ("Roster", "Staff
  roster"); hidden sheets are never read (qa.tabular).
- Row numbers are as a spreadsheet shows them: the header is row 1. Wholly blank rows
  are skipped (but still counted).
- Required cells: email, display_name, role, team; service_area too except for qa_unit,
  principal_social_worker, iro and cp_chair. Practitioners and practice managers work in exactly one
  service area; other roles may hold several, separated by ';'.
- role: one of qa.framework.ROLES; case, spaces and hyphens are forgiven
  ("Practice Manager" is practice_manager).
- supervisor_email: optional; when given it must be someone in the same file (people
  missing from the file are marked as left, so nobody else stays active), and not the
  person themself.
- asye_start_date: empty or YYYY-MM-DD (date cells in .xlsx are accepted as they are).
  Dates such as 01/09/2025 are refused rather than guessed (day or month first?).
- start_date: an optional column (files without it are read as before): empty or YYYY-MM-DD like
  asye_start_date; the day the person joined the service. Empty means established: no new-starter
  duties, and sessions held before the import are accepted (qa.supervision).
- registration_number: an optional column like start_date: empty, or a Social Work England
  registration number, "SW" and its digits (SW12345; case and inner spaces forgiven, stored as
  SW12345), only for someone marked registered (framework 9.2: the principal social worker tests
  registration compliance).
- registered: empty (= no), yes/no, y/n or true/false, in any case.
- aad_object_id: empty or an Entra object id (a GUID); stored lower-case.
- Emails follow qa.emails (RFC 5322's dot-atom: apostrophes, plus signs, hyphens; internationalised
  domains), are trimmed and stored lower-case (qa.emails.key); each appears once in the file
  (compared without case), and so does each aad_object_id.
- Text is trimmed and NFC-normalised, so accents typed on different systems compare equal.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from qa import emails
from qa.framework import ROLES, Role
from qa.identifiers import cell_problem
from qa.tabular import (
    DEFAULT_LIMITS,
    WHOLE_FILE,
    Problem,
    ReadLimits,
    Table,
    UnreadableTable,
    clean_cell,
    header_problems,
    read_table,
    separator_problem,
    title_problem,
)

__all__ = ["COLUMNS", "OPTIONAL_COLUMNS", "WHOLE_FILE", "Problem", "RosterEntry", "RosterProblems", "Table", "parse_roster",
           "read_roster_file", "swe_number"]

# In a workbook, a visible sheet whose name says this is read rather than the first visible one.
SHEET_WORDS = ("roster",)
WHAT = "a roster"
COLUMNS = (
    "email", "display_name", "role", "team", "service_area",
    "supervisor_email", "asye_start_date", "registered", "aad_object_id",
)
# Columns a file may leave out; with one present the header must hold it once like the others.
OPTIONAL_COLUMNS = ("start_date", "registration_number")
REQUIRED = ("email", "display_name", "role", "team")
FREE_TEXT = ("display_name", "team", "service_area")  # screened like typed text (qa.identifiers.cell_problem)
AREA_OPTIONAL_ROLES = frozenset({Role.QA_UNIT, Role.PRINCIPAL_SOCIAL_WORKER, Role.IRO, Role.CP_CHAIR})
SINGLE_AREA_ROLES = frozenset({Role.PRACTITIONER, Role.PRACTICE_MANAGER})
# Column widths in storage.models.Person: PostgreSQL enforces them, so check them here.
MAX_LENGTHS = {"email": 320, "display_name": 200, "team": 200, "service_area": 1000, "supervisor_email": 320}
YES = frozenset({"yes", "y", "true"})
NO = frozenset({"no", "n", "false", ""})
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Social Work England's registration numbers: "SW" and digits (SW12345); at most 10 digits fit the column.
SWE_NUMBER = re.compile(r"^SW\d{1,10}$")


class RosterProblems(Exception):  # noqa: N818 - the name the design gave it
    """The file cannot be imported; `problems` says every reason, in row order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=_problem_order)
        super().__init__("\n".join(str(p) for p in self.problems))


def _problem_order(p: Problem) -> tuple[int, int]:
    order = COLUMNS + OPTIONAL_COLUMNS
    return p.row, order.index(p.column) if p.column in order else -1


@dataclass(frozen=True)
class RosterEntry:
    """One checked, normalised row: the values a Person gets."""

    row: int
    email: str
    display_name: str
    role: str
    team: str
    service_area: str  # areas joined by ';' without spaces, duplicates dropped
    supervisor_email: str | None
    asye_start_date: date | None
    registered: bool
    aad_object_id: str | None
    start_date: date | None = None  # the day they joined the service; None: established
    registration_number: str | None = None  # Social Work England's, SW and digits; None: not given


# ---------------------------------------------------------------- reading files


def read_roster_file(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> Table:
    """The header, the rows (heading -> cell text) and the sheet read of a .csv or .xlsx roster.

    Raises RosterProblems for a file that cannot be read at all. A column without a name
    (but with data, or before a named one) appears in the header as "" so parse_roster can
    point at it. The reading itself is qa.tabular's, shared with the allocation import.
    """
    try:
        return read_table(path, WHAT, SHEET_WORDS, limits)
    except UnreadableTable as exc:
        raise RosterProblems(exc.problems) from None


# ---------------------------------------------------------------- checking rows


def parse_roster(rows: Iterable[dict[str, str]], header: list[str]) -> list[RosterEntry]:
    """Check every row; return the entries, or raise RosterProblems listing every problem."""
    if not header:
        raise RosterProblems([Problem(WHOLE_FILE, None, "the file is empty; the first row must hold the column names")])
    if not any(header):
        raise RosterProblems([Problem(1, None, "is empty; the first row must hold the column names")])
    _check_header(header)
    columns = {h: _normalise(h) for h in header if h}  # heading as written -> canonical name

    problems: list[Problem] = []
    entries: list[RosterEntry] = []
    read: list[tuple[int, dict[str, str]]] = []  # every non-blank row, valid or not
    for row_number, raw in enumerate(rows, start=2):
        cells = {columns[h]: clean_cell(v) for h, v in raw.items() if h in columns}
        if not any(cells.values()):
            continue  # a blank line
        read.append((row_number, cells))
        entry = _parse_row(row_number, cells, problems)
        if entry is not None:
            entries.append(entry)
    if not read:
        problems.append(Problem(WHOLE_FILE, None, "the file has column names but no people; nothing to import"))
    problems.extend(_cross_row_problems(read))
    if problems:
        raise RosterProblems(problems)
    return entries


def _check_header(header: list[str]) -> None:
    separator = separator_problem(header)
    if separator:
        raise RosterProblems([separator])
    title = title_problem(header, COLUMNS + OPTIONAL_COLUMNS, _normalise)
    if title:
        raise RosterProblems([title])
    present = {_normalise(h) for h in header}
    expected = COLUMNS + tuple(c for c in OPTIONAL_COLUMNS if c in present)
    problems = header_problems(header, expected, _normalise, "a roster")
    if problems:
        raise RosterProblems(problems)



def _normalise(heading: str) -> str:
    return heading.strip().lower()


def _parse_row(row: int, cells: dict[str, str], problems: list[Problem]) -> RosterEntry | None:
    before = len(problems)

    def bad(column: str | None, message: str) -> None:
        problems.append(Problem(row, column, message))

    for column in REQUIRED:
        if not cells[column]:
            bad(column, "is empty; every person needs one")
    for column, limit in MAX_LENGTHS.items():
        if len(cells[column]) > limit:
            bad(column, f"is {len(cells[column])} characters long; at most {limit} fit")

    for column in FREE_TEXT:  # staff details, but a child's details pasted here would be kept too
        if reason := cell_problem(cells[column]):
            bad(column, reason)

    email = emails.key(cells["email"]) or cells["email"].lower()
    if cells["email"] and not emails.is_email(cells["email"]):
        bad("email", f"{cells['email']!r} is not an email address")

    role = re.sub(r"[\s-]+", "_", cells["role"].lower())
    if cells["role"] and role not in ROLES:
        bad("role", f"{cells['role']!r} is not a role; use one of {', '.join(ROLES)}")

    areas = list(dict.fromkeys(a.strip() for a in cells["service_area"].split(";") if a.strip()))
    if role in ROLES:
        if not areas and role not in AREA_OPTIONAL_ROLES:
            bad("service_area", f"is empty; a {role} needs a service area")
        if len(areas) > 1 and role in SINGLE_AREA_ROLES:
            bad("service_area", f"a {role} works in one service area, not {len(areas)} ({'; '.join(areas)})")

    supervisor = emails.key(cells["supervisor_email"]) or cells["supervisor_email"].lower() or None
    if supervisor and not emails.is_email(supervisor):
        bad("supervisor_email", f"{cells['supervisor_email']!r} is not an email address")
    elif supervisor and supervisor == email:
        bad("supervisor_email", "is the person's own email; leave it empty if they have no supervisor here")

    asye = None
    if cells["asye_start_date"]:
        asye = _parse_date(cells["asye_start_date"])
        if asye is None:
            bad("asye_start_date", f"{cells['asye_start_date']!r} is not a date in the form YYYY-MM-DD (e.g. 2025-09-01)")

    start = None
    if start_text := cells.get("start_date", ""):
        start = _parse_date(start_text)
        if start is None:
            bad("start_date", f"{start_text!r} is not a date in the form YYYY-MM-DD (e.g. 2026-01-05)")

    registered_text = cells["registered"].lower()
    if registered_text not in YES | NO:
        bad("registered", f"{cells['registered']!r} is not yes or no")

    registration = None
    if number_text := cells.get("registration_number", ""):
        registration = swe_number(number_text)
        if registration is None:
            bad("registration_number", f"{number_text!r} is not a Social Work England registration number: "
                                       "SW followed by digits (e.g. SW12345)")
        elif registered_text in NO:
            bad("registration_number", "is given but registered is not yes; a registration number is for "
                                       "registered staff")

    aad = None
    if cells["aad_object_id"]:
        try:
            aad = str(uuid.UUID(cells["aad_object_id"]))
        except ValueError:
            bad("aad_object_id", (f"{cells['aad_object_id']!r} is not an Entra object id "
                                  "(a GUID such as 6f1c2a3b-0000-4000-8000-123456789abc)"))

    if len(problems) > before:
        return None
    return RosterEntry(
        row=row, email=email, display_name=cells["display_name"], role=role, team=cells["team"],
        service_area=";".join(areas), supervisor_email=supervisor, asye_start_date=asye,
        registered=registered_text in YES, aad_object_id=aad, start_date=start,
        registration_number=registration,
    )


def swe_number(text: str) -> str | None:
    """A Social Work England registration number as stored ("SW12345"), from what a file or a person
    typed (case and spaces forgiven: "sw 12345"); None when it is not "SW" followed by digits."""
    compact = re.sub(r"\s+", "", text).upper()
    return compact if SWE_NUMBER.match(compact) else None


def _parse_date(text: str) -> date | None:
    if not ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _cross_row_problems(read: list[tuple[int, dict[str, str]]]) -> list[Problem]:
    """Checks that need the whole file: duplicates and supervisors.

    They look at every row, valid or not, so that a row failing for one reason does not
    hide (or invent) a duplicate or a missing supervisor elsewhere.
    """
    found: list[Problem] = []
    by_email: dict[str, list[int]] = {}
    aads: dict[str, list[int]] = {}
    for row, cells in read:
        if cells["email"]:
            by_email.setdefault(emails.key(cells["email"]) or cells["email"].lower(), []).append(row)
        if cells["aad_object_id"]:
            aads.setdefault(cells["aad_object_id"].lower().strip("{}"), []).append(row)
    for column, by_value in (("email", by_email), ("aad_object_id", aads)):
        for value, rows in by_value.items():
            if len(rows) > 1:
                listed = ", ".join(str(r) for r in rows)
                found.extend(Problem(r, column, f"{value!r} appears more than once (rows {listed})") for r in rows)
    for row, cells in read:
        supervisor = emails.key(cells["supervisor_email"])
        if supervisor and supervisor not in by_email:
            found.append(Problem(row, "supervisor_email", (
                f"{supervisor!r} is not in this file; supervisors must be on the roster too "
                "(anyone missing from the file is marked as left)")))
    return found
