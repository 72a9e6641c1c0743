"""The supervision history file and the caseload export: check every row. Pure: no database.

Supervision history (`python -m bot supervision import FILE`), columns exactly SESSION_COLUMNS in any
order: supervisee_email, supervisor_email, kind, held_on, duration_minutes, case_refs.
- supervisee_email: on the roster (the one whose session it is; for group supervision, anyone in
  the team, whose team it records). supervisor_email: on the roster, not the supervisee.
- kind: one_to_one, case, group or agreement_review; forgiving case, spaces and hyphens, and the
  words people use ("1:1", "one to one", "case supervision", "group reflective", "agreement").
- held_on: YYYY-MM-DD, not after today (the import's day, local).
- duration_minutes: a whole number from 1 to MAX_MINUTES, or empty when the length was not recorded
  (counted as "duration not recorded" against 9.1's one and a half hours, never as short).
- case_refs: case references separated by ';', for case supervision only (required there, refused
  elsewhere); each a case reference in the council's format (qa.identifiers.case_ref_problem).
- The same supervisee, kind and day appears once in the file.
Nothing is stored about what was discussed: there is no column for it, and an extra column is refused.

Caseload (`python -m bot caseload import FILE`), columns exactly CASELOAD_COLUMNS: case_ref,
case_holder_email (an active person on the roster), last_case_supervision_on (empty or YYYY-MM-DD,
not after today). Each case appears once.

Row numbers are as a spreadsheet shows them (header = 1); problems are qa.tabular.Problem.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from qa import emails
from qa.allocations import PersonInfo
from qa.identifiers import DEFAULT_CASE_REFS, CaseRefFormat, case_ref_problem
from qa.supervision import AGREEMENT, CASE, GROUP, KINDS, ONE_TO_ONE
from qa.tabular import (
    WHOLE_FILE,
    Problem,
    clean_cell,
    header_problems,
    separator_problem,
    title_problem,
)

SESSION_COLUMNS = ("supervisee_email", "supervisor_email", "kind", "held_on", "duration_minutes", "case_refs")
CASELOAD_COLUMNS = ("case_ref", "case_holder_email", "last_case_supervision_on")
MAX_MINUTES = 600
MAX_CASES_PER_SESSION = 60
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
KIND_ALIASES = {
    "one_to_one": ONE_TO_ONE, "1:1": ONE_TO_ONE, "1_1": ONE_TO_ONE, "1to1": ONE_TO_ONE, "individual": ONE_TO_ONE,
    "one_to_one_supervision": ONE_TO_ONE, "1:1_supervision": ONE_TO_ONE,
    "case": CASE, "case_supervision": CASE, "case_level": CASE,
    "group": GROUP, "group_reflective": GROUP, "group_supervision": GROUP, "group_reflective_supervision": GROUP,
    "agreement_review": AGREEMENT, "agreement": AGREEMENT, "supervision_agreement": AGREEMENT,
    "supervision_agreement_review": AGREEMENT,
}


class SupervisionFileProblems(Exception):  # noqa: N818 - reads better at the raise site
    """The file cannot be imported; `problems` says every reason, in row order."""

    def __init__(self, problems: list[Problem], columns: Sequence[str]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.row, columns.index(p.column) if p.column in columns else -1))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class SessionEntry:
    row: int
    supervisee_id: int
    supervisor_id: int
    kind: str
    held_on: date
    duration_minutes: int | None  # None: the length was not recorded
    case_refs: tuple[str, ...]


@dataclass(frozen=True)
class CaseloadEntry:
    row: int
    case_ref: str
    case_holder_id: int
    last_case_supervision_on: date | None


def kind_word(text: str) -> str | None:
    """The kind `text` names (see KIND_ALIASES), or None."""
    return KIND_ALIASES.get(re.sub(r"[\s-]+", "_", text.strip().lower()))


def _normalise(heading: str) -> str:
    return re.sub(r"[\s-]+", "_", heading.strip().lower())


def _read(rows: Iterable[Mapping[str, str]], header: list[str], columns: Sequence[str],
          what: str) -> list[tuple[int, dict[str, str]]]:
    """The non-blank rows by row number, cells by canonical column name; problems with the header raised."""
    def fail(problems: list[Problem]) -> SupervisionFileProblems:
        return SupervisionFileProblems(problems, columns)

    if not header or not any(header):
        raise fail([Problem(WHOLE_FILE, None, "the file is empty; the first row must hold the column names")])
    for found in (separator_problem(header), title_problem(header, columns, _normalise)):
        if found:
            raise fail([found])
    problems = header_problems(header, columns, _normalise, what)
    if problems:
        raise fail(problems)
    names = {h: _normalise(h) for h in header if h}
    read = []
    for number, raw in enumerate(rows, start=2):
        cells = {names[h]: clean_cell(v) for h, v in raw.items() if h in names}
        if any(cells.values()):
            read.append((number, cells))
    if not read:
        raise fail([Problem(WHOLE_FILE, None, "the file has column names but no rows; nothing to import")])
    return read


def _date(text: str) -> date | None:
    if not ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _person(bad, column: str, text: str, known: Mapping[str, PersonInfo]) -> PersonInfo | None:
    if not text:
        bad(column, "is empty; every row needs one")
        return None
    email = emails.key(text)
    if email is None:
        bad(column, f"{text!r} is not an email address")
        return None
    person = known.get(email)
    if person is None:
        bad(column, f"{email} is not on the roster; import the roster first, or correct the email")
        return None
    return person


def parse_sessions(rows: Iterable[Mapping[str, str]], header: list[str], known: Mapping[str, PersonInfo],
                   today: date, case_refs: CaseRefFormat = DEFAULT_CASE_REFS) -> list[SessionEntry]:
    """Check every row of a supervision history file; the entries, or SupervisionFileProblems listing
    every problem. `known`: the roster by lower-case email (leavers too: history may name them);
    `case_refs`: the council's case-reference format."""
    read = _read(rows, header, SESSION_COLUMNS, "a supervision history")
    problems: list[Problem] = []
    entries: list[SessionEntry] = []
    seen: dict[tuple[str, str, str], list[int]] = {}
    for row, cells in read:
        before = len(problems)

        def bad(column: str | None, message: str, row: int = row) -> None:
            problems.append(Problem(row, column, message))

        supervisee = _person(bad, "supervisee_email", cells["supervisee_email"], known)
        supervisor = _person(bad, "supervisor_email", cells["supervisor_email"], known)
        if supervisee and supervisor and supervisee.id == supervisor.id:
            bad("supervisor_email", "is the supervisee's own email; give who supervised")
        kind = kind_word(cells["kind"]) if cells["kind"] else None
        if not cells["kind"]:
            bad("kind", f"is empty; give one of {', '.join(KINDS)}")
        elif kind is None:
            bad("kind", f"{cells['kind']!r} is not a kind of supervision; use one of {', '.join(KINDS)}")
        held_on = _date(cells["held_on"])
        if not cells["held_on"]:
            bad("held_on", "is empty; give the day it was held (YYYY-MM-DD)")
        elif held_on is None:
            bad("held_on", f"{cells['held_on']!r} is not a date in the form YYYY-MM-DD (e.g. 2026-09-01)")
        elif held_on > today:
            bad("held_on", f"{held_on.isoformat()} is in the future; only sessions already held can be recorded")
        minutes_text = cells["duration_minutes"]
        minutes = int(minutes_text) if minutes_text.isascii() and minutes_text.isdigit() else None
        if minutes_text and (minutes is None or not 1 <= minutes <= MAX_MINUTES):
            bad("duration_minutes", f"{minutes_text!r} is not a whole number of minutes from 1 to {MAX_MINUTES} "
                                    "(leave it empty when the length was not recorded)")
        refs = tuple(dict.fromkeys(r.strip() for r in cells["case_refs"].split(";") if r.strip()))
        if kind == CASE and not refs:
            bad("case_refs", "is empty; case supervision names the cases discussed (case references, ';' between)")
        elif kind is not None and kind != CASE and refs:
            bad("case_refs", f"only case supervision names cases; leave it empty for {kind}")
        if len(refs) > MAX_CASES_PER_SESSION:
            bad("case_refs", f"names {len(refs)} cases; at most {MAX_CASES_PER_SESSION} in one session")
        for position, ref in enumerate(refs, start=1):
            reason = case_ref_problem(ref, case_refs)
            if reason:
                bad("case_refs", f"case reference {position} {reason}")
        if cells["supervisee_email"] and cells["kind"] and cells["held_on"]:
            key = (emails.key(cells["supervisee_email"]) or cells["supervisee_email"].lower(), kind or cells["kind"], cells["held_on"])
            seen.setdefault(key, []).append(row)
        if len(problems) == before and supervisee and supervisor and kind and held_on:
            entries.append(SessionEntry(row, supervisee.id, supervisor.id, kind, held_on, minutes, refs))
    for rows_ in seen.values():
        if len(rows_) > 1:
            listed = ", ".join(str(r) for r in rows_)
            problems.extend(Problem(r, "held_on", f"the same supervisee, kind and day appear more than once "
                                                  f"(rows {listed})") for r in rows_)
    if problems:
        raise SupervisionFileProblems(problems, SESSION_COLUMNS)
    return entries


def parse_caseload(rows: Iterable[Mapping[str, str]], header: list[str], known: Mapping[str, PersonInfo],
                   today: date, case_refs: CaseRefFormat = DEFAULT_CASE_REFS) -> list[CaseloadEntry]:
    """Check every row of a caseload export (case references in the council's format `case_refs`);
    the entries, or SupervisionFileProblems listing every problem."""
    read = _read(rows, header, CASELOAD_COLUMNS, "a caseload")
    problems: list[Problem] = []
    entries: list[CaseloadEntry] = []
    seen: dict[str, list[int]] = {}
    for row, cells in read:
        before = len(problems)

        def bad(column: str | None, message: str, row: int = row) -> None:
            problems.append(Problem(row, column, message))

        ref = cells["case_ref"]
        if not ref:
            bad("case_ref", "is empty; every row is one case, by its case reference")
        else:
            reason = case_ref_problem(ref, case_refs)
            if reason:
                bad("case_ref", reason)
            seen.setdefault(ref.upper(), []).append(row)
        holder = _person(bad, "case_holder_email", cells["case_holder_email"], known)
        if holder is not None and not holder.active:
            bad("case_holder_email", f"{holder.email} has left (not on the latest roster); "
                                     "the case needs its current case holder")
        last = None
        if cells["last_case_supervision_on"]:
            last = _date(cells["last_case_supervision_on"])
            if last is None:
                bad("last_case_supervision_on", f"{cells['last_case_supervision_on']!r} is not a date in the form "
                                                "YYYY-MM-DD (e.g. 2026-09-01)")
            elif last > today:
                bad("last_case_supervision_on", f"{last.isoformat()} is in the future")
        if len(problems) == before and holder is not None:
            entries.append(CaseloadEntry(row, ref, holder.id, last))
    for rows_ in seen.values():
        if len(rows_) > 1:
            listed = ", ".join(str(r) for r in rows_)
            problems.extend(Problem(r, "case_ref", f"the same case appears more than once (rows {listed})")
                            for r in rows_)
    if problems:
        raise SupervisionFileProblems(problems, CASELOAD_COLUMNS)
    return entries
