"""Importing the QA unit's past audits (qa/history.py checks the file), and reading them as register rows.

Imported audits live in their own table (storage.models.ImportedAudit): nothing of the live cycle
acts on them. The analysis counts them with the live ones (`register_rows`, flagged `imported`),
and the register shows them marked "Imported".

Re-importing the same file changes nothing; a corrected file updates the audits it names (by month
and case reference) and never deletes one.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from qa import emails
from qa.history import SHEET_WORDS, WHAT, HistoryEntry, HistoryProblems, parse_history
from qa.identifiers import DEFAULT_CASE_REFS, CaseRefFormat
from qa.reports import RegisterRow
from qa.tabular import DEFAULT_LIMITS, WHOLE_FILE, Problem, ReadLimits, UnreadableTable, source_words
from storage import files
from storage.db import Database
from storage.files import Source
from storage.models import Allocation, ImportedAudit, Person, TrailEvent

log = logging.getLogger(__name__)

FIELDS = ("service_area", "team", "auditor_email", "auditor_id", "grade", "key_areas", "allocated_on",
          "submitted_on")
IMPORTED_ACTION = "history_imported"


class HistoryRejected(Exception):  # noqa: N818 - named as RosterRejected and AllocationsRejected are
    """The file was refused whole; str() is the message for a person, one problem a line."""

    def __init__(self, source_name: str, problems: list[Problem], sheet: str | None = None) -> None:
        self.source_name = source_name
        self.problems = problems
        self.sheet = sheet
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        lines = [f"{source_words(source_name, sheet)} was not imported ({count}; nothing was changed):"]
        lines += [f"  {p}" for p in problems]
        super().__init__("\n".join(lines))


@dataclass
class HistoryImportReport:
    source_name: str = ""
    sheet: str | None = None
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    months: tuple[str, ...] = ()  # the months the file covers, in order

    def describe(self) -> str:
        span = f" ({self.months[0]} to {self.months[-1]})" if self.months else ""
        return (f"past audits imported from {source_words(self.source_name, self.sheet)}{span}: {self.added} added, "
                f"{self.updated} updated, {self.unchanged} unchanged")


async def import_history(db: Database, source: Source, now: datetime, tz: tzinfo, *, actor_id: int | None, via: str,
                         case_refs: CaseRefFormat = DEFAULT_CASE_REFS,
                         limits: ReadLimits = DEFAULT_LIMITS, dry_run: bool = False) -> HistoryImportReport:
    """Check the file whole (months before `now`'s month in `tz`; case references in the council's
    format), then add or update its audits in one transaction, with one trail row (a file longer
    than limits.batch_rows in batches: storage/files.py write_in_batches).

    Raises HistoryRejected (nothing written) for an unreadable file, a bad header or row, or a case
    the bot already holds as a live allocation of that month; files.ImportInterrupted when a long
    file stopped part-way (the audits written are as the file says; importing it again finishes).
    `source` may be an upload's (bytes, file name); `dry_run` (a preview in chat): the same checks and
    statements in one transaction rolled back, whatever the file's length: nothing written.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    name = files.source_name(source)
    today = now.astimezone(tz).date()
    try:
        table = await files.read_source(source, WHAT, SHEET_WORDS, limits)
    except UnreadableTable as exc:
        raise HistoryRejected(name, exc.problems) from None
    try:
        entries = await files.off_loop(parse_history, table.header, table.rows, today.strftime("%Y-%m"), today,
                                       case_refs)
    except HistoryProblems as exc:
        raise HistoryRejected(name, exc.problems, table.sheet) from None
    report = HistoryImportReport()

    async def plan(session: AsyncSession) -> files.Plan:
        return await _plan(session, entries, now, actor_id, via, report)

    try:
        await files.write_in_batches(db, len(entries), plan, source=source_words(name, table.sheet), limits=limits,
                                     dry_run=dry_run)
    except HistoryProblems as exc:
        raise HistoryRejected(name, exc.problems, table.sheet) from None
    except IntegrityError:
        raise HistoryRejected(name, [Problem(WHOLE_FILE, None, (
            "someone else imported past audits at the same time; send the file again"))], table.sheet) from None
    report.source_name, report.sheet = name, table.sheet
    log.info("history %s added=%d updated=%d unchanged=%d", "previewed" if dry_run else "imported",
             report.added, report.updated, report.unchanged)
    return report


async def _plan(session: AsyncSession, entries: list[HistoryEntry], now: datetime, actor_id: int | None,
                via: str, report: HistoryImportReport) -> files.Plan:
    """The audits to add and update (counted into `report`), the trail row last; HistoryProblems when
    a case is a live allocation of its month."""
    months = sorted({e.month for e in entries})
    live = {(m, ref.upper()) for m, ref in await session.execute(
        select(Allocation.month, Allocation.case_ref).where(Allocation.month.in_(months)))}
    clashes = [Problem(e.row, "case_ref", f"is already allocated for {e.month} in the bot; leave it out of this file")
               for e in entries if (e.month, e.case_ref.upper()) in live]
    if clashes:
        raise HistoryProblems(clashes)
    people = {(emails.key(email) or email.lower()): pid
              for pid, email in await session.execute(select(Person.id, Person.email))}
    on_record = {(r.month, r.case_ref.upper()): r for r in await session.execute(
        select(ImportedAudit.id, ImportedAudit.month, ImportedAudit.case_ref, *(getattr(ImportedAudit, f) for f in FIELDS))
        .where(ImportedAudit.month.in_(months)))}
    report.months = tuple(months)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for e in entries:
        values = {"service_area": e.service_area, "team": e.team, "auditor_email": e.auditor_email,
                  "auditor_id": people.get(e.auditor_email) if e.auditor_email else None, "grade": e.grade,
                  "key_areas": dict(e.key_areas), "allocated_on": e.allocated_on, "submitted_on": e.submitted_on}
        old = on_record.get((e.month, e.case_ref.upper()))
        if old is None:
            inserts.append({"month": e.month, "case_ref": e.case_ref, **values, "imported_at": now})
            report.added += 1
        elif any(getattr(old, f) != v for f, v in values.items()):
            updates.append({"id": old.id, **values})
            report.updated += 1
        else:
            report.unchanged += 1

    async def finish(session: AsyncSession) -> None:
        if inserts or updates:
            session.add(TrailEvent(subject_type="history", actor_id=actor_id, action=IMPORTED_ACTION, via=via,
                                   detail={"added": report.added, "updated": report.updated,
                                           "unchanged": report.unchanged, "months": len(months)}, at=now))

    return files.Plan([
        files.Write(inserts, lambda session, rows: session.execute(insert(ImportedAudit), rows)),
        files.Write(updates, lambda session, rows: session.execute(update(ImportedAudit), rows)),
    ], finish)


def _moment(day: date | None, tz: tzinfo) -> datetime | None:
    """A day as the register's aware instant: noon there, so it is that day in the council's zone."""
    return None if day is None else datetime.combine(day, time(12), tzinfo=tz)


async def register_rows(session: AsyncSession, first: str, last: str, tz: tzinfo) -> list[RegisterRow]:
    """The imported audits of months `first`..`last` as register rows (`imported` True, state
    "complete"), by month, service area, team and case reference. The auditor is their roster name
    when their email is on the roster, else the email the file gave (or nothing)."""
    rows = await session.execute(
        select(ImportedAudit, Person.display_name).outerjoin(Person, Person.id == ImportedAudit.auditor_id)
        .where(ImportedAudit.month >= first, ImportedAudit.month <= last)
        .order_by(ImportedAudit.month, ImportedAudit.service_area, ImportedAudit.team, ImportedAudit.case_ref))
    return [RegisterRow(
        month=a.month, case_ref=a.case_ref, annex_a_list="", service_area=a.service_area, team=a.team, theme="",
        auditor=name or a.auditor_email or "", case_holder="", state="complete",
        allocated_at=_moment(a.allocated_on, tz), started_at=None, submitted_at=_moment(a.submitted_on, tz),
        oversight_at=None, uploaded_at=None, grade=a.grade, key_areas=dict(a.key_areas), discussion_held=None,
        family_views=None, safeguarding=None, disputed_at=None, resolved_at=None, declines=0, imported=True)
        for a, name in rows]


def past_imported(p: Any, kind: str) -> Any:
    """The retention condition (storage.retention's shape): imported audits of months past the
    audit records' period, as allocations are."""
    return ImportedAudit.month < p.first_kept_month()
