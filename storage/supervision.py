"""Supervision records (framework 9.1): the history import, the caseload import, and the queries the
capability reads. Each import checks the whole file first, then writes in one transaction.

- `import_sessions`: adds the sessions not yet on record (the same supervisee, kind and day is the
  same session, so importing the same file twice adds nothing); a case supervision also moves each
  named case's last case supervision forward on the caseload.
- `import_caseload`: a full replace of the caseload, as the case-management system exports it; a
  case's last case supervision is the later of the file's and the one already on record (a session
  recorded in Teams after the export is not lost), and the day the case was first seen is kept.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from qa.allocations import PersonInfo
from qa.supervision import CASE, GROUP
from qa.supervision_files import (
    CaseloadEntry,
    SessionEntry,
    SupervisionFileProblems,
    parse_caseload,
    parse_sessions,
)
from qa.tabular import WHOLE_FILE, Problem, UnreadableTable, read_table, source_words
from storage.db import Database
from storage.models import CaseloadCase, Person, SupervisionSession, TrailEvent

log = logging.getLogger(__name__)


class SupervisionRejected(Exception):  # noqa: N818 - the CLI's word
    """A file refused whole; str() is the message for a person, one problem a line."""

    def __init__(self, path: Path, problems: list[Problem], sheet: str | None = None) -> None:
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        lines = [f"{source_words(Path(path).name, sheet)} was not imported ({count}; nothing was changed):"]
        lines += [f"  {p}" for p in problems]
        super().__init__("\n".join(lines))


def subject_for_person(person_id: int) -> str:
    return f"p{person_id}"


def subject_for_team(team: str) -> str:
    return f"t:{team}"


@dataclass
class SessionImportReport:
    source: str = ""
    added: int = 0
    unchanged: int = 0
    cases_moved: int = 0

    def describe(self) -> str:
        return (f"supervision history imported from {self.source}: {self.added} sessions added, "
                f"{self.unchanged} already on record; {self.cases_moved} cases' last case supervision moved forward")


@dataclass
class CaseloadImportReport:
    source: str = ""
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def describe(self) -> str:
        return (f"caseload imported from {self.source}: {self.added} cases added, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.removed} no longer on the caseload removed")


async def known_people(session: AsyncSession) -> dict[str, PersonInfo]:
    result = await session.execute(select(Person.id, Person.email, Person.role, Person.left_at))
    return {row.email.lower(): PersonInfo(id=row.id, email=row.email.lower(), role=row.role,
                                          active=row.left_at is None) for row in result}


def _read(path: Path, what: str):
    try:
        return read_table(path, what, ("supervision", "caseload"))
    except UnreadableTable as exc:
        raise SupervisionRejected(path, exc.problems) from None


async def import_sessions(db: Database, path: Path, now: datetime, tz: tzinfo, *, actor_id: int | None = None,
                          via: str = "cli:supervision import") -> SessionImportReport:
    """Check `path` whole, then add the sessions not yet recorded. SupervisionRejected: nothing written."""
    table = _read(path, "a supervision history")
    today = now.astimezone(tz).date()
    try:
        async with db.sessions.begin() as session:
            try:
                entries = parse_sessions(table.rows, table.header, await known_people(session), today)
            except SupervisionFileProblems as exc:
                raise SupervisionRejected(path, exc.problems, table.sheet) from None
            report = await _add_sessions(session, entries, now, actor_id, via)
            session.add(TrailEvent(subject_type="supervision", actor_id=actor_id, action="supervision_imported",
                                   via=via, detail={"rows": len(entries), "added": report.added,
                                                    "unchanged": report.unchanged}, at=now))
    except IntegrityError:
        raise SupervisionRejected(path, [Problem(WHOLE_FILE, None, (
            "someone recorded supervision at the same time; run the import again"))], table.sheet) from None
    report.source = source_words(Path(path).name, table.sheet)
    log.info("supervision imported added=%d unchanged=%d", report.added, report.unchanged)
    return report


async def _add_sessions(session: AsyncSession, entries: list[SessionEntry], now: datetime, actor_id: int | None,
                        via: str) -> SessionImportReport:
    report = SessionImportReport()
    teams = {row.id: row.team for row in await session.execute(select(Person.id, Person.team))}
    on_record = {(row.subject, row.kind, row.held_on) for row in await session.execute(
        select(SupervisionSession.subject, SupervisionSession.kind, SupervisionSession.held_on))}
    rows: list[dict] = []
    latest_case: dict[str, date] = {}
    for e in entries:
        team = teams.get(e.supervisee_id, "")
        subject = subject_for_team(team) if e.kind == GROUP else subject_for_person(e.supervisee_id)
        key = (subject, e.kind, e.held_on)
        if key in on_record:
            report.unchanged += 1
            continue
        on_record.add(key)
        rows.append({"subject": subject, "supervisee_id": None if e.kind == GROUP else e.supervisee_id,
                     "team": team, "supervisor_id": e.supervisor_id, "kind": e.kind, "held_on": e.held_on,
                     "duration_minutes": e.duration_minutes, "case_refs": list(e.case_refs), "state": "recorded",
                     "reviewed_observation": False, "recorded_by_id": actor_id, "via": via, "recorded_at": now})
        if e.kind == CASE:
            for ref in e.case_refs:
                latest_case[ref.upper()] = max(latest_case.get(ref.upper(), e.held_on), e.held_on)
        report.added += 1
    if rows:
        await session.execute(insert(SupervisionSession), rows)
    report.cases_moved = await move_cases_forward(session, latest_case)
    return report


async def move_cases_forward(session: AsyncSession, latest: dict[str, date]) -> int:
    """Set each case's last case supervision to the day given (case refs upper-cased) when later."""
    if not latest:
        return 0
    moved = []
    for case in (await session.execute(select(CaseloadCase.id, CaseloadCase.case_ref,
                                              CaseloadCase.last_case_supervision_on))).all():
        day = latest.get(case.case_ref.upper())
        if day is not None and (case.last_case_supervision_on is None or day > case.last_case_supervision_on):
            moved.append({"id": case.id, "last_case_supervision_on": day})
    if moved:
        await session.execute(update(CaseloadCase), moved)
    return len(moved)


async def import_caseload(db: Database, path: Path, now: datetime, tz: tzinfo, *, actor_id: int | None = None,
                          via: str = "cli:caseload import") -> CaseloadImportReport:
    """Check `path` whole, then replace the caseload with it. SupervisionRejected: nothing written."""
    table = _read(path, "a caseload")
    today = now.astimezone(tz).date()
    try:
        async with db.sessions.begin() as session:
            try:
                entries = parse_caseload(table.rows, table.header, await known_people(session), today)
            except SupervisionFileProblems as exc:
                raise SupervisionRejected(path, exc.problems, table.sheet) from None
            report = await _replace_caseload(session, entries, now, today)
            session.add(TrailEvent(subject_type="caseload", actor_id=actor_id, action="caseload_imported", via=via,
                                   detail={"cases": len(entries), "added": report.added, "removed": report.removed},
                                   at=now))
    except IntegrityError:
        raise SupervisionRejected(path, [Problem(WHOLE_FILE, None, (
            "the caseload changed at the same time; run the import again"))], table.sheet) from None
    report.source = source_words(Path(path).name, table.sheet)
    log.info("caseload imported added=%d updated=%d removed=%d", report.added, report.updated, report.removed)
    return report


async def _replace_caseload(session: AsyncSession, entries: list[CaseloadEntry], now: datetime,
                            today: date) -> CaseloadImportReport:
    report = CaseloadImportReport()
    old = {row.case_ref.upper(): row for row in (await session.execute(
        select(CaseloadCase.id, CaseloadCase.case_ref, CaseloadCase.case_holder_id,
               CaseloadCase.last_case_supervision_on))).all()}
    inserts, updates = [], []
    for e in entries:
        was = old.pop(e.case_ref.upper(), None)
        if was is None:
            inserts.append({"case_ref": e.case_ref, "case_holder_id": e.case_holder_id,
                            "last_case_supervision_on": e.last_case_supervision_on, "first_seen_on": today,
                            "imported_at": now})
            report.added += 1
            continue
        last = max((d for d in (e.last_case_supervision_on, was.last_case_supervision_on) if d), default=None)
        if (was.case_ref, was.case_holder_id, was.last_case_supervision_on) == (e.case_ref, e.case_holder_id, last):
            report.unchanged += 1
            continue
        updates.append({"id": was.id, "case_ref": e.case_ref, "case_holder_id": e.case_holder_id,
                        "last_case_supervision_on": last, "imported_at": now})
        report.updated += 1
    gone = [row.id for row in old.values()]
    for start in range(0, len(gone), 500):
        await session.execute(delete(CaseloadCase).where(CaseloadCase.id.in_(gone[start:start + 500])))
    report.removed = len(gone)
    if updates:
        await session.execute(update(CaseloadCase), updates)
    if inserts:
        await session.execute(insert(CaseloadCase), inserts)
    return report
